// The deterministic state transition.
#include <hc/ledger/state.h>

#include <hc/consent/consent.h>
#include <hc/core/error.h>
#include <hc/keys/keys.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_set>

#include <fmt/format.h>

namespace hc::ledger {
namespace {

using json::Value;

struct HashHasher {
  size_t operator()(const Hash& h) const noexcept {
    size_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
  }
};

[[noreturn]] void bad(long index, std::string reason) { throw Invalid{index, std::move(reason)}; }

/// Why removing member `id` now would break the chain, if it would.
std::optional<std::string> removal_refused(const State& s, const std::string& id) {
  if (s.members.size() == 1) return "would remove the last member";
  if (std::all_of(s.delegates.begin(), s.delegates.end(), [&](const std::string& d) { return d == id; }))
    return "would remove the last delegate";
  return std::nullopt;
}

/// Takes member `id` out (a member.remove proposal with its quorum): its
/// votes, delegate seat and approvals go, and a pending removal of it ends.
/// With fewer members, pending proposals may now have their quorum: the
/// first (in the byte order of their IDs) that does and can take effect
/// does, and the scan starts again, until none is left.
void remove_member(State& s, const std::string& id) {
  s.members.erase(id);
  s.votes.erase(id);
  s.delegates.erase(std::remove(s.delegates.begin(), s.delegates.end(), id), s.delegates.end());
  for (auto it = s.proposals.begin(); it != s.proposals.end();) {
    if (it->second.remove && it->second.member.key_id == id) {
      it = s.proposals.erase(it);
    } else {
      it->second.approvals.erase(id);
      ++it;
    }
  }
  for (bool again = true; again;) {
    again = false;
    for (auto it = s.proposals.begin(); it != s.proposals.end(); ++it) {
      if (!s.quorum(it->second.approvals)) continue;
      Proposal p = it->second;
      if (!p.remove) {
        if (s.members.size() >= 1000) continue;
        s.members[p.member.key_id] = p.member;
        s.proposals.erase(it);
      } else {
        if (removal_refused(s, p.member.key_id)) continue;
        s.proposals.erase(it);
        remove_member(s, p.member.key_id);
      }
      again = true;
      break;
    }
  }
}

void apply_tx(State& s, const Tx& t, long i, const Block& b, Lookup& lookup, Effects& fx) {
  // emr.index, anchor and x.* kinds change nothing beyond the ledger itself.
  if (!has_state_rules(t.kind)) return;
  const Value& d = t.data();
  auto hash_of = [&](const char* key) { return hash_from_hex(d.at(key).get<std::string>(), key); };
  const std::string& k = t.kind;
  if (k == "consent.grant") {
    // Grants are known by their consent ID (SHA-256 of the canonical body),
    // which revokes and access records name.
    Hash g = hash_from_hex(consent::parse_grant(d).id, "grant");
    if (fx.grants.count(g) || lookup.grant(g)) bad(i, "repeats a grant already on the chain");
    fx.grants[g] = Grant{t.signer, false};
  } else if (k == "consent.revoke") {
    Hash g = hash_of("grant");
    std::optional<Grant> gr;
    if (auto it = fx.grants.find(g); it != fx.grants.end())
      gr = it->second;
    else
      gr = lookup.grant(g);
    if (!gr) bad(i, "revokes a grant that is not on the chain");
    if (gr->grantor != t.signer) bad(i, "revokes a grant that another key made");
    if (gr->revoked) bad(i, "revokes a grant already revoked");
    gr->revoked = true;
    fx.grants[g] = *gr;
  } else if (k == "access") {
    if (d.contains("grant")) {
      Hash g = hash_of("grant");
      if (!fx.grants.count(g) && !lookup.grant(g)) bad(i, "names a grant that is not on the chain");
    }
  } else if (k == "member.add") {
    // A proposal: the member joins once a quorum approves (member.approve).
    if (!s.members.count(t.signer)) bad(i, "only a member may propose members");
    Member m = Member::from_json(d, "");
    if (s.members.count(m.key_id)) bad(i, "adds a key that is already a member");
    if (s.members.size() >= 1000) bad(i, "the consortium already has 1000 members");
    for (auto& [id, p] : s.proposals) {
      if (!p.remove && p.member.key_id == m.key_id) bad(i, "the key is already proposed (approve proposal " + id + ")");
      if (p.proposer == t.signer) bad(i, "the signer already has a pending proposal (" + id + ")");
    }
    Proposal p{false, m, t.signer, b.header.time, {t.signer}};
    if (s.quorum(p.approvals))
      s.members[m.key_id] = m;
    else
      s.proposals[to_hex(t.id)] = p;
  } else if (k == "member.approve") {
    if (!s.members.count(t.signer)) bad(i, "only a member may approve members");
    auto it = s.proposals.find(d.at("proposal").get<std::string>());
    if (it == s.proposals.end()) bad(i, "approves a proposal that is not pending");
    if (!it->second.approvals.insert(t.signer).second) bad(i, "approves a proposal it already approved");
    if (s.quorum(it->second.approvals)) {
      Proposal p = it->second;
      if (!p.remove) {
        if (s.members.size() >= 1000) bad(i, "the consortium already has 1000 members");
        s.members[p.member.key_id] = p.member;
        s.proposals.erase(it);
      } else {
        if (auto why = removal_refused(s, p.member.key_id)) bad(i, *why);
        s.proposals.erase(it);
        remove_member(s, p.member.key_id);
      }
    }
  } else if (k == "member.remove") {
    // A proposal too: the member leaves once a quorum approves it.
    if (!s.members.count(t.signer)) bad(i, "only a member may remove members");
    auto id = d.at("key_id").get<std::string>();
    if (!s.members.count(id)) bad(i, "removes a key that is not a member");
    if (auto why = removal_refused(s, id)) bad(i, *why);
    for (auto& [pid, p] : s.proposals) {
      if (p.remove && p.member.key_id == id)
        bad(i, "the key is already proposed for removal (approve proposal " + pid + ")");
      if (p.proposer == t.signer) bad(i, "the signer already has a pending proposal (" + pid + ")");
    }
    Proposal p{true, Member{}, t.signer, b.header.time, {t.signer}};
    p.member.key_id = id;
    if (s.quorum(p.approvals))
      remove_member(s, id);
    else
      s.proposals[to_hex(t.id)] = p;
  } else if (k == "delegate.vote") {
    if (!s.members.count(t.signer)) bad(i, "only a member may vote");
    std::vector<std::string> c;
    for (auto& v : d.at("delegates")) {
      auto id = v.get<std::string>();
      if (!s.members.count(id)) bad(i, "votes for " + id + ", who is not a member");
      c.push_back(id);
    }
    s.votes[t.signer] = c;
  } else if (k == "evidence.double_sign") {
    auto a = SignedHeader::from_json(d.at("a")), b2 = SignedHeader::from_json(d.at("b"));
    if (a.header.chain != s.chain) bad(i, "evidence from another chain");
    auto it = s.members.find(a.header.producer);
    if (it == s.members.end()) bad(i, "evidence against a key that is not a member");
    if (s.banned.count(a.header.producer)) bad(i, "the producer is already banned");
    if (!crypto::ed25519_verify(it->second.pk, a.header.signing_input(), a.sig) ||
        !crypto::ed25519_verify(it->second.pk, b2.header.signing_input(), b2.sig))
      bad(i, "evidence whose signatures do not verify");
    s.banned.insert(a.header.producer);
  } else if (k == "evidence.double_vote") {
    // Two conflicting consensus messages (prevote, precommit or proposal)
    // signed by one member's key for this chain (hc-formats(5)).
    consensus::DoubleSign ev = double_vote_of(d);
    std::string who;
    for (const auto& [id, m] : s.members)
      if (m.pk == ev.a.validator) who = id;
    if (who.empty()) bad(i, "evidence against a key that is not a member");
    if (s.banned.count(who)) bad(i, "the validator is already banned");
    try {
      consensus::check(ev, s.chain);
    } catch (const Error& e) {
      bad(i, e.message());
    }
    s.banned.insert(who);
  }
}

}  // namespace

bool has_state_rules(std::string_view k) {
  // Every kind apply_tx() has a rule for; keep the two lists together.
  return k == "consent.grant" || k == "consent.revoke" || k == "access" || k == "member.add" || k == "member.approve" ||
         k == "member.remove" || k == "delegate.vote" || k == "evidence.double_sign" || k == "evidence.double_vote";
}

State State::genesis(const Genesis& g) {
  State s;
  s.chain = g.chain_id();
  s.params = g.params;
  for (auto& m : g.members) s.members[m.key_id] = m;
  s.delegates = g.delegates;
  Header h = g.header();
  s.head = h.hash();
  s.head_time = h.time;
  s.history.append(merkle::leaf_hash(s.head));
  s.height = 1;
  return s;
}

json::Value State::to_json() const {
  Value m = Value::object();
  for (auto& [id, mem] : members) m[id] = mem.to_json();
  Value v = Value::object();
  for (auto& [id, c] : votes) v[id] = c;
  return Value{{"chain", chain},
               {"params", params.to_json()},
               {"height", height},
               {"head", to_hex(head)},
               {"head_time", format_time(head_time)},
               {"history", [&] {
                 auto ser = history.serialize();
                 return crypto::hex(crypto::as_bytes(ser), ser.size());
               }()},
               {"members", m},
               {"delegates", delegates},
               {"votes", v},
               {"banned", banned},
               {"proposals", [&] {
                 Value ps = Value::object();
                 for (auto& [id, p] : proposals) {
                   ps[id] = Value{{"proposer", p.proposer}, {"time", format_time(p.time)}, {"approvals", p.approvals}};
                   if (p.remove)
                     ps[id]["remove"] = p.member.key_id;
                   else
                     ps[id]["member"] = p.member.to_json();
                 }
                 return ps;
               }()},
               {"tx_count", tx_count}};
}

State State::from_json(const json::Value& v) {
  try {
    State s;
    s.chain = v.at("chain").get<std::string>();
    const Value& p = v.at("params");
    s.params.delegate_count = p.at("delegate_count");
    s.params.round_length = p.at("round_length");
    s.params.max_block_txs = p.at("max_block_txs");
    s.params.max_tx_bytes = p.at("max_tx_bytes");
    s.params.block_interval_ms = p.at("block_interval_ms");
    s.params.max_clock_skew_s = p.at("max_clock_skew_s");
    s.height = v.at("height");
    s.head = hash_from_hex(v.at("head").get<std::string>(), "head");
    s.head_time = parse_time(v.at("head_time").get<std::string>(), "head_time");
    auto raw = crypto::unhex(v.at("history").get<std::string>());
    s.history = merkle::CompactRange::parse(crypto::as_chars(raw.data(), raw.size()));
    for (auto& [id, m] : v.at("members").items()) s.members[id] = Member::from_json(m, "members." + id + ".");
    s.delegates = v.at("delegates").get<std::vector<std::string>>();
    for (auto& [id, c] : v.at("votes").items()) s.votes[id] = c.get<std::vector<std::string>>();
    for (auto& b : v.at("banned")) s.banned.insert(b.get<std::string>());
    s.tx_count = v.at("tx_count");
    if (v.contains("proposals"))
      for (auto& [id, pv] : v.at("proposals").items()) {
        Proposal q;
        if (pv.contains("remove")) {
          q.remove = true;
          q.member.key_id = pv.at("remove").get<std::string>();
          if (!is_key_id(q.member.key_id)) throw Error(Exit::data, "damaged ledger state: a removal names no key ID");
        } else {
          q.member = Member::from_json(pv.at("member"), "proposals." + id + ".member.");
        }
        q.proposer = pv.at("proposer").get<std::string>();
        q.time = parse_time(pv.at("time").get<std::string>(), "time");
        for (auto& a : pv.at("approvals")) q.approvals.insert(a.get<std::string>());
        s.proposals[id] = q;
      }
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(Exit::data, std::string("damaged ledger state: ") + e.what());
  }
}

std::vector<std::string> State::tally() const {
  std::map<std::string, uint64_t> weight;
  for (auto& [voter, cands] : votes) {
    auto m = members.find(voter);
    if (m == members.end()) continue;
    for (auto& c : cands)
      if (members.count(c) && !banned.count(c)) weight[c] += m->second.stake;
  }
  std::vector<std::pair<std::string, uint64_t>> ranked(weight.begin(), weight.end());
  std::stable_sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.second > b.second; });
  std::vector<std::string> out;
  for (auto& [id, w] : ranked) {
    if (out.size() >= params.delegate_count || w == 0) break;
    out.push_back(id);
  }
  return out;
}

bool State::quorum(const std::set<std::string>& approvals) const {
  size_t n = 0;
  for (auto& a : approvals) n += members.count(a);
  return 3 * n > 2 * members.size();
}

bool State::is_delegate(const std::string& id) const {
  return !banned.count(id) && std::find(delegates.begin(), delegates.end(), id) != delegates.end();
}

long first_bad_signature(const std::vector<Tx>& txs, unsigned threads) {
  std::vector<uint8_t> ok(txs.size(), 1);
  parallel_for(txs.size(), threads, [&](size_t i) { ok[i] = txs[i].signature_valid(); });
  for (size_t i = 0; i < txs.size(); ++i)
    if (!ok[i]) return long(i);
  return -1;
}

State apply(const State& before, const Block& b, Lookup& lookup, Effects& fx, const ApplyOptions& opt) {
  const Header& h = b.header;
  auto fail = [&](long i, const std::string& why) -> Error {
    std::string where = i < 0 ? fmt::format("block {}", h.height) : fmt::format("block {} transaction {}", h.height, i);
    return Error(Exit::invalid, where + ": " + why);
  };
  try {
    if (h.height != before.height) bad(-1, fmt::format("height {} does not follow the head (next is {})", h.height, before.height));
    if (h.chain != before.chain) bad(-1, "belongs to another chain");
    if (h.prev != before.head) bad(-1, "prev is not the hash of the previous block");
    if (h.history_root != before.history.root()) bad(-1, "history_root does not match the earlier blocks");
    if (h.time < before.head_time) bad(-1, "time is before the previous block's");
    if (h.tx_count != b.txs.size()) bad(-1, "tx_count does not match the transactions");
    if (b.txs.size() > before.params.max_block_txs)
      bad(-1, fmt::format("more than {} transactions", before.params.max_block_txs));
    if (Block::tx_root(b.txs) != h.tx_root) bad(-1, "tx_root is not the Merkle root of the transaction IDs");
    if (!before.is_delegate(h.producer)) bad(-1, "producer " + h.producer + " is not a delegate of this round");
    auto pm = before.members.find(h.producer);
    if (pm == before.members.end()) bad(-1, "producer is not a member");
    if (!crypto::ed25519_verify(pm->second.pk, h.signing_input(), b.sig)) bad(-1, "the producer's signature does not verify");
    if (opt.check_signatures)
      if (long i = first_bad_signature(b.txs, opt.threads); i >= 0) bad(i, "signature does not verify");

    State s = before;
    // Proposals older than their time to live lapse before the block's transactions.
    for (auto it = s.proposals.begin(); it != s.proposals.end();)
      it = h.time - it->second.time > k_proposal_ttl_s ? s.proposals.erase(it) : std::next(it);
    std::unordered_set<Hash, HashHasher> seen;
    seen.reserve(b.txs.size());
    for (size_t i = 0; i < b.txs.size(); ++i) {
      const Tx& t = b.txs[i];
      long li = long(i);
      if (t.chain != s.chain) bad(li, "belongs to another chain");
      if (t.bytes.size() > s.params.max_tx_bytes) bad(li, fmt::format("larger than {} bytes", s.params.max_tx_bytes));
      if (t.time > h.time + int64_t(s.params.max_clock_skew_s)) bad(li, "time is later than the block's");
      if (!seen.insert(t.id).second || lookup.tx_known(t.id)) bad(li, "repeats an earlier transaction " + to_hex(t.id));
      apply_tx(s, t, li, b, lookup, fx);
    }
    s.height = h.height + 1;
    s.head = h.hash();
    s.head_time = h.time;
    s.history.append(merkle::leaf_hash(s.head));
    s.tx_count += b.txs.size();
    // Between rounds the votes (if any) decide the next round's delegates.
    if (s.height % s.params.round_length == 0) {
      auto next = s.tally();
      if (next.empty()) {
        for (auto& d : s.delegates)
          if (!s.banned.count(d)) next.push_back(d);
        if (next.empty()) next = s.delegates;
      }
      s.delegates = next;
    }
    return s;
  } catch (const Invalid& e) {
    throw fail(e.tx_index, e.reason);
  } catch (const Error& e) {
    if (e.code() == Exit::invalid) throw;
    throw fail(-1, e.describe());
  }
}

Block seal_block(const State& state, std::vector<Tx> txs, const keys::SecretKey& producer, int64_t time,
                 json::Value ext) {
  Block b;
  b.header.chain = state.chain;
  b.header.height = state.height;
  b.header.prev = state.head;
  b.header.time = std::max(time, state.head_time);
  b.header.tx_count = txs.size();
  b.header.history_root = state.history.root();
  b.header.producer = producer.pub.key_id;
  b.header.ext = std::move(ext);
  b.txs = std::move(txs);
  b.header.tx_root = Block::tx_root(b.txs);
  b.sig = producer.sign(b.header.signing_input());
  return b;
}

}  // namespace hc::ledger

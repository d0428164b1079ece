#include <hc/node/dpos_view.h>

#include <hc/core/error.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace hc::node {
namespace {
namespace C = hc::consensus;
namespace L = hc::ledger;
using json::Value;

/// The ledger's delegates that may sign, in the ledger's order.
std::vector<std::string> voter_ids(const L::State& s) {
  std::vector<std::string> out;
  for (const auto& d : s.delegates)
    if (!s.banned.count(d) && s.members.count(d)) out.push_back(d);
  return out;
}

const C::PublicKey& pk_of(const L::State& s, const std::string& id) { return s.members.at(id).pk; }

std::string id_of(const L::State& s, const C::PublicKey& pk) {
  for (const auto& [id, m] : s.members)
    if (m.pk == pk) return id;
  throw Error(Exit::internal, "DPoS: a scheduled key is not a member");
}

}  // namespace

C::DposParams dpos_params(const L::Params& p) {
  C::DposParams d;
  d.delegates = p.delegate_count;
  d.max_votes = 64;  // the ledger's delegate.vote list limit
  d.initial_reputation = 10000;
  d.min_reputation = 5000;
  d.miss_penalty = 2500;
  d.produce_reward = 100;
  d.recovery = 500;
  d.self_vote = true;
  return d;
}

C::Dpos DposView::dpos(const L::State& s) const {
  C::DposGenesis g;
  g.params = dpos_params(s.params);
  for (const auto& [id, m] : s.members) g.members.push_back({m.pk, m.stake});
  std::set<std::string> cands;
  for (const auto& d : s.delegates) {
    if (!s.members.count(d) || !cands.insert(d).second) continue;
    bool banned = s.banned.count(d) > 0;
    g.candidates.push_back({pk_of(s, d), banned ? 0 : reputation(d), banned});
  }
  for (const auto& [voter, list] : s.votes) {
    auto m = s.members.find(voter);
    if (m == s.members.end()) continue;
    std::vector<C::PublicKey> v;
    for (const auto& c : list)
      if (cands.count(c) && v.size() < g.params.max_votes) v.push_back(pk_of(s, c));
    auto pk = m->second.pk;
    g.votes[pk] = std::move(v);
  }
  return C::Dpos(std::move(g));
}

uint32_t DposView::reputation(const std::string& id) const {
  auto it = m_rep.find(id);
  return it == m_rep.end() ? C::Dpos::k_max_reputation : it->second;
}

void DposView::new_epoch(const L::State& s) {
  m_epoch = s.height / s.params.round_length;
  m_schedule.clear();
  try {
    C::ValidatorSet sched = dpos(s).schedule(m_epoch);
    for (const auto& v : sched.members()) m_schedule.push_back(id_of(s, v.key));
  } catch (const Error& e) {
    if (e.code() != Exit::invalid) throw;  // none eligible: the fallback below
  }
}

void DposView::set_proposers(const L::State& s) {
  auto voters = voter_ids(s);
  m_proposers.clear();
  for (const auto& id : m_schedule)
    if (std::find(voters.begin(), voters.end(), id) != voters.end()) m_proposers.push_back(id);
  if (m_proposers.empty()) m_proposers = voters;
}

DposView DposView::genesis(const L::State& s) {
  DposView v;
  v.m_height = s.height;
  v.new_epoch(s);
  v.set_proposers(s);
  return v;
}

C::ValidatorSet DposView::validators(const L::State& s) const {
  std::vector<C::Validator> voters;
  for (const auto& id : voter_ids(s)) voters.push_back(C::Validator{pk_of(s, id), 1});
  if (voters.empty()) throw Error(Exit::data, "the chain state names no delegate that may sign");
  std::vector<C::PublicKey> proposers;
  for (const auto& id : m_proposers)
    if (s.members.count(id)) proposers.push_back(pk_of(s, id));
  return C::ValidatorSet(std::move(voters), std::move(proposers));
}

std::string DposView::owner() const {
  if (m_proposers.empty()) return {};
  return m_proposers[m_height % m_proposers.size()];
}

void DposView::apply(const L::Block& b, const L::State& after) {
  if (b.header.height != m_height || after.height != m_height + 1)
    throw Error(Exit::internal, fmt::format("DPoS view at height {} given block {}", m_height, b.header.height));
  std::string own = owner();
  {
    C::Dpos d = dpos(after);
    if (after.members.count(own)) {
      auto pk = pk_of(after, own);
      if (d.candidate(pk)) {
        d.slot_result(pk, b.header.producer == own);
        m_rep[own] = d.candidate(pk)->reputation;
      }
    }
  }
  for (const auto& id : after.banned) m_rep[id] = 0;
  m_height = after.height;
  if (after.height % after.params.round_length == 0) {
    // The epoch boundary: recovery for the candidates the ending schedule
    // left out, then the new schedule from the state and reputations now.
    C::Dpos d = dpos(after);
    std::vector<C::PublicKey> scheduled;
    for (const auto& id : m_schedule)
      if (after.members.count(id)) scheduled.push_back(pk_of(after, id));
    d.epoch_end(scheduled);
    for (const auto& id : after.delegates)
      if (after.members.count(id))
        if (auto* c = d.candidate(pk_of(after, id))) m_rep[id] = c->reputation;
    new_epoch(after);
  }
  set_proposers(after);
}

namespace {
struct ReplayLookup : L::Lookup {
  L::Ledger& l;
  uint64_t height = 0;
  std::map<L::Hash, L::Grant> grants;
  explicit ReplayLookup(L::Ledger& x) : l(x) {}
  bool tx_known(const L::Hash& id) override {
    auto loc = l.locate(id);
    return loc && loc->height < height;
  }
  std::optional<L::Grant> grant(const L::Hash& id) override {
    auto it = grants.find(id);
    if (it == grants.end()) return std::nullopt;
    return it->second;
  }
};
}  // namespace

DposView DposView::replay(const L::Genesis& g, L::Ledger& l, uint64_t next_height) {
  L::State s = L::State::genesis(g);
  DposView v = genesis(s);
  ReplayLookup lk(l);
  for (uint64_t h = 1; h < next_height; ++h) {
    auto b = l.block(h);
    if (!b) throw Error(Exit::data, fmt::format("replaying the chain for the DPoS view: block {} is missing", h));
    lk.height = h;
    L::Effects fx;
    L::State after = L::apply(s, *b, lk, fx, L::ApplyOptions{.check_signatures = false, .threads = 1});
    for (auto& [id, gr] : fx.grants) lk.grants[id] = gr;
    v.apply(*b, after);
    s = std::move(after);
  }
  return v;
}

Value DposView::to_json() const {
  Value rep = Value::object();
  for (const auto& [id, r] : m_rep) rep[id] = r;
  return Value{{"v", 1},           {"height", m_height},       {"epoch", m_epoch},
               {"schedule", m_schedule}, {"proposers", m_proposers}, {"reputation", rep}};
}

DposView DposView::from_json(const Value& v, const std::string& source) {
  auto bad = [&](const std::string& field, const std::string& why) {
    return Error(Exit::data, "damaged DPoS record: " + why).file(source).field(field);
  };
  if (!v.is_object()) throw bad("", "not an object");
  for (auto& [k, x] : v.items())
    if (k != "v" && k != "height" && k != "epoch" && k != "schedule" && k != "proposers" && k != "reputation")
      throw bad(k, "unknown member");
  auto natural = [](const Value& x) {
    return x.is_number_unsigned() || (x.is_number_integer() && x.get<int64_t>() >= 0);
  };
  auto u64 = [&](const char* k) {
    if (!v.contains(k) || !natural(v.at(k))) throw bad(k, "must be an unsigned integer");
    return v.at(k).get<uint64_t>();
  };
  if (u64("v") != 1) throw bad("v", "unsupported version");
  DposView out;
  out.m_height = u64("height");
  out.m_epoch = u64("epoch");
  if (out.m_height == 0) throw bad("height", "must be at least 1");
  auto ids = [&](const char* k) {
    std::vector<std::string> r;
    if (!v.contains(k) || !v.at(k).is_array() || v.at(k).size() > 1000) throw bad(k, "must be a list of key IDs");
    for (const auto& x : v.at(k)) {
      if (!x.is_string() || !L::is_key_id(x.get<std::string>())) throw bad(k, "must be a list of key IDs");
      if (std::find(r.begin(), r.end(), x.get<std::string>()) != r.end()) throw bad(k, "names a key twice");
      r.push_back(x.get<std::string>());
    }
    return r;
  };
  out.m_schedule = ids("schedule");
  out.m_proposers = ids("proposers");
  if (!v.contains("reputation") || !v.at("reputation").is_object() || v.at("reputation").size() > 10000)
    throw bad("reputation", "must be an object");
  for (auto& [id, r] : v.at("reputation").items()) {
    if (!L::is_key_id(id)) throw bad("reputation." + id, "is not a key ID");
    if (!natural(r) || r.get<uint64_t>() > C::Dpos::k_max_reputation)
      throw bad("reputation." + id, "must be 0 … 10000");
    out.m_rep[id] = uint32_t(r.get<uint64_t>());
  }
  return out;
}

Value DposView::status() const {
  return Value{{"epoch", m_epoch},
               {"schedule", m_schedule},
               {"proposers", m_proposers},
               {"owner", owner()},
               {"reputation", to_json().at("reputation")}};
}

}  // namespace hc::node

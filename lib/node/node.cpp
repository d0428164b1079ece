// The node loop. Map to Tendermint (arXiv:1807.04938), Algorithm 1:
//   getValue()        → Impl::get_value: a block sealed from the mempool, checked
//                       by ledger validate() first; one block per height per
//                       producer (persisted in DATA/proposal.line)
//   valid(v)          → Impl::is_valid: Block::parse + ledger validate() (every
//                       rule; signatures of transactions not yet verified here)
//   decision (L49)    → Impl::commit_decided: certificate stored, ledger commit()
//   StartRound/timeout_commit → Impl::start_next: heights start one block
//                       interval (genesis params.block_interval_ms) apart
//   gossip            → consensus messages relayed once (deduplicated by hash);
//                       the height's messages re-sent to a peer whose link comes up
// The engine itself (lines L11–L65) is lib/consensus/engine.cpp.
#include <hc/node/node.h>

#include <hc/consensus/engine.h>
#include <hc/consensus/safety.h>
#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/net/network.h>
#include <hc/node/admission.h>
#include <hc/node/dpos_view.h>
#include <hc/node/mempool.h>
#include <hc/node/wire.h>
#include <hc/store/store.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <unordered_set>

#include <fmt/format.h>

namespace hc::node {
namespace {

using Clock = std::chrono::steady_clock;
using json::Value;
namespace C = hc::consensus;
namespace L = hc::ledger;

struct HashHasher {
  size_t operator()(const Hash& h) const noexcept {
    size_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | h[size_t(i)];
    return v;
  }
};

Hash hash_bytes(const Bytes& b) { return crypto::sha256(b.data(), b.size()); }

/// "block H transaction I: ..." → I.
std::optional<size_t> tx_index_of(const std::string& msg) {
  auto p = msg.find(" transaction ");
  if (p == std::string::npos) return std::nullopt;
  size_t i = 0, at = p + 13;
  if (at >= msg.size() || !std::isdigit(uint8_t(msg[at]))) return std::nullopt;
  while (at < msg.size() && std::isdigit(uint8_t(msg[at]))) i = i * 10 + size_t(msg[at++] - '0');
  return i;
}

int64_t wall_now() { return int64_t(std::time(nullptr)); }

void make_dirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(Exit::cant_create, "cannot create the folder: " + ec.message()).file(dir);
}

}  // namespace

struct Node::Impl {
  Config cfg;
  keys::SecretKey key;
  NodeOptions opt;
  std::mutex mu;

  std::unique_ptr<L::Ledger> ledger;
  L::State state;
  std::unique_ptr<store::Env> env;
  store::Dbi certs = 0;
  store::Dbi dpos_db = 0;
  std::optional<DposView> view;  // the DPoS schedule and reputations at state.height
  C::FileSafetyStore safety_store;
  std::unique_ptr<C::SafetyGuard> guard;
  std::unique_ptr<C::Engine> engine;
  std::unique_ptr<net::Network> net;
  uint16_t port = 0;
  Mempool mempool;

  struct Peer {
    keys::PublicKey pub;
    std::optional<Address> address;
    uint64_t next_height = 0;
    Clock::time_point last_dial{};
  };
  std::vector<Peer> peers;
  // The links as the loop thread last saw them: the API threads read this
  // copy, never the Network (which only the loop thread touches).
  std::vector<net::PeerStatus> links;
  C::ValidatorSet current_set;  // validators of state.height
  std::atomic<bool> links_dirty{false};

  // This height's consensus state around the engine.
  std::multimap<Clock::time_point, C::TimeoutEvent> timers;
  // Every consensus message of this height (ours and the peers'), sent to a
  // peer when its link comes up: Tendermint's liveness needs every correct
  // process to receive eventually every message a correct one received
  // (e.g. the prevotes that justify a re-proposal's valid_round).
  std::vector<std::string> height_log;
  size_t height_log_bytes = 0;
  std::unordered_set<Hash, HashHasher> seen;    // consensus messages already handled
  std::map<Hash, L::Checked> checked;           // values that passed valid()
  std::unordered_set<Hash, HashHasher> verified;  // tx IDs whose signature this node checked
  std::unordered_set<Hash, HashHasher> claimed;   // tx IDs being checked by an admission thread
  std::map<C::PublicKey, C::Proposal> first_proposal;
  std::set<C::PublicKey> evidenced;
  std::optional<L::Block> my_block;             // our one block for this height
  bool waiting_start = true;
  Clock::time_point start_at{}, height_started{}, last_commit{};
  uint32_t decided_round = 0;

  // Relay and sync.
  std::vector<std::string> relay;  // tx bytes to send to peers
  Clock::time_point last_status{}, sync_requested{};
  uint64_t sync_until = 0;

  // Counters for status.
  uint64_t rejected_txs = 0, vote_evidence = 0, header_evidence = 0, synced_blocks = 0, decided_blocks = 0;
  std::deque<std::string> recent_evidence;
  std::atomic<uint64_t> signature_checks{0};  // transactions' signatures checked on admission
  std::atomic<uint64_t> block_signature_checks{0};  // ... and in blocks (valid(), sync)

  // Batches of transactions from peers, checked off the loop thread
  // (lib/node/admission.h). Last member: its worker stops first.
  std::unique_ptr<AdmissionQueue> admission;

  Impl(Config c, keys::SecretKey k, NodeOptions o)
      : cfg(std::move(c)),
        key(std::move(k)),
        opt(std::move(o)),
        safety_store(cfg.data_dir + "/last-signed.json"),
        mempool(cfg.mempool_max_txs, cfg.mempool_max_bytes) {}

  void log(const std::string& s) {
    if (opt.log) opt.log(s);
  }
  void vlog(const std::string& s) {
    if (opt.verbose && opt.log) opt.log(s);
  }

  // ---- set-up ------------------------------------------------------------------

  void open() {
    make_dirs(cfg.data_dir);
    std::string gtext = io::read_all(cfg.genesis);
    L::Genesis g = L::Genesis::parse(json::parse(gtext, cfg.genesis), cfg.genesis);
    if (!io::exists(cfg.ledger_dir() + "/data.mdb")) {
      make_dirs(cfg.ledger_dir());
      L::Ledger::init(cfg.ledger_dir(), g);
      log("created the ledger in " + cfg.ledger_dir() + " for chain " + g.chain_id());
    }
    ledger = std::make_unique<L::Ledger>(cfg.ledger_dir());
    state = ledger->state();
    if (state.chain != g.chain_id())
      throw Error(Exit::config, "the ledger in " + cfg.ledger_dir() + " belongs to another chain than the genesis")
          .file(cfg.path)
          .field("genesis");
    if (!state.members.count(key.pub.key_id))
      throw Error(Exit::config, "this node's key " + key.pub.key_id + " is not a member of the chain")
          .file(cfg.path)
          .field("key");
    make_dirs(cfg.data_dir + "/node");
    env = std::make_unique<store::Env>(cfg.data_dir + "/node", store::Options{.max_dbs = 4});
    certs = env->dbi("certificates");
    dpos_db = env->dbi("dpos");
    load_view(g);
    current_set = view->validators(state);
    guard = std::make_unique<C::SafetyGuard>(safety_store);

    net::AllowedPeers allowed;
    for (size_t i = 0; i < cfg.peers.size(); ++i) {
      Peer p;
      try {
        p.pub = keys::load_public(cfg.peers[i].key);
      } catch (Error& e) {
        if (e.file().empty()) e.file(cfg.peers[i].key);
        throw;
      }
      auto m = state.members.find(p.pub.key_id);
      if (m == state.members.end() || m->second.pk != p.pub.ed25519) {
        bool removed = std::any_of(g.members.begin(), g.members.end(), [&](const L::Member& gm) {
          return gm.key_id == p.pub.key_id && gm.pk == p.pub.ed25519;
        });
        if (removed && m == state.members.end()) {
          // A genesis member the chain has since removed (member.remove): not a peer any more.
          log("peer " + p.pub.key_id + " was removed from the chain; not linking with it");
          continue;
        }
        throw Error(Exit::config, "peer key " + p.pub.key_id + " is not a member of the chain")
            .file(cfg.path)
            .field(fmt::format("peers[{}].key", i));
      }
      if (p.pub.key_id == key.pub.key_id) continue;  // one list for every node: skip ourselves
      if (!cfg.peers[i].address.empty()) p.address = Address::parse(cfg.peers[i].address, "address");
      allowed.add(p.pub);
      peers.push_back(std::move(p));
    }
    net::Network::Options no;
    no.network_id = state.chain;
    no.limits.max_message = cfg.max_block_bytes + (1u << 20);
    no.limits.max_outbox = std::max<size_t>(64u << 20, 4 * no.limits.max_message);
    net = std::make_unique<net::Network>(net::Identity::from_key(key), std::move(allowed), no);
    port = net->listen(cfg.listen.host, cfg.listen.port);

    // Our block for this height, if we proposed one before a restart.
    std::string mine = cfg.data_dir + "/proposal.line";
    if (io::exists(mine)) {
      try {
        L::Block b = L::Block::parse(io::read_all(mine, size_t(64) << 20), mine);
        if (b.header.height == state.height) my_block = std::move(b);
      } catch (const Error& e) {
        log("ignoring " + mine + ": " + e.describe());
      }
    }

    C::EngineConfig ec;
    ec.chain_id = state.chain;
    ec.timeouts = cfg.timeouts;
    engine = std::make_unique<C::Engine>(
        ec, key.ed25519_seed, *guard, [this](uint64_t h) { return get_value(h); },
        [this](uint64_t h, const C::Value& v) { return is_valid(h, v); });

    net->on_connect = [this](const net::PeerInfo& p) {
      std::lock_guard lk(mu);
      on_connect(p);
    };
    // Called from inside Network calls, some made with the lock held (send,
    // disconnect): it must not take the lock; the loop refreshes `links`.
    net->on_disconnect = [this](const net::PeerInfo& p, const std::string& why) {
      links_dirty = true;
      log("peer " + p.key_id + " (" + p.label + ") disconnected: " + why);
    };
    net->on_refused = [this](const std::string& addr, const std::string& why) {
      if (why.rfind("connect failed", 0) == 0) vlog("link with " + addr + " failed: " + why);
      else log("link with " + addr + " refused: " + why);
    };
    net->on_message = [this](const net::PeerInfo& p, Bytes m) {
      std::lock_guard lk(mu);
      try {
        on_message(p, m);
      } catch (const Error& e) {
        log("dropping peer " + p.key_id + ": " + e.describe());
        net->disconnect(p.x25519);
      }
    };
    admission = std::make_unique<AdmissionQueue>(size_t(64) << 20, [this](PeerBatch& b) {
      admit_texts(b.txs, true, b.source, nullptr);
    });
  }

  /// The DPoS view at the ledger's head: the stored one, advanced past a
  /// block committed just before a crash, or rebuilt from the chain.
  void load_view(const L::Genesis& g) {
    std::optional<std::string> text;
    {
      auto t = env->read();
      if (auto v = t.get(dpos_db, "view")) text = std::string(*v);
    }
    const std::string where = cfg.data_dir + "/node (dpos)";
    if (text) view = DposView::from_json(json::parse(*text, where), where);
    if (view && view->height() + 1 == state.height) {
      if (auto b = ledger->block(state.height - 1)) view->apply(*b, state);
    }
    if (!view || view->height() != state.height) {
      if (state.height > 1) log(fmt::format("rebuilding the DPoS view from {} blocks", state.height - 1));
      view = state.height == 1 ? DposView::genesis(state) : DposView::replay(g, *ledger, state.height);
    }
    save_view();
  }

  void save_view() {
    std::string text = json::canonical(view->to_json());
    env->write([&](store::Txn& t) { t.put(dpos_db, "view", text); });
  }

  /// The links follow the chain's membership: a key that `after` no longer
  /// lists is no longer dialled, its link is closed and its handshakes are
  /// refused from now on. This keys on the state, not on the transactions:
  /// a member.remove is a proposal, and the key leaves in the block where
  /// the proposal reaches its quorum (often a member.approve's block).
  void drop_removed(const L::State& before, const L::State& after) {
    for (const auto& member : before.members) {
      const std::string& id = member.first;
      if (after.members.count(id)) continue;
      bool was_peer = net->forget(id);
      std::erase_if(peers, [&](const Peer& p) { return p.pub.key_id == id; });
      log(fmt::format("member {} was removed from the chain{}", id, was_peer ? ": its link is closed and refused" : ""));
      links_dirty = true;
    }
  }

  /// Evidence of a double prevote / precommit / proposal from the engine,
  /// as an evidence.double_vote transaction (hc-formats(5)) that bans the
  /// validator once committed.
  void submit_vote_evidence(const C::DoubleSign& ev) {
    std::string id;
    for (const auto& [kid, m] : state.members)
      if (m.pk == ev.a.validator) id = kid;
    if (id.empty() || state.banned.count(id) || !evidenced.insert(ev.a.validator).second) return;
    Bytes a = C::encode(ev.a), b = C::encode(ev.b);
    Value data = {{"a", crypto::base64url(a.data(), a.size())}, {"b", crypto::base64url(b.data(), b.size())}};
    try {
      L::Tx tx = L::make_tx(key, state.chain, "evidence.double_vote", data, wall_now());
      log(fmt::format("evidence: submitted as transaction {}", L::to_hex(tx.id)));
      admit(std::move(tx));
    } catch (const Error& e) {
      log("evidence not submitted: " + e.describe());
    }
  }

  Peer* peer_of(const net::PeerInfo& p) {
    for (auto& x : peers)
      if (x.pub.x25519 == p.x25519) return &x;
    return nullptr;
  }

  // ---- consensus callbacks ----------------------------------------------------

  std::function<bool(const L::Tx&)> verified_fn() {
    return [this](const L::Tx& t) {
      bool v = mempool.contains(t.id) || verified.count(t.id) > 0;
      if (!v) ++block_signature_checks;  // the ledger checks it now (once: is_valid records it)
      return v;
    };
  }

  C::Value value_of(const L::Block& b) {
    std::string line = b.to_line();
    return C::Value{b.hash(), Bytes(line.begin(), line.end())};
  }

  C::Value get_value(uint64_t h) {
    if (my_block && my_block->header.height == h) return value_of(*my_block);
    std::vector<L::Tx> txs = mempool.take(state.params.max_block_txs, cfg.max_block_bytes);
    L::Block b;
    for (int attempt = 0;; ++attempt) {
      b = L::seal_block(state, txs, key, wall_now());
      try {
        L::Checked c = ledger->validate(b, 2, verified_fn());
        checked.emplace(b.hash(), std::move(c));
        break;
      } catch (const Error& e) {
        auto i = tx_index_of(e.message());
        if (attempt < 256 && i && *i < txs.size()) {
          vlog("mempool: dropping a transaction that no longer applies: " + e.message());
          mempool.remove(txs[*i].id);
          txs.erase(txs.begin() + long(*i));
          ++rejected_txs;
        } else if (!txs.empty()) {
          log("proposing an empty block: " + e.describe());
          txs.clear();
        } else {
          throw;
        }
      }
    }
    // One block per height: persisted before the proposal can be signed, so
    // a restart re-proposes the same block rather than a second one.
    io::write_file(cfg.data_dir + "/proposal.line", b.to_line(), 0600, io::Overwrite::replace);
    my_block = b;
    return value_of(b);
  }

  bool is_valid(uint64_t h, const C::Value& v) {
    if (checked.count(v.id)) return true;
    if (h != state.height) return false;
    try {
      L::Block b = L::Block::parse(std::string_view(reinterpret_cast<const char*>(v.data.data()), v.data.size()),
                                   "proposal", 0, 1);
      if (b.hash() != v.id || b.header.height != h) return false;
      if (b.header.time > wall_now() + 60) {
        vlog(fmt::format("proposal for {} dated in the future", h));
        return false;
      }
      L::Checked c = ledger->validate(std::move(b), 2, verified_fn());
      for (const auto& t : c.block.txs) verified.insert(t.id);
      checked.emplace(v.id, std::move(c));
      return true;
    } catch (const Error& e) {
      log(fmt::format("invalid proposal at height {}: {}", h, e.describe()));
      return false;
    }
  }

  void handle(C::Outputs outs) {
    for (auto& o : outs) {
      if (auto* v = std::get_if<C::Vote>(&o)) {
        send_own(encode_consensus(C::encode(*v)));
      } else if (auto* p = std::get_if<C::Proposal>(&o)) {
        first_proposal.emplace(p->header.validator, *p);
        if (opt.test_equivocate) equivocate(*p);
        else send_own(encode_consensus(C::encode(*p)));
      } else if (auto* t = std::get_if<C::ScheduleTimeout>(&o)) {
        timers.emplace(Clock::now() + std::chrono::milliseconds(t->delay_ms), t->event);
      } else if (auto* d = std::get_if<C::Decision>(&o)) {
        commit_decided(*d);
        return;  // outputs after a decision belong to the old height
      } else if (auto* ev = std::get_if<C::DoubleSign>(&o)) {
        ++vote_evidence;
        std::string who = crypto::hex(ev->a.validator.data(), ev->a.validator.size());
        log(fmt::format("evidence: validator {} signed two {}s at height {} round {}", who,
                        C::step_name(ev->a.step), ev->a.height, ev->a.round));
        recent_evidence.push_back(fmt::format("{} {} h{} r{}", who, C::step_name(ev->a.step), ev->a.height, ev->a.round));
        if (recent_evidence.size() > 16) recent_evidence.pop_front();
        submit_vote_evidence(*ev);
      }
    }
  }

  /// The test harness's Byzantine proposer (NodeOptions::test_equivocate).
  void equivocate(const C::Proposal& p) {
    L::Block alt = L::seal_block(state, {}, key, wall_now(), Value{{"equivocation", p.header.round}});
    C::Proposal q = p;
    q.value = value_of(alt);
    q.header.value = q.value.id;
    q.header.valid_round = -1;
    q.header.signature = crypto::ed25519_sign(key.ed25519_seed, q.header.sign_bytes(state.chain));
    std::string honest = encode_consensus(C::encode(p)), other = encode_consensus(C::encode(q));
    seen.insert(crypto::sha256(honest));
    seen.insert(crypto::sha256(other));
    size_t k = 0;
    for (const auto& ps : net->status())
      if (ps.established) net->send(ps.info.x25519, k++ % 2 ? other : honest);
    remember(std::move(honest), true);
    log(fmt::format("test: equivocated at height {} round {}", p.header.height, p.header.round));
  }

  void send_own(std::string m) {
    seen.insert(crypto::sha256(m));
    net->broadcast(m);
    remember(std::move(m), true);
  }

  void remember(std::string m, bool mine) {
    if (!mine && height_log_bytes + m.size() > (size_t(256) << 20)) return;
    height_log_bytes += m.size();
    height_log.push_back(std::move(m));
  }

  // ---- commits -----------------------------------------------------------------

  void store_certificate(const Certificate& c) {
    Bytes b = encode(c);
    env->write([&](store::Txn& t) {
      t.put(certs, store::be64(c.height), std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    });
  }

  std::optional<Bytes> load_certificate(uint64_t h) {
    auto t = env->read();
    auto v = t.get(certs, store::be64(h));
    if (!v) return std::nullopt;
    return Bytes(v->begin(), v->end());
  }

  void commit_decided(const C::Decision& d) {
    if (d.height != state.height) return;  // already committed from a peer's certificate
    auto it = checked.find(d.value.id);
    L::Checked c = it != checked.end()
                       ? std::move(it->second)
                       : ledger->validate(L::Block::parse(std::string_view(reinterpret_cast<const char*>(d.value.data.data()),
                                                                           d.value.data.size()),
                                                          "decided block", 0, 1),
                                          2, verified_fn());
    store_certificate(Certificate{d.height, d.round, d.value.id, d.commit});
    ledger->commit(c);
    ++decided_blocks;
    decided_round = d.round;
    after_commit(c, false);
  }

  void after_commit(const L::Checked& c, bool synced) {
    std::string owner = view->owner();
    view->apply(c.block, c.after);
    save_view();
    if (c.block.header.producer != owner)
      vlog(fmt::format("height {}: slot owner {} missed its slot (block by {}); reputation now {}", c.block.header.height,
                       owner, c.block.header.producer, view->reputation(owner)));
    drop_removed(state, c.after);
    state = c.after;
    current_set = view->validators(state);
    for (const auto& t : c.block.txs) mempool.remove(t.id);
    checked.clear();
    verified.clear();
    seen.clear();
    height_log.clear();
    height_log_bytes = 0;
    first_proposal.clear();
    evidenced.clear();
    timers.clear();
    if (my_block && my_block->header.height < state.height) my_block.reset();
    auto now = Clock::now();
    last_commit = now;
    waiting_start = true;
    start_at = synced ? now : std::max(now, height_started + std::chrono::milliseconds(state.params.block_interval_ms));
    vlog(fmt::format("committed block {} ({} transactions){}", c.block.header.height, c.block.txs.size(),
                     synced ? " from a peer" : ""));
  }

  void start_next() {
    waiting_start = false;
    height_started = Clock::now();
    handle(engine->start_height(state.height, current_set));
  }

  // ---- peers -------------------------------------------------------------------

  void on_connect(const net::PeerInfo& p) {
    log("peer " + p.key_id + " (" + p.label + ") connected");
    links = net->status();
    net->send(p.x25519, encode_status(Status{state.height, state.head}));
    for (const auto& m : height_log) net->send(p.x25519, m);
  }

  void on_message(const net::PeerInfo& from, const Bytes& m) {
    switch (message_type(m)) {
      case MsgType::consensus:
        return on_consensus(from, m);
      case MsgType::txs: {
        // Checked on the admission thread, outside the lock (admission.h).
        PeerBatch b{"peer " + from.key_id, m, {}};
        b.txs = decode_txs(b.message);
        if (!admission->push(std::move(b))) vlog("admission queue full: dropped a batch from " + from.key_id);
        return;
      }
      case MsgType::status: {
        Status s = decode_status(m);
        if (Peer* p = peer_of(from)) p->next_height = s.next_height;
        if (s.next_height > state.height) request_sync(from);
        return;
      }
      case MsgType::get_blocks:
        return serve_blocks(from, decode_get_blocks(m));
      case MsgType::block:
        return on_block(from, decode_block(m));
    }
  }

  void on_consensus(const net::PeerInfo& from, const Bytes& m) {
    Hash h = hash_bytes(m);
    if (seen.count(h)) return;
    if (seen.size() > 200000) seen.clear();
    seen.insert(h);
    C::Message cm = C::decode(m.data() + 1, m.size() - 1);
    uint64_t mh = cm.vote ? cm.vote->height : cm.proposal->header.height;
    if (mh < state.height) return;  // a laggard's message; it syncs from our status
    if (mh > state.height) request_sync(from);
    const C::Vote& signed_part = cm.vote ? *cm.vote : cm.proposal->header;
    if (mh == state.height && current_set.contains(signed_part.validator) &&
        signed_part.verify(state.chain)) {
      // Gossip: pass it on once, so a link that is down between two members
      // does not stop their messages (only messages whose signature holds).
      std::string s(m.begin(), m.end());
      for (const auto& ps : net->status())
        if (ps.established && ps.info.x25519 != from.x25519) net->send(ps.info.x25519, s);
      if (cm.proposal) watch_proposal(*cm.proposal);
      remember(std::move(s), false);
    }
    handle(engine->on_message(cm));
  }

  /// A producer that signs two different blocks for one height is caught by
  /// the ledger's evidence.double_sign rule (hc-formats(5)): the two signed
  /// headers go on the chain, and the producer leaves the schedule.
  void watch_proposal(const C::Proposal& p) {
    if (!p.header.verify(state.chain)) return;
    auto [it, fresh] = first_proposal.emplace(p.header.validator, p);
    if (fresh || it->second.value.id == p.value.id || evidenced.count(p.header.validator)) return;
    try {
      auto parse = [](const C::Value& v) {
        return L::Block::parse(std::string_view(reinterpret_cast<const char*>(v.data.data()), v.data.size()),
                               "proposal", 0, 1);
      };
      L::Block a = parse(it->second.value), b = parse(p.value);
      auto m = state.members.find(a.header.producer);
      if (m == state.members.end() || m->second.pk != p.header.validator) return;  // re-proposal of another's block
      if (b.header.producer != a.header.producer || a.header.height != b.header.height || a.hash() == b.hash()) return;
      if (!crypto::ed25519_verify(m->second.pk, a.header.signing_input(), a.sig) ||
          !crypto::ed25519_verify(m->second.pk, b.header.signing_input(), b.sig))
        return;
      if (state.banned.count(a.header.producer)) return;
      evidenced.insert(p.header.validator);
      ++header_evidence;
      Value data = {{"a", L::SignedHeader{a.header, a.sig}.to_json()}, {"b", L::SignedHeader{b.header, b.sig}.to_json()}};
      L::Tx tx = L::make_tx(key, state.chain, "evidence.double_sign", data, wall_now());
      log(fmt::format("evidence: producer {} signed two blocks at height {}; submitted as transaction {}",
                      a.header.producer, a.header.height, L::to_hex(tx.id)));
      recent_evidence.push_back(fmt::format("{} block h{}", a.header.producer, a.header.height));
      if (recent_evidence.size() > 16) recent_evidence.pop_front();
      admit(std::move(tx));
    } catch (const Error& e) {
      vlog("conflicting proposals, no evidence: " + e.describe());
    }
  }

  void request_sync(const net::PeerInfo& from) {
    auto now = Clock::now();
    if (state.height < sync_until && now - sync_requested < std::chrono::seconds(2)) return;
    sync_requested = now;
    sync_until = state.height + 16;
    net->send(from.x25519, encode_get_blocks(GetBlocks{state.height, 16}));
  }

  void serve_blocks(const net::PeerInfo& to, const GetBlocks& g) {
    size_t bytes = 0;
    for (uint64_t h = g.from; h < g.from + g.count && h < state.height && bytes < (32u << 20); ++h) {
      auto cert = load_certificate(h);
      auto b = ledger->block(h);
      if (!cert || !b) break;
      std::string msg = encode_block(BlockMsg{*cert, b->to_line()});
      bytes += msg.size();
      if (!net->send(to.x25519, msg)) break;
    }
  }

  void on_block(const net::PeerInfo& from, const BlockMsg& bm) {
    Certificate cert = decode_certificate(bm.certificate.data(), bm.certificate.size());
    if (cert.height != state.height) return;  // not the next one (a duplicate or out of order)
    L::Block b = L::Block::parse(bm.block, "block from " + from.key_id, 0, 1);
    check_certificate(cert, current_set, state.chain, state.height, b.hash());
    L::Checked c = ledger->validate(std::move(b), 2, verified_fn());
    store_certificate(cert);
    ledger->commit(c);
    ++synced_blocks;
    after_commit(c, true);
    if (state.height >= sync_until) {
      if (Peer* p = peer_of(from); p && p->next_height > state.height) {
        sync_requested = {};
        request_sync(from);
      }
    }
  }

  // ---- transactions ------------------------------------------------------------

  /// Admits a transaction whose signature was checked: rules that do not
  /// need a block (chain, size, time, not yet on the chain), then the mempool
  /// and the relay queue. Error{invalid} / Error{temp}.
  enum class Admit { added, pending, committed };
  Admit admit(L::Tx tx) {
    if (tx.chain != state.chain) throw Error(Exit::invalid, "the transaction belongs to another chain").field("body.chain");
    if (tx.bytes.size() > state.params.max_tx_bytes)
      throw Error(Exit::invalid, fmt::format("the transaction is larger than {} bytes", state.params.max_tx_bytes));
    if (tx.time > wall_now() + int64_t(state.params.max_clock_skew_s))
      throw Error(Exit::invalid, "the transaction's time is in the future").field("body.time");
    if (mempool.contains(tx.id)) return Admit::pending;
    if (ledger->locate(tx.id)) return Admit::committed;
    std::string bytes = tx.bytes;
    switch (mempool.add(std::move(tx))) {
      case Mempool::Added::full:
        throw Error(Exit::temp, "the mempool is full").hint("try again after the next blocks");
      case Mempool::Added::duplicate:
        return Admit::pending;
      case Mempool::Added::added:
        relay.push_back(std::move(bytes));
        return Admit::added;
    }
    return Admit::added;
  }

  /// Admits a batch of transaction texts in the three steps of
  /// lib/node/admission.h; called WITHOUT the lock, from an HTTP thread or
  /// the admission thread. A peer's transactions are canonical, so their ID
  /// (the hash of the text) is known before parsing and a duplicate costs one
  /// hash. `results` (one per text) for HTTP requests; a peer's bad
  /// transaction is dropped and counted.
  void admit_texts(const std::vector<std::string_view>& texts, bool from_peer, const std::string& source,
                   std::vector<SubmitResult>* results) {
    size_t n = texts.size();
    std::vector<std::optional<L::Tx>> txs(n);
    std::vector<Hash> ids(n);
    enum class Todo : uint8_t { skip, check, admit };
    std::vector<Todo> todo(n, Todo::skip);
    auto fail = [&](size_t i, const Error& e) {
      if (results) {
        (*results)[i].error = e.describe();
        (*results)[i].exit = int(e.code());
        (*results)[i].status.clear();
      } else {
        ++rejected_txs;
        vlog("transaction from " + source + " refused: " + e.describe());
      }
    };
    if (results) results->assign(n, SubmitResult{});
    std::vector<bool> parsed(n, false);
    for (size_t i = 0; i < n; ++i) {
      if (from_peer) {
        ids[i] = crypto::sha256(texts[i]);
        continue;
      }
      try {
        txs[i] = L::parse_tx(texts[i], source, results ? i + 1 : 0, false);
        ids[i] = txs[i]->id;
        parsed[i] = true;
      } catch (const Error& e) {
        std::lock_guard lk(mu);
        fail(i, e);
      }
    }
    // 1. Under the lock: drop the known ones, claim the others.
    {
      std::lock_guard lk(mu);
      for (size_t i = 0; i < n; ++i) {
        if (!from_peer && !parsed[i]) continue;
        if (results) (*results)[i].tx_id = L::to_hex(ids[i]);
        if (mempool.contains(ids[i]) || claimed.count(ids[i])) {
          if (results) (*results)[i].status = "pending";
          continue;
        }
        if (auto loc = ledger->locate(ids[i])) {
          if (results) {
            (*results)[i].status = "committed";
            (*results)[i].height = loc->height;
          }
          continue;
        }
        todo[i] = verified.count(ids[i]) ? Todo::admit : Todo::check;
        claimed.insert(ids[i]);
      }
    }
    // 2 and 3, in slices of 8: without the lock, parse a peer's text
    // strictly and check the signatures; then under the lock admit the
    // slice and release its claims. A checked transaction thus reaches the
    // mempool (where valid() sees it) within one slice, and one that a
    // proposal checked or a commit covered meanwhile is not checked here.
    constexpr size_t k_slice = 8;
    std::vector<std::optional<Error>> errors(n);
    for (size_t from = 0; from < n; from += k_slice) {
      size_t to = std::min(n, from + k_slice);
      if (from > 0) {
        std::lock_guard lk(mu);
        for (size_t i = from; i < to; ++i)
          if (todo[i] == Todo::check && (verified.count(ids[i]) || ledger->locate(ids[i])))
            todo[i] = Todo::admit;  // admit() finds it pending or committed
      }
      for (size_t i = from; i < to; ++i) {
        if (todo[i] == Todo::skip) continue;
        try {
          if (from_peer) txs[i] = L::parse_tx(texts[i], source, 0, true);
          if (todo[i] == Todo::check) {
            ++signature_checks;
            if (!txs[i]->signature_valid())
              throw Error(Exit::invalid, "the transaction's signature does not verify").field("sig");
          }
        } catch (const Error& e) {
          errors[i] = e;
        }
      }
      std::lock_guard lk(mu);
      for (size_t i = from; i < to; ++i) {
        if (todo[i] == Todo::skip) continue;
        claimed.erase(ids[i]);
        try {
          if (errors[i]) throw *errors[i];
          auto r = admit(std::move(*txs[i]));
          if (results) (*results)[i].status = r == Admit::committed ? "committed" : "pending";
        } catch (const Error& e) {
          fail(i, e);
        }
      }
    }
  }

  void flush_relay() {
    size_t at = 0;
    while (at < relay.size()) {
      std::vector<std::string_view> part;
      size_t bytes = 0;
      while (at < relay.size() && part.size() < k_max_txs_per_msg && bytes < (1u << 20)) {
        bytes += relay[at].size();
        part.push_back(relay[at++]);
      }
      net->broadcast(encode_txs(part));
    }
    relay.clear();
  }

  // ---- the loop ----------------------------------------------------------------

  bool linked(const crypto::X25519Public& x) const {
    for (const auto& l : links)
      if (l.established && l.info.x25519 == x) return true;
    return false;
  }

  void housekeeping() {
    auto now = Clock::now();
    if (now - last_status < std::chrono::milliseconds(500)) return;
    last_status = now;
    links = net->status();
    net->broadcast(encode_status(Status{state.height, state.head}));
    std::set<std::string> dialling;
    for (const auto& s : net->status())
      if (!s.established) dialling.insert(s.address);
    for (auto& p : peers) {
      if (!p.address || net->connected(p.pub.x25519) || dialling.count(p.address->to_string())) continue;
      if (now - p.last_dial < std::chrono::seconds(1)) continue;
      p.last_dial = now;
      try {
        net->connect(p.address->host, p.address->port, p.pub.x25519);
      } catch (const Error& e) {
        vlog("dialling " + p.pub.key_id + ": " + e.describe());
      }
    }
  }

  void loop_turn() {
    std::lock_guard lk(mu);
    if (links_dirty.exchange(false)) links = net->status();
    auto now = Clock::now();
    if (waiting_start && now >= start_at) start_next();
    while (!timers.empty() && timers.begin()->first <= now) {
      C::TimeoutEvent ev = timers.begin()->second;
      timers.erase(timers.begin());
      if (!waiting_start && ev.height == engine->height()) handle(engine->on_timeout(ev));
    }
    housekeeping();
    flush_relay();
  }

  int wait_ms() {
    std::lock_guard lk(mu);
    auto now = Clock::now();
    auto next = now + std::chrono::milliseconds(50);
    if (!timers.empty()) next = std::min(next, timers.begin()->first);
    if (waiting_start) next = std::min(next, start_at);
    if (!relay.empty()) return 0;
    return int(std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count()));
  }
};

Node::Node(Config config, keys::SecretKey key, NodeOptions options)
    : m(std::make_unique<Impl>(std::move(config), std::move(key), std::move(options))) {
  m->open();
}

Node::~Node() = default;

uint16_t Node::p2p_port() const { return m->port; }

void Node::run(const std::atomic<bool>& stop) {
  {
    std::lock_guard lk(m->mu);
    m->start_at = Clock::now();
    m->last_commit = Clock::now();
  }
  while (!stop.load()) {
    m->net->run_once(m->wait_ms());
    m->loop_turn();
  }
}

json::Value Node::submit(std::string_view text) {
  L::Tx tx = L::parse_tx(text, "request", 0, false);
  {
    std::lock_guard lk(m->mu);
    if (tx.chain == m->state.chain) {
      if (m->mempool.contains(tx.id)) return Value{{"tx_id", L::to_hex(tx.id)}, {"status", "pending"}};
      if (auto loc = m->ledger->locate(tx.id))
        return Value{{"tx_id", L::to_hex(tx.id)}, {"status", "committed"}, {"height", loc->height}};
    }
  }
  // The one signature check of this transaction on this node, outside the lock.
  ++m->signature_checks;
  if (!tx.signature_valid()) throw Error(Exit::invalid, "the transaction's signature does not verify").field("sig");
  std::lock_guard lk(m->mu);
  std::string id = L::to_hex(tx.id);
  auto r = m->admit(std::move(tx));
  return Value{{"tx_id", id}, {"status", r == Impl::Admit::committed ? "committed" : "pending"}};
}

std::vector<SubmitResult> Node::submit_batch(const std::vector<std::string_view>& texts) {
  std::vector<SubmitResult> out;
  m->admit_texts(texts, false, "request", &out);
  return out;
}

std::optional<json::Value> Node::tx_status(std::string_view id_hex) {
  L::Hash id = L::hash_from_hex(id_hex, "tx_id");
  std::lock_guard lk(m->mu);
  if (auto loc = m->ledger->locate(id))
    return Value{{"tx_id", std::string(id_hex)}, {"status", "committed"}, {"height", loc->height}, {"index", loc->index}};
  if (m->mempool.contains(id)) return Value{{"tx_id", std::string(id_hex)}, {"status", "pending"}};
  return std::nullopt;
}

std::optional<json::Value> Node::block(uint64_t height) {
  std::lock_guard lk(m->mu);
  auto b = m->ledger->block(height);
  if (!b) return std::nullopt;
  Value out = {{"block", b->to_json()}};
  if (auto c = m->load_certificate(height)) {
    Certificate cert = decode_certificate(c->data(), c->size());
    Value signers = Value::array();
    for (const auto& v : cert.precommits) signers.push_back(keys::key_id(v.validator));
    out["commit"] = {{"round", cert.round}, {"signers", signers}};
  }
  return out;
}

std::optional<std::vector<std::string>> Node::block_tx_ids(uint64_t height) {
  std::lock_guard lk(m->mu);
  auto b = m->ledger->block(height);
  if (!b) return std::nullopt;
  std::vector<std::string> ids;
  ids.reserve(b->txs.size());
  for (const auto& t : b->txs) ids.push_back(L::to_hex(t.id));
  return ids;
}

void Node::query(const ledger::Query& q, const std::function<void(const json::Value&)>& out) {
  std::lock_guard lk(m->mu);
  m->ledger->query(q, out);
}

json::Value Node::status() {
  std::lock_guard lk(m->mu);
  const L::State& s = m->state;
  Value peers = Value::array();
  const auto& links = m->links;
  for (const auto& p : m->peers) {
    Value e = {{"key_id", p.pub.key_id}, {"label", p.pub.label}, {"connected", m->linked(p.pub.x25519)},
               {"next_height", p.next_height}};
    if (p.address) e["address"] = p.address->to_string();
    for (const auto& l : links)
      if (l.established && l.info.x25519 == p.pub.x25519) {
        e["buffered"] = l.buffered;
        e["messages_in"] = l.messages_in;
        e["messages_out"] = l.messages_out;
      }
    peers.push_back(e);
  }
  Value delegates = Value::array();
  for (const auto& d : s.delegates) delegates.push_back(d);
  Value banned = Value::array();
  for (const auto& d : s.banned) banned.push_back(d);
  Value evidence = Value::array();
  for (const auto& e : m->recent_evidence) evidence.push_back(e);
  return Value{{"key_id", m->key.pub.key_id},
               {"label", m->key.pub.label},
               {"chain", s.chain},
               {"height", s.height - 1},
               {"head", L::to_hex(s.head)},
               {"tx_count", s.tx_count},
               {"consensus",
                {{"height", m->engine->height()},
                 {"round", m->engine->round()},
                 {"step", C::step_name(m->engine->step())},
                 {"last_decided_round", m->decided_round}}},
               {"mempool", {{"txs", m->mempool.size()}, {"bytes", m->mempool.bytes()}}},
               {"delegates", delegates},
               {"dpos", m->view->status()},
               {"banned", banned},
               {"blocks", {{"decided", m->decided_blocks}, {"synced", m->synced_blocks}}},
               {"rejected_txs", m->rejected_txs},
               {"signature_checks", m->signature_checks.load() + m->block_signature_checks.load()},
               {"signature_checks_in_blocks", m->block_signature_checks.load()},
               {"evidence", {{"votes", m->vote_evidence}, {"blocks", m->header_evidence}, {"recent", evidence}}},
               {"p2p_port", m->port},
               {"peers", peers}};
}

json::Value Node::read_ledger(const std::function<json::Value(ledger::Ledger&)>& fn) {
  std::lock_guard lk(m->mu);
  return fn(*m->ledger);
}

json::Value Node::health() {
  std::lock_guard lk(m->mu);
  size_t up = 0;
  for (const auto& p : m->peers) up += m->linked(p.pub.x25519) ? 1 : 0;
  auto age = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m->last_commit).count();
  return Value{{"ok", true}, {"height", m->state.height - 1}, {"peers", up}, {"last_commit_ms_ago", age}};
}

}  // namespace hc::node

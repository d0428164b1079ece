// A simulated network of validators around consensus::Engine: a virtual
// clock, per-message random delays (reordering), duplication, gossip relay,
// crashes that lose in-flight messages, restarts from the durable guard, and
// a Byzantine validator that double-signs. Deterministic for a given seed.
#pragma once

#include <hc/consensus/dpos.h>
#include <hc/consensus/engine.h>
#include <hc/core/error.h>

#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>

namespace hc::consensus::sim {

inline crypto::SecretBytes seed_of(int i) {
  crypto::SecretBytes s(32, 0);
  s[0] = uint8_t(i + 1);
  s[31] = 0x5a;
  return s;
}

/// A block in the simulation: height, proposer, evidence to apply.
inline Value make_value(uint64_t height, const PublicKey& proposer, const std::vector<DoubleSign>& evidence,
                        uint64_t salt = 0) {
  Bytes d;
  for (int i = 7; i >= 0; --i) d.push_back(uint8_t(height >> (8 * i)));
  for (int i = 7; i >= 0; --i) d.push_back(uint8_t(salt >> (8 * i)));
  d.insert(d.end(), proposer.begin(), proposer.end());
  for (const auto& ev : evidence) {
    Bytes e = encode(ev);
    for (int i = 3; i >= 0; --i) d.push_back(uint8_t(e.size() >> (8 * i)));
    d.insert(d.end(), e.begin(), e.end());
  }
  return Value{crypto::sha256(d.data(), d.size()), d};
}

/// Evidence carried by a block (throws Error on malformed data).
inline std::vector<DoubleSign> block_evidence(const Value& v) {
  std::vector<DoubleSign> out;
  const Bytes& d = v.data;
  if (d.size() < 48) throw Error(Exit::data, "short block");
  size_t pos = 48;
  while (pos < d.size()) {
    if (d.size() - pos < 4) throw Error(Exit::data, "bad block");
    size_t len = (size_t(d[pos]) << 24) | (size_t(d[pos + 1]) << 16) | (size_t(d[pos + 2]) << 8) | d[pos + 3];
    pos += 4;
    if (d.size() - pos < len) throw Error(Exit::data, "bad block");
    out.push_back(decode_evidence(d.data() + pos, len));
    pos += len;
  }
  return out;
}

struct Options {
  uint64_t seed = 1;
  uint64_t min_delay_ms = 1, max_delay_ms = 40;
  double duplicate = 0.0;  ///< probability a delivery happens twice
  int byzantine = -1;      ///< index of the double-signing validator
  bool relay = true;       ///< honest nodes gossip what they receive
};

class Network {
 public:
  struct Node {
    int index = 0;
    crypto::SecretBytes seed;
    PublicKey key{};
    MemorySafetyStore store;
    std::unique_ptr<SafetyGuard> guard;
    std::unique_ptr<Engine> engine;
    std::unique_ptr<Dpos> dpos;
    std::optional<ValidatorSet> epoch_set;
    uint64_t epoch = UINT64_MAX;
    bool up = true;
    std::map<uint64_t, Value> decided;
    std::vector<DoubleSign> evidence_found, pending;
    std::set<Hash> seen;  // gossip dedupe
    std::map<uint64_t, Decision> certs;           // commit certificates, for laggards
    std::set<std::pair<int, uint64_t>> served;    // (peer, height) certificates sent
    std::vector<Message> own;                     // this height's own messages
  };

  Network(int n, Options o, DposGenesis genesis, std::string chain_id = "sim-chain")
      : m_opt(o), m_rng(o.seed), m_genesis(std::move(genesis)), m_chain(std::move(chain_id)) {
    for (int i = 0; i < n; ++i) {
      auto node = std::make_unique<Node>();
      node->index = i;
      node->seed = seed_of(i);
      node->key = crypto::ed25519_public(node->seed);
      m_nodes.push_back(std::move(node));
    }
  }

  /// A genesis where the first `n` seeds are members with equal stake, each
  /// voting for every candidate; N = delegates.
  static DposGenesis genesis(int candidates, uint32_t delegates) {
    DposGenesis g;
    g.params.delegates = delegates;
    g.params.max_votes = uint32_t(candidates);
    std::vector<PublicKey> all;
    for (int i = 0; i < candidates; ++i) {
      auto k = crypto::ed25519_public(seed_of(i));
      all.push_back(k);
      g.candidates.push_back(DposCandidate{k, uint32_t(10000 - i), false});  // distinct weights: stable order
      g.members.push_back(DposMember{k, 100});
    }
    for (auto& k : all) g.votes[k] = all;
    return g;
  }

  Node& node(int i) { return *m_nodes[size_t(i)]; }
  int size() const { return int(m_nodes.size()); }
  uint64_t now() const { return m_now; }

  void start_all(uint64_t height = 1) {
    for (auto& n : m_nodes) boot(*n, height);
  }

  /// Crash: the node stops, and what it had not yet delivered is lost.
  void crash(int i) {
    node(i).up = false;
    m_lost.insert(i);
  }
  /// Restart from the durable guard: a fresh engine at `height`.
  void restart(int i, uint64_t height) {
    node(i).up = true;
    m_lost.erase(i);
    boot(node(i), height);
    // Peers exchange their vote state on (re)connection, as Tendermint's
    // gossip does: each up node re-sends its own messages of its height.
    for (auto& n : m_nodes) {
      n->served.erase(n->served.lower_bound({i, 0}), n->served.upper_bound({i, UINT64_MAX}));
      if (n->index == i || !n->up) continue;
      for (auto& m : n->own) deliver(n->index, i, m);
    }
  }

  /// Runs until the virtual clock reaches `until_ms` or `stop()` is true.
  template <class F>
  bool run(uint64_t until_ms, F stop) {
    while (!m_events.empty()) {
      if (stop()) return true;
      Event e = m_events.top();
      if (e.time > until_ms) break;
      m_events.pop();
      m_now = e.time;
      Node& n = node(e.to);
      if (!n.up || !n.engine) continue;
      if (e.kind == Event::message && m_lost.count(e.from)) continue;
      if (e.kind == Event::timer) {
        handle(n, n.engine->on_timeout(e.timeout));
      } else {
        catch_up(n, e.from, e.msg);
        Hash h = hash_of(e.msg);
        bool fresh = n.seen.insert(h).second;
        if (fresh && m_opt.relay && n.index != m_opt.byzantine) send_all(n, e.msg);
        handle(n, n.engine->on_message(e.msg));
      }
    }
    m_now = std::max(m_now, until_ms);
    return stop();
  }

  /// Every height decided by two nodes has one value (safety).
  bool agree() const {
    std::map<uint64_t, Hash> first;
    for (auto& n : m_nodes) {
      if (n->index == m_opt.byzantine) continue;
      for (auto& [h, v] : n->decided) {
        auto [it, fresh] = first.emplace(h, v.id);
        if (!fresh && it->second != v.id) return false;
      }
    }
    return true;
  }
  uint64_t min_decided(const std::vector<int>& who) const {
    uint64_t m = UINT64_MAX;
    for (int i : who) m = std::min<uint64_t>(m, m_nodes[size_t(i)]->decided.size());
    return m;
  }
  const std::string& chain() const { return m_chain; }

 private:
  struct Event {
    enum Kind { message, timer } kind = message;
    uint64_t time = 0, seq = 0;
    int to = 0, from = 0;
    Message msg;
    TimeoutEvent timeout;
    bool operator<(const Event& o) const { return std::tie(time, seq) > std::tie(o.time, o.seq); }
  };

  static Hash hash_of(const Message& m) {
    Bytes b = m.vote ? encode(*m.vote) : encode(*m.proposal);
    return crypto::sha256(b.data(), b.size());
  }

  /// A peer still at a height this node has decided gets the commit
  /// certificate (the proposal and its precommits), once.
  void catch_up(Node& n, int from, const Message& m) {
    uint64_t h = m.vote ? m.vote->height : m.proposal->header.height;
    auto it = n.certs.find(h);
    if (from == n.index || it == n.certs.end() || !n.served.insert({from, h}).second) return;
    const Decision& d = it->second;
    deliver(n.index, from, Message{std::nullopt, Proposal{d.proposal, d.value}});
    for (auto& v : d.commit) deliver(n.index, from, Message{v, std::nullopt});
  }

  void boot(Node& n, uint64_t height) {
    n.dpos = std::make_unique<Dpos>(m_genesis);
    n.epoch = UINT64_MAX;
    // Replay decided blocks into DPoS so a restarted node has the same state.
    for (auto& [h, v] : n.decided) apply_block(n, h, v, std::nullopt);
    n.guard = std::make_unique<SafetyGuard>(n.store);
    EngineConfig cfg{m_chain, Timeouts{}, 64, 4096};
    Node* np = &n;
    n.engine = std::make_unique<Engine>(
        cfg, n.seed, *n.guard,
        [this, np](uint64_t h) { return make_value(h, np->key, np->pending); },
        [this](uint64_t h, const Value& v) {
          if (crypto::sha256(v.data.data(), v.data.size()) != v.id || v.data.size() < 48) return false;
          uint64_t vh = 0;
          for (int i = 0; i < 8; ++i) vh = (vh << 8) | v.data[size_t(i)];
          if (vh != h) return false;
          try {
            for (auto& ev : block_evidence(v)) check(ev, m_chain);
          } catch (const Error&) {
            return false;
          }
          return true;
        });
    enter(n, height);
  }

  ValidatorSet set_for(Node& n, uint64_t height) {
    uint64_t e = n.dpos->epoch_of(height);
    if (e != n.epoch) {
      n.epoch_set = n.dpos->schedule(e);
      n.epoch = e;
    }
    return *n.epoch_set;
  }

  void enter(Node& n, uint64_t height) {
    n.own.clear();
    handle(n, n.engine->start_height(height, set_for(n, height)));
  }

  void apply_block(Node& n, uint64_t h, const Value& v, std::optional<uint32_t> round) {
    // Reputation: the slot owner produced the block or missed its slot.
    ValidatorSet s = set_for(n, h);
    if (round) n.dpos->slot_result(s.proposer(h, 0), s.proposer(h, *round) == s.proposer(h, 0));
    for (auto& ev : block_evidence(v)) {
      n.dpos->remove(ev, m_chain);
      std::erase_if(n.pending, [&](const DoubleSign& p) { return p.a.validator == ev.a.validator; });
    }
  }

  void send_all(Node& from, const Message& m) {
    for (auto& to : m_nodes) {
      if (to.get() == &from) continue;
      int copies = 1 + (m_opt.duplicate > 0 && std::bernoulli_distribution(m_opt.duplicate)(m_rng) ? 1 : 0);
      for (int c = 0; c < copies; ++c) deliver(from.index, to->index, m);
    }
  }

  void deliver(int from, int to, const Message& m) {
    std::uniform_int_distribution<uint64_t> d(m_opt.min_delay_ms, m_opt.max_delay_ms);
    Event e;
    e.kind = Event::message;
    e.time = m_now + d(m_rng);
    e.seq = m_seq++;
    e.to = to;
    e.from = from;
    e.msg = m;
    m_events.push(std::move(e));
  }

  /// The Byzantine validator: whatever its engine signs, it also signs a
  /// conflicting message for the same slot and sends each version to a
  /// different half of the network.
  void equivocate(Node& n, const Message& honest) {
    Message other = honest;
    Vote& h = other.vote ? *other.vote : other.proposal->header;
    if (other.proposal) {
      other.proposal->value = make_value(h.height, n.key, {}, 0xbad);
      h.value = other.proposal->value.id;
      h.valid_round = -1;
    } else {
      Hash fake = crypto::sha256("fake block " + std::to_string(h.height) + "/" + std::to_string(h.round));
      h.value = h.value ? std::nullopt : std::optional<Hash>(fake);
    }
    h.signature = crypto::ed25519_sign(n.seed, h.sign_bytes(m_chain));
    for (auto& to : m_nodes) {
      if (to.get() == &n) continue;
      deliver(n.index, to->index, to->index % 2 == 0 ? honest : other);
    }
  }

  void handle(Node& n, Outputs outs) {
    for (auto& o : outs) {
      if (auto* v = std::get_if<Vote>(&o)) {
        Message m{*v, std::nullopt};
        n.own.push_back(m);
        if (n.index == m_opt.byzantine) equivocate(n, m);
        else send_all(n, m);
      } else if (auto* p = std::get_if<Proposal>(&o)) {
        Message m{std::nullopt, *p};
        n.own.push_back(m);
        if (n.index == m_opt.byzantine) equivocate(n, m);
        else send_all(n, m);
      } else if (auto* t = std::get_if<ScheduleTimeout>(&o)) {
        Event e;
        e.kind = Event::timer;
        e.time = m_now + t->delay_ms;
        e.seq = m_seq++;
        e.to = e.from = n.index;
        e.timeout = t->event;
        m_events.push(std::move(e));
      } else if (auto* d = std::get_if<Decision>(&o)) {
        n.decided[d->height] = d->value;
        n.certs[d->height] = *d;
        apply_block(n, d->height, d->value, d->round);
        uint64_t next = d->height + 1;
        enter(n, next);
        return;  // outputs after a decision belong to the old height
      } else if (auto* ev = std::get_if<DoubleSign>(&o)) {
        n.evidence_found.push_back(*ev);
        bool have = false;
        for (auto& q : n.pending) have |= q.a.validator == ev->a.validator;
        auto* c = n.dpos->candidate(ev->a.validator);
        if (!have && c && !c->removed) n.pending.push_back(*ev);
      }
    }
  }

  Options m_opt;
  std::mt19937_64 m_rng;
  DposGenesis m_genesis;
  std::string m_chain;
  std::vector<std::unique_ptr<Node>> m_nodes;
  std::priority_queue<Event> m_events;
  std::set<int> m_lost;
  uint64_t m_now = 0, m_seq = 0;
};

}  // namespace hc::consensus::sim

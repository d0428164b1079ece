// Tendermint, Algorithm 1 (arXiv:1807.04938). Every rule is tried after every
// input until none applies; "for the first time" flags live in RoundState.
#include <hc/consensus/engine.h>

#include <hc/core/error.h>

namespace hc::consensus {

Engine::Engine(EngineConfig config, crypto::SecretBytes ed25519_seed, SafetyGuard& guard, GetValue get_value,
               IsValid is_valid)
    : m_config(std::move(config)),
      m_seed(std::move(ed25519_seed)),
      m_key(crypto::ed25519_public(m_seed)),
      m_guard(guard),
      m_get_value(std::move(get_value)),
      m_is_valid(std::move(is_valid)) {}

Outputs Engine::start_height(uint64_t height, ValidatorSet validators) {
  if (m_started && height <= m_height) throw Error(Exit::internal, "consensus: heights only move forward");
  m_out.clear();
  m_started = true;
  m_height = height;
  m_set = std::move(validators);
  m_decided = false;
  // L54: reset the locks for the new height.
  m_locked_value.reset();
  m_valid_value.reset();
  m_locked_round = m_valid_round = -1;
  m_rounds.clear();
  m_valid_cache.clear();
  m_evidenced.clear();
  start_round(0);
  std::vector<Message> replay;
  replay.swap(m_buffered);
  for (auto& m : replay) {
    if (m.proposal && m.proposal->header.height == height) ingest_proposal(*m.proposal, false);
    if (m.vote && m.vote->height == height) ingest_vote(*m.vote, false);
  }
  evaluate();
  return std::move(m_out);
}

Outputs Engine::on_message(const Message& m) {
  if (m.proposal) return on_proposal(*m.proposal);
  if (m.vote) return on_vote(*m.vote);
  return {};
}

bool Engine::buffer_or_drop(uint64_t height, const Message& m) {
  if (m_started && height == m_height && !m_decided) return false;  // current: process
  bool next = !m_started || height == m_height + 1 || (m_decided && height == m_height + 1);
  if (next && m_buffered.size() < m_config.max_buffered) m_buffered.push_back(m);
  return true;
}

Outputs Engine::on_proposal(const Proposal& p) {
  m_out.clear();
  if (buffer_or_drop(p.header.height, Message{std::nullopt, p})) return {};
  ingest_proposal(p, false);
  evaluate();
  return std::move(m_out);
}

Outputs Engine::on_vote(const Vote& v) {
  m_out.clear();
  if (buffer_or_drop(v.height, Message{v, std::nullopt})) return {};
  ingest_vote(v, false);
  evaluate();
  return std::move(m_out);
}

void Engine::report_evidence(const Vote& a, const Vote& b) {
  auto slot = std::make_tuple(a.validator, a.round, uint8_t(a.step));
  if (!m_evidenced.insert(slot).second) return;
  m_out.push_back(make_evidence(a, b, m_config.chain_id));
}

void Engine::ingest_proposal(const Proposal& p, bool own) {
  const Vote& h = p.header;
  if (h.step != Step::propose || !h.value || h.height != m_height) return;
  if (h.round > m_round + m_config.max_future_rounds) return;
  if (h.validator != m_set.proposer(m_height, h.round)) return;  // only the round's proposer
  if (p.value.id != *h.value) return;
  auto& rs = m_rounds[h.round];
  if (rs.proposal) {
    const Vote& old = rs.proposal->header;
    if (old.value == h.value) return;  // a duplicate, or the same value re-signed
    if (h.verify(m_config.chain_id)) report_evidence(old, h);
    return;
  }
  if (!own && !h.verify(m_config.chain_id)) return;
  rs.proposal = p;
}

void Engine::ingest_vote(const Vote& v, bool own) {
  if (v.step == Step::propose || v.height != m_height || v.valid_round != -1) return;
  if (v.round > m_round + m_config.max_future_rounds) return;
  if (!m_set.contains(v.validator)) return;
  auto& rs = m_rounds[v.round];
  auto& votes = v.step == Step::prevote ? rs.prevotes : rs.precommits;
  auto it = votes.find(v.validator);
  if (it != votes.end()) {
    for (const auto& old : it->second)
      if (old.value == v.value) return;  // a duplicate
    if (it->second.size() >= 2) return;  // one conflict is enough to convict and to count
    if (!v.verify(m_config.chain_id)) return;
    report_evidence(it->second.front(), v);
    it->second.push_back(v);
    return;
  }
  if (!own && !v.verify(m_config.chain_id)) return;
  votes[v.validator].push_back(v);
}

bool Engine::valid(const Value& v) {
  auto it = m_valid_cache.find(v.id);
  if (it != m_valid_cache.end()) return it->second;
  bool ok = v.data.size() <= k_max_value && m_is_valid(m_height, v);
  m_valid_cache.emplace(v.id, ok);
  return ok;
}

uint64_t Engine::weight_for(const VoteMap& votes, const std::optional<Hash>& value) const {
  uint64_t w = 0;
  for (const auto& [k, list] : votes)
    for (const auto& v : list)
      if (v.value == value) w += m_set.weight(k);
  return w;
}

uint64_t Engine::weight_any(const VoteMap& votes) const {
  uint64_t w = 0;
  for (const auto& [k, v] : votes) w += m_set.weight(k);
  return w;
}

uint64_t Engine::weight_round(uint32_t round) const {
  auto it = m_rounds.find(round);
  if (it == m_rounds.end()) return 0;
  std::set<PublicKey> who;
  if (it->second.proposal) who.insert(it->second.proposal->header.validator);
  for (const auto& [k, v] : it->second.prevotes) who.insert(k);
  for (const auto& [k, v] : it->second.precommits) who.insert(k);
  uint64_t w = 0;
  for (const auto& k : who) w += m_set.weight(k);
  return w;
}

void Engine::schedule(Step step, uint32_t round) {
  const auto& t = m_config.timeouts;
  uint64_t base = step == Step::propose ? t.propose_ms : step == Step::prevote ? t.prevote_ms : t.precommit_ms;
  uint64_t delta =
      step == Step::propose ? t.propose_delta_ms : step == Step::prevote ? t.prevote_delta_ms : t.precommit_delta_ms;
  m_out.push_back(ScheduleTimeout{TimeoutEvent{m_height, round, step}, base + delta * round});
}

void Engine::sign_and_send_vote(Step step, std::optional<Hash> value) {
  Vote v;
  v.step = step;
  v.height = m_height;
  v.round = m_round;
  v.value = value;
  v.validator = m_key;
  if (!m_set.contains(m_key)) return;  // not a validator at this height: observe only
  std::string bytes = v.sign_bytes(m_config.chain_id);
  // The guard makes (height, round, step) durable before the signature exists.
  if (!m_guard.permit(v.height, v.round, v.step, bytes)) return;
  v.signature = crypto::ed25519_sign(m_seed, bytes);
  m_out.push_back(v);
  ingest_vote(v, true);
}

// L11 StartRound(round)
void Engine::start_round(uint32_t round) {
  m_round = round;
  m_step = Step::propose;
  if (m_set.proposer(m_height, round) == m_key) {
    // L14-L19: re-propose the valid value if there is one, else a new one.
    Value value = m_valid_value ? *m_valid_value : m_get_value(m_height);
    Proposal p;
    p.header.step = Step::propose;
    p.header.height = m_height;
    p.header.round = round;
    p.header.value = value.id;
    p.header.valid_round = m_valid_value ? m_valid_round : -1;
    p.header.validator = m_key;
    p.value = std::move(value);
    std::string bytes = p.header.sign_bytes(m_config.chain_id);
    if (m_guard.permit(m_height, round, Step::propose, bytes)) {
      p.header.signature = crypto::ed25519_sign(m_seed, bytes);
      m_out.push_back(p);
      ingest_proposal(p, true);
      return;
    }
    // The guard refused (a restart after signing later steps): behave as a
    // proposer that is silent, so the round still ends by timeout.
  }
  schedule(Step::propose, round);  // L21
}

void Engine::evaluate() {
  while (!m_decided && step_rules()) {
  }
}

bool Engine::step_rules() {
  // L49: a proposal with > 2/3 precommits for it, in any round, is decided.
  for (auto& [r, rs] : m_rounds) {
    if (!rs.proposal) continue;
    const Value& v = rs.proposal->value;
    if (m_set.quorum(weight_for(rs.precommits, v.id)) && valid(v)) {
      Decision d{m_height, r, v, rs.proposal->header, {}};
      for (const auto& [k, list] : rs.precommits)
        for (const auto& vote : list)
          if (vote.value == v.id) d.commit.push_back(vote);
      m_decided = true;
      m_out.push_back(std::move(d));
      return false;
    }
  }
  // L55: > 1/3 of the weight is already in a later round: join it.
  for (auto it = m_rounds.upper_bound(m_round); it != m_rounds.end(); ++it) {
    if (m_set.one_honest(weight_round(it->first))) {
      start_round(it->first);
      return true;
    }
  }
  RoundState& cur = m_rounds[m_round];
  if (m_step == Step::propose && cur.proposal) {
    const Proposal& p = *cur.proposal;
    int32_t vr = p.header.valid_round;
    if (vr == -1) {
      // L22
      bool ok = valid(p.value) && (m_locked_round == -1 || (m_locked_value && m_locked_value->id == p.value.id));
      m_step = Step::prevote;
      sign_and_send_vote(Step::prevote, ok ? std::optional<Hash>(p.value.id) : std::nullopt);
      return true;
    }
    if (vr >= 0 && uint32_t(vr) < m_round) {
      auto old = m_rounds.find(uint32_t(vr));
      if (old != m_rounds.end() && m_set.quorum(weight_for(old->second.prevotes, p.value.id))) {
        // L28
        bool ok = valid(p.value) &&
                  (m_locked_round <= vr || (m_locked_value && m_locked_value->id == p.value.id));
        m_step = Step::prevote;
        sign_and_send_vote(Step::prevote, ok ? std::optional<Hash>(p.value.id) : std::nullopt);
        return true;
      }
    }
  }
  // L34: > 2/3 prevotes of any kind: start the prevote timer, once.
  if (m_step == Step::prevote && !cur.prevote_timer && m_set.quorum(weight_any(cur.prevotes))) {
    cur.prevote_timer = true;
    schedule(Step::prevote, m_round);
    return true;
  }
  // L36: > 2/3 prevotes for the proposal: lock (if still prevoting) and precommit.
  if (m_step != Step::propose && !cur.l36_done && cur.proposal &&
      m_set.quorum(weight_for(cur.prevotes, cur.proposal->value.id)) && valid(cur.proposal->value)) {
    cur.l36_done = true;
    const Value& v = cur.proposal->value;
    if (m_step == Step::prevote) {
      m_locked_value = v;
      m_locked_round = int32_t(m_round);
      m_step = Step::precommit;
      sign_and_send_vote(Step::precommit, v.id);
    }
    m_valid_value = v;
    m_valid_round = int32_t(m_round);
    return true;
  }
  // L44: > 2/3 prevotes for nil.
  if (m_step == Step::prevote && m_set.quorum(weight_for(cur.prevotes, std::nullopt))) {
    m_step = Step::precommit;
    sign_and_send_vote(Step::precommit, std::nullopt);
    return true;
  }
  // L47: > 2/3 precommits of any kind: start the precommit timer, once.
  if (!cur.precommit_timer && m_set.quorum(weight_any(cur.precommits))) {
    cur.precommit_timer = true;
    schedule(Step::precommit, m_round);
    return true;
  }
  return false;
}

Outputs Engine::on_timeout(const TimeoutEvent& t) {
  m_out.clear();
  if (!m_started || m_decided || t.height != m_height || t.round != m_round) return {};
  if (t.step == Step::propose && m_step == Step::propose) {
    // L57
    m_step = Step::prevote;
    sign_and_send_vote(Step::prevote, std::nullopt);
  } else if (t.step == Step::prevote && m_step == Step::prevote) {
    // L61
    m_step = Step::precommit;
    sign_and_send_vote(Step::precommit, std::nullopt);
  } else if (t.step == Step::precommit) {
    // L65
    start_round(m_round + 1);
  } else {
    return {};
  }
  evaluate();
  return std::move(m_out);
}

}  // namespace hc::consensus

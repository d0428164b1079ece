#include <hc/consensus/dpos.h>

#include <hc/core/error.h>

#include <algorithm>
#include <set>

namespace hc::consensus {

Dpos::Dpos(DposGenesis g) : m_params(g.params) {
  if (m_params.delegates == 0) throw Error(Exit::data, "DPoS: delegates must be at least 1").field("delegates");
  if (m_params.max_votes == 0) throw Error(Exit::data, "DPoS: max_votes must be at least 1").field("max_votes");
  if (m_params.initial_reputation > k_max_reputation || m_params.min_reputation > k_max_reputation)
    throw Error(Exit::data, "DPoS: reputation is in basis points, at most 10000");
  for (const auto& m : g.members)
    if (!m_stake.emplace(m.key, m.stake).second) throw Error(Exit::data, "DPoS: member listed twice");
  for (const auto& c : g.candidates) {
    if (c.reputation > k_max_reputation) throw Error(Exit::data, "DPoS: reputation over 10000");
    if (!m_candidates.emplace(c.key, c).second) throw Error(Exit::data, "DPoS: candidate listed twice");
  }
  try {
    for (const auto& [member, list] : g.votes) vote(member, list);
  } catch (const Error& e) {
    throw Error(Exit::data, "DPoS genesis: " + e.message()).field("votes");
  }
}

void Dpos::vote(const PublicKey& member, const std::vector<PublicKey>& candidates) {
  if (!m_stake.count(member)) throw Error(Exit::invalid, "delegate.vote: the voter is not a member");
  if (candidates.size() > m_params.max_votes)
    throw Error(Exit::invalid, "delegate.vote: more than " + std::to_string(m_params.max_votes) + " candidates");
  std::set<PublicKey> seen;
  for (const auto& c : candidates) {
    if (!m_candidates.count(c)) throw Error(Exit::invalid, "delegate.vote: unknown candidate");
    if (!seen.insert(c).second) throw Error(Exit::invalid, "delegate.vote: a candidate listed twice");
  }
  m_votes[member] = candidates;  // replaces the previous vote
}

void Dpos::slot_result(const PublicKey& owner, bool produced) {
  auto it = m_candidates.find(owner);
  if (it == m_candidates.end()) return;
  uint32_t& r = it->second.reputation;
  if (produced)
    r = std::min<uint32_t>(k_max_reputation, r + m_params.produce_reward);
  else
    r = r > m_params.miss_penalty ? r - m_params.miss_penalty : 0;
}

void Dpos::epoch_end(const std::vector<PublicKey>& scheduled) {
  for (auto& [key, c] : m_candidates) {
    if (c.removed || std::find(scheduled.begin(), scheduled.end(), key) != scheduled.end()) continue;
    c.reputation = std::min<uint32_t>(k_max_reputation, c.reputation + m_params.recovery);
  }
}

bool Dpos::remove(const DoubleSign& evidence, std::string_view chain_id) {
  check(evidence, chain_id);
  auto it = m_candidates.find(evidence.a.validator);
  if (it == m_candidates.end()) throw Error(Exit::invalid, "evidence: the validator is not a candidate");
  if (it->second.removed) return false;
  it->second.removed = true;
  it->second.reputation = 0;
  return true;
}

uint64_t Dpos::votes(const PublicKey& candidate) const {
  uint64_t total = 0;
  if (m_params.self_vote && !m_votes.count(candidate))
    if (auto it = m_stake.find(candidate); it != m_stake.end()) total = it->second;
  for (const auto& [member, list] : m_votes)
    if (std::find(list.begin(), list.end(), candidate) != list.end()) {
      uint64_t s = m_stake.at(member);
      total = total > UINT64_MAX - s ? UINT64_MAX : total + s;  // saturate
    }
  return total;
}

unsigned __int128 Dpos::weight(const PublicKey& candidate) const {
  auto it = m_candidates.find(candidate);
  if (it == m_candidates.end()) return 0;
  return static_cast<unsigned __int128>(votes(candidate)) * it->second.reputation;
}

const DposCandidate* Dpos::candidate(const PublicKey& key) const {
  auto it = m_candidates.find(key);
  return it == m_candidates.end() ? nullptr : &it->second;
}

std::vector<PublicKey> Dpos::elect() const {
  std::vector<std::pair<unsigned __int128, PublicKey>> eligible;
  for (const auto& [key, c] : m_candidates) {
    if (c.removed || c.reputation < m_params.min_reputation) continue;
    if (votes(key) == 0) continue;
    eligible.emplace_back(weight(key), key);
  }
  std::sort(eligible.begin(), eligible.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second < b.second;
  });
  std::vector<PublicKey> out;
  for (size_t i = 0; i < eligible.size() && i < m_params.delegates; ++i) out.push_back(eligible[i].second);
  return out;
}

ValidatorSet Dpos::schedule(uint64_t epoch) const {
  auto elected = elect();
  if (elected.empty()) throw Error(Exit::invalid, "DPoS: no eligible delegate for epoch " + std::to_string(epoch));
  std::vector<std::pair<Hash, PublicKey>> order;
  for (const auto& k : elected) {
    crypto::Sha256 h;
    h.update("hc-dpos-order/1");
    for (int i = 7; i >= 0; --i) h.update(uint8_t(epoch >> (8 * i)));
    h.update(k.data(), k.size());
    order.emplace_back(h.final(), k);
  }
  std::sort(order.begin(), order.end());
  std::vector<Validator> vs;
  for (const auto& [h, k] : order) vs.push_back(Validator{k, 1});
  return ValidatorSet(std::move(vs));
}

}  // namespace hc::consensus

#include <hc/consensus/validators.h>

#include <hc/core/error.h>

#include <set>

namespace hc::consensus {

ValidatorSet::ValidatorSet(std::vector<Validator> ordered) : m_members(std::move(ordered)) {
  if (m_members.empty()) throw Error(Exit::data, "validator set is empty");
  std::set<PublicKey> seen;
  for (const auto& v : m_members) {
    if (v.weight == 0) throw Error(Exit::data, "validator with zero weight");
    if (!seen.insert(v.key).second) throw Error(Exit::data, "validator listed twice");
    m_total += v.weight;
    if (m_total > (uint64_t(1) << 60)) throw Error(Exit::data, "validator weights too large");
  }
}

ValidatorSet::ValidatorSet(std::vector<Validator> voters, std::vector<PublicKey> proposers)
    : ValidatorSet(std::move(voters)) {
  if (proposers.empty()) throw Error(Exit::data, "the proposer schedule is empty");
  std::set<PublicKey> seen;
  for (const auto& p : proposers) {
    if (!contains(p)) throw Error(Exit::data, "a proposer is not a validator");
    if (!seen.insert(p).second) throw Error(Exit::data, "a proposer listed twice");
  }
  m_proposers = std::move(proposers);
}

std::vector<PublicKey> ValidatorSet::proposers() const {
  if (!m_proposers.empty()) return m_proposers;
  std::vector<PublicKey> out;
  for (const auto& v : m_members) out.push_back(v.key);
  return out;
}

uint64_t ValidatorSet::weight(const PublicKey& key) const {
  for (const auto& v : m_members)
    if (v.key == key) return v.weight;
  return 0;
}

const PublicKey& ValidatorSet::proposer(uint64_t height, uint32_t round) const {
  if (!m_proposers.empty()) return m_proposers[(height + round) % m_proposers.size()];
  return m_members[(height + round) % m_members.size()].key;
}

}  // namespace hc::consensus

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

uint64_t ValidatorSet::weight(const PublicKey& key) const {
  for (const auto& v : m_members)
    if (v.key == key) return v.weight;
  return 0;
}

const PublicKey& ValidatorSet::proposer(uint64_t height, uint32_t round) const {
  return m_members[(height + round) % m_members.size()].key;
}

}  // namespace hc::consensus

// The validator set of one height: keys and voting weights, quorum
// arithmetic, and proposer selection.
#pragma once

#include <hc/consensus/message.h>

#include <vector>

namespace hc::consensus {

struct Validator {
  PublicKey key{};
  uint64_t weight = 1;
};

class ValidatorSet {
 public:
  ValidatorSet() = default;
  /// `ordered` is the producer schedule: proposer(h, r) = ordered[(h + r) mod n].
  /// Throws Error{data} on an empty set, a zero weight, a duplicate key or a
  /// total weight over 2^60.
  explicit ValidatorSet(std::vector<Validator> ordered);

  const std::vector<Validator>& members() const { return m_members; }
  size_t size() const { return m_members.size(); }
  uint64_t total() const { return m_total; }
  /// Weight of `key`, 0 if not a member.
  uint64_t weight(const PublicKey& key) const;
  bool contains(const PublicKey& key) const { return weight(key) > 0; }
  /// More than two thirds of the total weight (the paper's 2f + 1).
  bool quorum(uint64_t w) const { return 3 * w > 2 * m_total; }
  /// More than one third (the paper's f + 1): at least one honest member.
  bool one_honest(uint64_t w) const { return 3 * w > m_total; }
  const PublicKey& proposer(uint64_t height, uint32_t round) const;

 private:
  std::vector<Validator> m_members;
  uint64_t m_total = 0;
};

}  // namespace hc::consensus

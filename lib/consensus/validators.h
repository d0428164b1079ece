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
  /// The same voters, but proposals rotate over `proposers` only (the DPoS
  /// producer schedule, a non-empty subset of the voters without
  /// duplicates): proposer(h, r) = proposers[(h + r) mod p]. Error{data}
  /// otherwise.
  ValidatorSet(std::vector<Validator> voters, std::vector<PublicKey> proposers);

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
  /// The proposer rotation (the voters' keys in order if none was given).
  std::vector<PublicKey> proposers() const;

 private:
  std::vector<Validator> m_members;
  std::vector<PublicKey> m_proposers;  ///< empty: every member in order
  uint64_t m_total = 0;
};

}  // namespace hc::consensus

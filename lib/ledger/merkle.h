// RFC 9162 (Certificate Transparency 2.0) §2.1 Merkle trees: hashes, roots,
// inclusion and consistency proofs and their verification, and the compact
// range (the O(log n) right edge of a growing tree).
#pragma once

#include <hc/crypto/crypto.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hc::ledger::merkle {

using Hash = crypto::Hash256;

/// SHA-256(0x00 || leaf).
Hash leaf_hash(std::string_view leaf);
inline Hash leaf_hash(const Hash& leaf) { return leaf_hash(crypto::as_chars(leaf.data(), leaf.size())); }
/// SHA-256(0x01 || left || right).
Hash node_hash(const Hash& left, const Hash& right);
/// MTH({}) = SHA-256 of the empty string.
Hash empty_root();

/// MTH over leaves whose leaf hashes are given.
Hash root(const std::vector<Hash>& leaf_hashes);

/// MTH(D[begin:end]) of some leaf sequence; used to make proofs over trees
/// that are not held in memory (the history tree in LMDB).
using SubtreeFn = std::function<Hash(uint64_t begin, uint64_t end)>;

/// PATH(m, D[n]) of RFC 9162 §2.1.3.1. Requires m < n.
std::vector<Hash> inclusion_path(uint64_t m, uint64_t n, const SubtreeFn& subtree);
std::vector<Hash> inclusion_path(uint64_t m, const std::vector<Hash>& leaf_hashes);
/// PROOF(m, D[n]) of RFC 9162 §2.1.4.1. Requires 0 < m <= n (empty if m == n).
std::vector<Hash> consistency_path(uint64_t m, uint64_t n, const SubtreeFn& subtree);
/// A SubtreeFn over leaf hashes in memory.
SubtreeFn over(const std::vector<Hash>& leaf_hashes);

/// RFC 9162 §2.1.3.2. False for any proof that does not verify, including an
/// index outside the tree.
bool verify_inclusion(const Hash& leaf_hash, uint64_t index, uint64_t size, const std::vector<Hash>& path,
                      const Hash& root);
/// RFC 9162 §2.1.4.2, with the edge cases of transparency-dev/merkle: size1 = 0
/// never verifies, size1 = size2 needs an empty proof and equal roots,
/// size1 > size2 never verifies.
bool verify_consistency(uint64_t size1, uint64_t size2, const Hash& root1, const Hash& root2,
                        const std::vector<Hash>& path);

/// The same checks over untrusted byte strings (as decoded from a proof):
/// every hash that is used must be 32 bytes. Equal sizes need an empty proof
/// and byte-identical roots.
bool verify_inclusion_bytes(std::string_view leaf_hash, uint64_t index, uint64_t size,
                            const std::vector<std::string>& path, std::string_view root);
bool verify_consistency_bytes(uint64_t size1, uint64_t size2, std::string_view root1, std::string_view root2,
                              const std::vector<std::string>& path);

/// The right edge of a tree: the roots of its maximal perfect subtrees,
/// largest first. Appending is amortised O(1), the root O(log n).
class CompactRange {
 public:
  void append(const Hash& leaf_hash);
  Hash root() const;
  uint64_t size() const { return m_size; }
  /// 8-byte big-endian size then the hashes.
  std::string serialize() const;
  /// Throws Error{data} if the bytes do not match a size.
  static CompactRange parse(std::string_view bytes);

 private:
  uint64_t m_size = 0;
  std::vector<Hash> m_nodes;
};

}  // namespace hc::ledger::merkle

// RFC 9162 §2.1, written from the RFC's text.
#include <hc/ledger/merkle.h>

#include <hc/core/error.h>

#include <bit>
#include <cstring>

namespace hc::ledger::merkle {

Hash leaf_hash(std::string_view leaf) {
  crypto::Sha256 h;
  h.update(uint8_t(0x00));
  h.update(leaf);
  return h.final();
}

Hash node_hash(const Hash& left, const Hash& right) {
  crypto::Sha256 h;
  h.update(uint8_t(0x01));
  h.update(left.data(), left.size());
  h.update(right.data(), right.size());
  return h.final();
}

Hash empty_root() { return crypto::sha256(std::string_view()); }

namespace {

/// The largest power of two smaller than n (n > 1).
uint64_t split(uint64_t n) { return std::bit_floor(n - 1); }

Hash mth(const std::vector<Hash>& l, uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (n == 0) return empty_root();
  if (n == 1) return l[begin];
  uint64_t k = split(n);
  return node_hash(mth(l, begin, begin + k), mth(l, begin + k, end));
}

void path(uint64_t m, uint64_t begin, uint64_t end, const SubtreeFn& f, std::vector<Hash>& out) {
  uint64_t n = end - begin;
  if (n <= 1) return;
  uint64_t k = split(n);
  if (m < k) {
    path(m, begin, begin + k, f, out);
    out.push_back(f(begin + k, end));
  } else {
    path(m - k, begin + k, end, f, out);
    out.push_back(f(begin, begin + k));
  }
}

// SUBPROOF(m, D[begin:end], b) of RFC 9162 §2.1.4.1.
void subproof(uint64_t m, uint64_t begin, uint64_t end, bool b, const SubtreeFn& f, std::vector<Hash>& out) {
  uint64_t n = end - begin;
  if (m == n) {
    if (!b) out.push_back(f(begin, end));
    return;
  }
  uint64_t k = split(n);
  if (m <= k) {
    subproof(m, begin, begin + k, b, f, out);
    out.push_back(f(begin + k, end));
  } else {
    subproof(m - k, begin + k, end, false, f, out);
    out.push_back(f(begin, begin + k));
  }
}

}  // namespace

Hash root(const std::vector<Hash>& leaf_hashes) { return mth(leaf_hashes, 0, leaf_hashes.size()); }

SubtreeFn over(const std::vector<Hash>& leaf_hashes) {
  return [&leaf_hashes](uint64_t b, uint64_t e) { return mth(leaf_hashes, b, e); };
}

std::vector<Hash> inclusion_path(uint64_t m, uint64_t n, const SubtreeFn& subtree) {
  if (m >= n) throw Error(Exit::internal, "inclusion proof for a leaf outside the tree");
  std::vector<Hash> out;
  path(m, 0, n, subtree, out);
  return out;
}

std::vector<Hash> inclusion_path(uint64_t m, const std::vector<Hash>& leaf_hashes) {
  return inclusion_path(m, leaf_hashes.size(), over(leaf_hashes));
}

std::vector<Hash> consistency_path(uint64_t m, uint64_t n, const SubtreeFn& subtree) {
  if (m == 0 || m > n) throw Error(Exit::internal, "consistency proof needs 0 < first <= second");
  std::vector<Hash> out;
  if (m < n) subproof(m, 0, n, true, subtree, out);
  return out;
}

bool verify_inclusion(const Hash& leaf, uint64_t index, uint64_t size, const std::vector<Hash>& proof,
                      const Hash& expected) {
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = node_hash(p, r);
      if (!(fn & 1))
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && crypto::constant_time_equal(r.data(), expected.data(), 32);
}

bool verify_consistency(uint64_t size1, uint64_t size2, const Hash& root1, const Hash& root2,
                        const std::vector<Hash>& proof_in) {
  if (size1 == 0 || size1 > size2) return false;
  if (size1 == size2) return proof_in.empty() && root1 == root2;
  if (proof_in.empty()) return false;
  std::vector<Hash> proof;
  proof.reserve(proof_in.size() + 1);
  if (std::has_single_bit(size1)) proof.push_back(root1);
  proof.insert(proof.end(), proof_in.begin(), proof_in.end());
  uint64_t fn = size1 - 1, sn = size2 - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = proof[0], sr = proof[0];
  for (size_t i = 1; i < proof.size(); ++i) {
    const Hash& c = proof[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!(fn & 1))
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == root1 && sr == root2 && sn == 0;
}

namespace {
bool to_hash(std::string_view b, Hash& out) {
  if (b.size() != 32) return false;
  std::memcpy(out.data(), b.data(), 32);
  return true;
}
bool to_hashes(const std::vector<std::string>& in, std::vector<Hash>& out) {
  out.resize(in.size());
  for (size_t i = 0; i < in.size(); ++i)
    if (!to_hash(in[i], out[i])) return false;
  return true;
}
}  // namespace

bool verify_inclusion_bytes(std::string_view leaf, uint64_t index, uint64_t size, const std::vector<std::string>& path,
                            std::string_view root) {
  Hash l, r;
  std::vector<Hash> p;
  return to_hash(leaf, l) && to_hash(root, r) && to_hashes(path, p) && verify_inclusion(l, index, size, p, r);
}

bool verify_consistency_bytes(uint64_t size1, uint64_t size2, std::string_view root1, std::string_view root2,
                              const std::vector<std::string>& path) {
  if (size1 != 0 && size1 == size2) return path.empty() && root1 == root2;
  Hash a, b;
  std::vector<Hash> p;
  return to_hash(root1, a) && to_hash(root2, b) && to_hashes(path, p) && verify_consistency(size1, size2, a, b, p);
}

void CompactRange::append(const Hash& leaf) {
  // Merge equal-sized perfect subtrees while the new size's low bits carry.
  Hash h = leaf;
  uint64_t s = m_size;
  while (s & 1) {
    h = node_hash(m_nodes.back(), h);
    m_nodes.pop_back();
    s >>= 1;
  }
  m_nodes.push_back(h);
  ++m_size;
}

Hash CompactRange::root() const {
  if (m_nodes.empty()) return empty_root();
  Hash r = m_nodes.back();
  for (size_t i = m_nodes.size() - 1; i-- > 0;) r = node_hash(m_nodes[i], r);
  return r;
}

std::string CompactRange::serialize() const {
  std::string s(8, '\0');
  uint64_t v = m_size;
  for (int i = 7; i >= 0; --i, v >>= 8) s[size_t(i)] = char(v & 0xff);
  for (auto& h : m_nodes) s.append(crypto::as_chars(h.data(), h.size()));
  return s;
}

CompactRange CompactRange::parse(std::string_view b) {
  if (b.size() < 8) throw Error(Exit::data, "damaged history range");
  CompactRange c;
  for (size_t i = 0; i < 8; ++i) c.m_size = (c.m_size << 8) | uint8_t(b[i]);
  size_t n = size_t(std::popcount(c.m_size));
  if (b.size() != 8 + 32 * n) throw Error(Exit::data, "damaged history range");
  c.m_nodes.resize(n);
  for (size_t i = 0; i < n; ++i) std::memcpy(c.m_nodes[i].data(), b.data() + 8 + 32 * i, 32);
  return c;
}

}  // namespace hc::ledger::merkle

// Transactions waiting for a block: verified once on admission, kept in
// arrival order, deduplicated by ID, bounded in count and bytes.
#pragma once

#include <hc/ledger/format.h>

#include <map>
#include <unordered_map>
#include <vector>

namespace hc::node {

class Mempool {
 public:
  Mempool(size_t max_txs, size_t max_bytes) : m_max_txs(max_txs), m_max_bytes(max_bytes) {}

  enum class Added { added, duplicate, full };
  /// Adds a transaction whose signature and rules were checked.
  Added add(ledger::Tx tx);
  bool contains(const ledger::Hash& id) const { return m_by_id.count(id) > 0; }
  void remove(const ledger::Hash& id);
  /// The oldest transactions, at most `max_txs` and `max_bytes` in all.
  std::vector<ledger::Tx> take(size_t max_txs, size_t max_bytes) const;
  size_t size() const { return m_by_id.size(); }
  size_t bytes() const { return m_bytes; }

 private:
  struct HashHasher {
    size_t operator()(const ledger::Hash& h) const noexcept {
      size_t v = 0;
      for (int i = 0; i < 8; ++i) v = (v << 8) | h[size_t(i)];
      return v;
    }
  };
  size_t m_max_txs, m_max_bytes, m_bytes = 0;
  uint64_t m_seq = 0;
  std::unordered_map<ledger::Hash, uint64_t, HashHasher> m_by_id;
  std::map<uint64_t, ledger::Tx> m_order;
};

}  // namespace hc::node

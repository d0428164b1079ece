#include <hc/node/mempool.h>

namespace hc::node {

Mempool::Added Mempool::add(ledger::Tx tx) {
  if (m_by_id.count(tx.id)) return Added::duplicate;
  if (m_by_id.size() >= m_max_txs || m_bytes + tx.bytes.size() > m_max_bytes) return Added::full;
  uint64_t s = m_seq++;
  m_by_id.emplace(tx.id, s);
  m_bytes += tx.bytes.size();
  m_order.emplace(s, std::move(tx));
  return Added::added;
}

void Mempool::remove(const ledger::Hash& id) {
  auto it = m_by_id.find(id);
  if (it == m_by_id.end()) return;
  auto o = m_order.find(it->second);
  m_bytes -= o->second.bytes.size();
  m_order.erase(o);
  m_by_id.erase(it);
}

std::vector<ledger::Tx> Mempool::take(size_t max_txs, size_t max_bytes) const {
  std::vector<ledger::Tx> out;
  size_t bytes = 0;
  for (const auto& [seq, tx] : m_order) {
    if (out.size() >= max_txs || bytes + tx.bytes.size() > max_bytes) break;
    bytes += tx.bytes.size();
    out.push_back(tx);
  }
  return out;
}

}  // namespace hc::node

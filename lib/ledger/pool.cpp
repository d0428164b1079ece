// See pool.h.
#include <hc/ledger/pool.h>

#include <algorithm>

namespace hc::ledger {
namespace {
constexpr size_t k_chunk = 16;
}

Pool::Pool(unsigned threads) {
  for (unsigned t = 1; t < threads; ++t) m_threads.emplace_back([this] { worker(); });
}

Pool::~Pool() {
  {
    std::lock_guard<std::mutex> lock(m_mu);
    m_stop = true;
  }
  m_wake.notify_all();
  for (auto& t : m_threads) t.join();
}

void Pool::start(size_t n, std::function<void(size_t)> fn) {
  std::unique_lock<std::mutex> lock(m_mu);
  // Workers still leaving the previous job must not see this one half set up.
  m_done.wait(lock, [&] { return m_busy == 0; });
  m_fn = std::move(fn);
  m_n = n;
  m_next = 0;
  m_completed = 0;
  m_chunk_done.assign((n + k_chunk - 1) / k_chunk, 0);
  m_done_prefix = 0;
  m_cancel = false;
  m_error = nullptr;
  m_error_at = SIZE_MAX;
  m_active = true;
  ++m_generation;
  m_wake.notify_all();
}

bool Pool::run_some() {
  size_t begin = m_next.fetch_add(k_chunk);
  if (begin >= m_n) return false;
  size_t end = std::min(m_n, begin + k_chunk);
  std::exception_ptr error;
  size_t error_at = SIZE_MAX;
  for (size_t i = begin; i < end && !m_cancel.load(std::memory_order_relaxed); ++i) {
    try {
      m_fn(i);
    } catch (...) {
      if (!error) {
        error = std::current_exception();
        error_at = i;
      }
    }
  }
  std::lock_guard<std::mutex> lock(m_mu);
  if (error && error_at < m_error_at) {
    m_error = error;
    m_error_at = error_at;
  }
  m_completed += end - begin;
  m_chunk_done[begin / k_chunk] = 1;
  bool advanced = false;
  while (m_done_prefix < m_chunk_done.size() && m_chunk_done[m_done_prefix]) {
    ++m_done_prefix;
    advanced = true;
  }
  if (m_completed == m_n || advanced) m_done.notify_all();
  return true;
}

void Pool::worker() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(m_mu);
      m_wake.wait(lock, [&] { return m_stop || (m_active && m_generation != seen); });
      if (m_stop) return;
      seen = m_generation;
      ++m_busy;
    }
    while (run_some()) {
    }
    std::lock_guard<std::mutex> lock(m_mu);
    if (--m_busy == 0) m_done.notify_all();
  }
}

void Pool::finish_through(size_t end) {
  end = std::min(end, m_n);
  while (m_next.load() < end && run_some()) {
  }
  std::unique_lock<std::mutex> lock(m_mu);
  m_done.wait(lock, [&] { return std::min(m_n, m_done_prefix * k_chunk) >= end; });
}

void Pool::cancel() {
  m_cancel = true;
  finish();
}

void Pool::finish() {
  while (run_some()) {
  }
  std::unique_lock<std::mutex> lock(m_mu);
  m_done.wait(lock, [&] { return m_completed >= m_n; });
  m_active = false;
  if (m_error) {
    auto e = m_error;
    m_error = nullptr;
    std::rethrow_exception(e);
  }
}

}  // namespace hc::ledger

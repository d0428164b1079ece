// A fixed set of worker threads that run one index-range job at a time while
// the caller does something else: the pipeline of verify and append, where
// the signature checks of batch N+1 run while batch N is applied and
// committed in order on the caller's thread.
//
//   Pool pool(threads);                 // threads - 1 workers (the caller is the last one)
//   pool.start(n, fn);                  // workers begin fn(0..n-1); returns at once
//   ... sequential work of the previous batch ...
//   pool.finish();                      // the caller helps, then waits for all n
//
// or, for one long job whose results are consumed in order (append: the
// workers keep checking later blocks while the caller commits, fsync
// included, so they never wait for it):
//
//   pool.start(n, fn);
//   for each part [b, e): pool.finish_through(e); ...use results < e...
//   pool.finish();                      // or cancel() on an error
//
// fn must not throw (record failures per index instead); an exception that
// escapes fn anyway is rethrown by finish() (the lowest index's).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <cstdint>
#include <thread>
#include <vector>

namespace hc::ledger {

class Pool {
 public:
  explicit Pool(unsigned threads);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Begins a job; the previous one must have been finished.
  void start(size_t n, std::function<void(size_t)> fn);
  /// Runs what is left of the job on the caller's thread too and waits for it.
  void finish();
  /// Helps and waits until fn(i) has returned for every i < end; the rest of
  /// the job goes on (chunks are claimed in index order).
  void finish_through(size_t end);
  /// Lets no further index start, then waits for those already running.
  void cancel();

 private:
  void worker();
  bool run_some();  // claims one chunk of the current job; false if none is left

  std::vector<std::thread> m_threads;
  std::mutex m_mu;
  std::condition_variable m_wake, m_done;
  std::function<void(size_t)> m_fn;
  size_t m_n = 0;
  std::atomic<size_t> m_next{0};
  size_t m_completed = 0;  // indices done (under m_mu)
  std::vector<uint8_t> m_chunk_done;  // per chunk (under m_mu)
  size_t m_done_prefix = 0;           // chunks [0, m_done_prefix) are all done (under m_mu)
  std::atomic<bool> m_cancel{false};
  uint64_t m_generation = 0;
  bool m_stop = false;
  bool m_active = false;
  unsigned m_busy = 0;  // workers inside a job (start() waits for 0)
  std::exception_ptr m_error;
  size_t m_error_at = SIZE_MAX;
};

}  // namespace hc::ledger

// Transaction admission off the node loop. Checking a transaction's
// signature is the one costly step of admission, and a node must do it once
// per transaction, never while holding the node's lock and never on the
// thread that runs consensus. The node's admission is therefore three steps:
//   1. under the lock, briefly: drop the transactions already known (pending,
//      committed, checked in a block, or being checked right now) and claim
//      the others, so that no other thread checks them too;
//   2. without the lock: parse strictly and verify the signatures;
//   3. under the lock, briefly: admit to the mempool, release the claims.
// Steps 2 and 3 run on slices of 8, so that checked transactions reach the
// mempool soon, and one that a proposal checked meanwhile is not checked again.
// The HTTP threads run the steps for their own requests; batches from peers
// are queued here (bounded in bytes) and run on this class's worker thread.
#pragma once

#include <hc/consensus/message.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hc::node {

/// A `txs` message from a peer, decoded: `txs` are views into `message`.
struct PeerBatch {
  std::string source;
  consensus::Bytes message;
  std::vector<std::string_view> txs;
};

class AdmissionQueue {
 public:
  /// `work` runs on the worker thread, one batch at a time.
  AdmissionQueue(size_t max_bytes, std::function<void(PeerBatch&)> work);
  ~AdmissionQueue();
  AdmissionQueue(const AdmissionQueue&) = delete;
  AdmissionQueue& operator=(const AdmissionQueue&) = delete;

  /// Queues a batch; false (and the batch is dropped) when the queue holds
  /// `max_bytes` already: a peer that floods cannot exhaust memory, and the
  /// transactions still reach this node inside blocks.
  bool push(PeerBatch b);
  /// Batches and bytes waiting.
  size_t pending() const;
  /// Stops the worker (waiting batches are dropped); idempotent.
  void stop();

 private:
  void run();
  size_t m_max_bytes, m_bytes = 0;
  std::function<void(PeerBatch&)> m_work;
  mutable std::mutex m_mu;
  std::condition_variable m_cv;
  std::deque<PeerBatch> m_queue;
  bool m_stop = false;
  std::thread m_thread;
};

/// One transaction's text in a JSON Lines request body.
struct BatchLine {
  std::string_view text;
  size_t line = 0;  ///< 1-based, blank lines counted
};
/// Splits a POST /v1/txs body into its non-blank lines (a line is blank when
/// it holds only spaces, tabs and CR; a final line needs no newline). More
/// than `max_lines` non-blank lines: Error{data}, and nothing is returned.
std::vector<BatchLine> split_batch(std::string_view body, size_t max_lines);

/// The outcome of admitting one transaction of a batch.
struct SubmitResult {
  std::string tx_id;      ///< hex, empty when the text did not parse
  std::string status;     ///< "pending" | "committed", empty on error
  uint64_t height = 0;    ///< for "committed"
  std::string error;      ///< Error::describe(), empty when admitted
  int exit = 0;           ///< the error's exit code
};

}  // namespace hc::node

#include <hc/node/admission.h>

#include <hc/core/error.h>
#include <hc/core/io.h>

#include <fmt/format.h>

namespace hc::node {

std::vector<BatchLine> split_batch(std::string_view body, size_t max_lines) {
  std::vector<BatchLine> out;
  io::for_each_line(body, [&](std::string_view text, size_t line) {
    if (out.size() >= max_lines)
      throw Error(Exit::data, fmt::format("more than {} transactions in one request", max_lines));
    out.push_back(BatchLine{text, line});
  });
  return out;
}

AdmissionQueue::AdmissionQueue(size_t max_bytes, std::function<void(PeerBatch&)> work)
    : m_max_bytes(max_bytes), m_work(std::move(work)) {
  m_thread = std::thread([this] { run(); });
}

AdmissionQueue::~AdmissionQueue() { stop(); }

void AdmissionQueue::stop() {
  {
    std::lock_guard lk(m_mu);
    m_stop = true;
    m_queue.clear();
    m_bytes = 0;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

bool AdmissionQueue::push(PeerBatch b) {
  {
    std::lock_guard lk(m_mu);
    if (m_stop || (m_bytes > 0 && m_bytes + b.message.size() > m_max_bytes)) return false;
    m_bytes += b.message.size();
    m_queue.push_back(std::move(b));
  }
  m_cv.notify_one();
  return true;
}

size_t AdmissionQueue::pending() const {
  std::lock_guard lk(m_mu);
  return m_queue.size();
}

void AdmissionQueue::run() {
  for (;;) {
    PeerBatch b;
    {
      std::unique_lock lk(m_mu);
      m_cv.wait(lk, [this] { return m_stop || !m_queue.empty(); });
      if (m_stop) return;
      b = std::move(m_queue.front());
      m_queue.pop_front();
      m_bytes -= b.message.size();
    }
    m_work(b);  // the node's admission catches its own errors
  }
}

}  // namespace hc::node

#include <hc/net/framing.h>

#include <hc/core/error.h>

#include <algorithm>

namespace hc::net {

FrameReader::FrameReader(size_t max_frame) : m_max(std::min<size_t>(max_frame, 65535)) {}

size_t FrameReader::feed(const uint8_t* data, size_t n) {
  size_t used = 0;
  while (!m_have_len && used < n) {
    m_len_buf[m_len_bytes++] = data[used++];
    if (m_len_bytes == 2) {
      m_len = (size_t(m_len_buf[0]) << 8) | m_len_buf[1];
      if (m_len == 0) throw Error(Exit::data, "peer sent an empty frame");
      if (m_len > m_max)
        throw Error(Exit::data, "peer sent a " + std::to_string(m_len) + "-byte frame; the limit is " +
                                    std::to_string(m_max));
      m_have_len = true;
      m_buf.clear();
      m_buf.reserve(m_len);
    }
  }
  if (m_have_len && used < n) {
    size_t take_n = std::min(n - used, m_len - m_buf.size());
    m_buf.insert(m_buf.end(), data + used, data + used + take_n);
    used += take_n;
  }
  return used;
}

Bytes FrameReader::take() {
  if (!ready()) throw Error(Exit::internal, "FrameReader::take without a whole frame");
  Bytes out;
  out.swap(m_buf);
  m_have_len = false;
  m_len_bytes = 0;
  m_len = 0;
  return out;
}

void append_frame(Bytes& out, const uint8_t* frame, size_t n) {
  if (n == 0 || n > 65535) throw Error(Exit::internal, "frame of " + std::to_string(n) + " bytes");
  out.push_back(static_cast<uint8_t>(n >> 8));
  out.push_back(static_cast<uint8_t>(n));
  out.insert(out.end(), frame, frame + n);
}

std::optional<Bytes> Reassembler::add(const uint8_t* plaintext, size_t n) {
  if (n == 0) throw Error(Exit::data, "peer sent a fragment without its flag byte");
  uint8_t flag = plaintext[0];
  if (flag != k_fragment_last && flag != k_fragment_more)
    throw Error(Exit::data, "peer sent a fragment with unknown flag " + std::to_string(flag));
  if (m_buf.size() + (n - 1) > m_max)
    throw Error(Exit::data, "peer sent a message over the " + std::to_string(m_max) + "-byte limit");
  m_buf.insert(m_buf.end(), plaintext + 1, plaintext + n);
  if (flag == k_fragment_more) return std::nullopt;
  Bytes out;
  out.swap(m_buf);
  return out;
}

}  // namespace hc::net

// Framing on a peer link. Every Noise message (handshake or transport) is sent
// as a 2-byte big-endian length and then that many bytes (the framing the Noise
// specification suggests, §3), so no frame exceeds 65535 bytes. An application
// message larger than one frame is split into fragments: each transport
// frame's plaintext starts with one byte, 0x00 = last fragment, 0x01 = more
// follow. The reader bounds both the frame and the reassembled message.
#pragma once

#include <hc/crypto/crypto.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hc::net {

using crypto::Bytes;

/// Splits a byte stream into length-prefixed frames. Holds at most one
/// partial frame (≤ 2 + 65535 bytes).
class FrameReader {
 public:
  /// `max_frame` ≤ 65535; a longer or empty frame is a protocol error.
  explicit FrameReader(size_t max_frame = 65535);
  /// Takes bytes from `data` until one frame is complete or `data` is used up;
  /// returns how many bytes were consumed. Throws Error{data} on a bad length.
  size_t feed(const uint8_t* data, size_t n);
  /// True when a whole frame is ready; take() hands it over and resets.
  bool ready() const { return m_have_len && m_buf.size() == m_len; }
  Bytes take();
  /// Bytes held (a partial frame).
  size_t buffered() const { return m_buf.size() + m_len_bytes; }

 private:
  size_t m_max;
  uint8_t m_len_buf[2]{};
  size_t m_len_bytes = 0;
  bool m_have_len = false;
  size_t m_len = 0;
  Bytes m_buf;
};

/// Appends the 2-byte length prefix and `frame` to `out`.
void append_frame(Bytes& out, const uint8_t* frame, size_t n);

/// Most plaintext one transport frame carries: 65535 - 16 (tag) - 1 (flag).
constexpr size_t k_fragment_max = 65535 - 16 - 1;
constexpr uint8_t k_fragment_last = 0x00, k_fragment_more = 0x01;

/// Reassembles fragments into one application message of at most `max_message` bytes.
class Reassembler {
 public:
  explicit Reassembler(size_t max_message) : m_max(max_message) {}
  /// Adds one decrypted fragment; returns the message when it is the last.
  /// Throws Error{data} on a bad flag or an oversized message.
  std::optional<Bytes> add(const uint8_t* plaintext, size_t n);
  size_t buffered() const { return m_buf.size(); }

 private:
  size_t m_max;
  Bytes m_buf;
};

}  // namespace hc::net

// RandomStream: a system-RNG key expanded with ChaCha20 (see random_stream.h).
#include <hc/crypto/random_stream.h>

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>

#include <algorithm>
#include <cstring>

#include <sodium.h>

namespace hc::crypto {

RandomStream::RandomStream() {
  if (sodium_init() < 0) throw Error(Exit::internal, "libsodium failed to initialise");
  random_bytes(m_key.data(), m_key.size());
}

RandomStream::~RandomStream() {
  secure_zero(m_key.data(), m_key.size());
  secure_zero(m_buf.data(), m_buf.size());
}

void RandomStream::refill() {
  static_assert(crypto_stream_chacha20_ietf_KEYBYTES == 32 && crypto_stream_chacha20_ietf_NONCEBYTES == 12);
  uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {};
  uint64_t c = m_counter++;
  for (int i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(c >> (8 * i));
  crypto_stream_chacha20_ietf(m_buf.data(), m_buf.size(), nonce, m_key.data());
  m_pos = 0;
}

void RandomStream::fill(uint8_t* out, size_t n) {
  while (n > 0) {
    if (m_pos == m_buf.size()) refill();
    size_t take = std::min(n, m_buf.size() - m_pos);
    std::memcpy(out, m_buf.data() + m_pos, take);
    m_pos += take;
    out += take;
    n -= take;
  }
}

const uint8_t* RandomStream::take(size_t n) {
  static_assert(sizeof m_buf >= 64);
  if (n > 64) throw Error(Exit::internal, "RandomStream::take: at most 64 bytes at a time");
  if (m_buf.size() - m_pos < n) refill();  // (the rest is overwritten)
  const uint8_t* p = m_buf.data() + m_pos;
  m_pos += n;
  return p;
}

size_t RandomStream::below(size_t n) {
  if (n <= 1) return 0;
  // D. Lemire, "Fast Random Integer Generation in an Interval" (ACM TOMACS
  // 29(1), 2019): the high word of r * n is uniform in [0, n) once the r
  // whose low word falls below 2^64 mod n are rejected; the division that
  // finds 2^64 mod n is needed only when the low word is that small.
  auto draw = [this, n] {
    uint64_t r;
    std::memcpy(&r, take(sizeof r), sizeof r);
    return static_cast<unsigned __int128>(r) * n;
  };
  unsigned __int128 m = draw();
  if (static_cast<uint64_t>(m) < n) {
    const uint64_t reject_below = (0 - static_cast<uint64_t>(n)) % n;  // 2^64 mod n
    while (static_cast<uint64_t>(m) < reject_below) m = draw();
  }
  return static_cast<size_t>(m >> 64);
}

}  // namespace hc::crypto

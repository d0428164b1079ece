// A fast CSPRNG for many small random values of one task (one document's
// salts and decoys): one 256-bit key drawn from the system RNG, expanded
// with the ChaCha20 stream cipher (libsodium, RFC 8439 ChaCha20, a fresh
// nonce for every block of output) — the construction of libsodium's own
// randombytes and of arc4random. The system RNG is asked once per stream
// instead of reading the kernel's generator for every byte.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace hc::crypto {

class RandomStream {
 public:
  /// Draws the key from the system RNG (Error{internal} if it fails).
  RandomStream();
  ~RandomStream();  ///< wipes the key and the unused output
  RandomStream(const RandomStream&) = delete;
  RandomStream& operator=(const RandomStream&) = delete;

  /// Fills out[0..n) with random bytes; the bytes given out are wiped here.
  void fill(uint8_t* out, size_t n);
  /// Uniform in [0, n) (0 for n <= 1), by rejection sampling.
  size_t below(size_t n);

 private:
  void refill();

  std::array<uint8_t, 32> m_key{};
  uint64_t m_counter = 0;             ///< nonce of the next block
  std::array<uint8_t, 512> m_buf{};
  size_t m_pos = 512;
};

}  // namespace hc::crypto

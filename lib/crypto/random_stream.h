// A fast CSPRNG for many small random values of one task (one document's
// salts and decoys): one 256-bit key drawn from the system RNG, expanded
// with the ChaCha20 stream cipher (libsodium, RFC 8439 ChaCha20, a fresh
// nonce for every block of output) — the construction of libsodium's own
// randombytes and of arc4random. Each stream's key is 32 bytes of the
// system RNG's output, read ahead 1 KiB at a time per thread into memory
// that a fork() child sees wiped (see KeyPool in random_stream.cpp); the
// kernel's generator is not read for every byte, nor for every stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace hc::crypto {

class RandomStream {
 public:
  /// Takes its key from the system RNG (Error{internal} if it fails).
  RandomStream();
  ~RandomStream();  ///< wipes the key and the unused output
  RandomStream(const RandomStream&) = delete;
  RandomStream& operator=(const RandomStream&) = delete;

  /// Fills out[0..n) with random bytes.
  void fill(uint8_t* out, size_t n);
  /// n fresh random bytes (n <= 64) inside the stream's own buffer, valid
  /// until the next call: for values used once and at once (a salt to
  /// encode, a number to hash), with no copy to wipe afterwards.
  const uint8_t* take(size_t n);
  /// Uniform in [0, n) (0 for n <= 1), by rejection sampling.
  size_t below(size_t n);

 private:
  void refill();

  std::array<uint8_t, 32> m_key{};
  uint64_t m_counter = 0;             ///< nonce of the next block
  /// Output not yet given out starts at m_pos. Output given out stays until
  /// the next refill overwrites it or the destructor wipes it: a stream
  /// serves one task (one document), and wiping every value as it goes out
  /// cost more than the rest of the stream.
  std::array<uint8_t, 1024> m_buf{};
  size_t m_pos = 1024;
};

}  // namespace hc::crypto

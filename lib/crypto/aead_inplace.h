// ChaCha20-Poly1305 (RFC 8439) over caller-owned buffers, without copies: the
// form a chunked stream (age's STREAM) needs to run near the raw cipher's speed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace hc::crypto {

class ChaCha20Poly1305InPlace {
 public:
  static constexpr size_t k_key_size = 32, k_nonce_size = 12, k_tag_size = 16;
  explicit ChaCha20Poly1305InPlace(const uint8_t* key);
  ~ChaCha20Poly1305InPlace();
  ChaCha20Poly1305InPlace(const ChaCha20Poly1305InPlace&) = delete;
  ChaCha20Poly1305InPlace& operator=(const ChaCha20Poly1305InPlace&) = delete;

  /// Encrypts buf[0, len) in place (no associated data) and writes the
  /// 16-byte tag to `tag`.
  void seal(const uint8_t* nonce, uint8_t* buf, size_t len, uint8_t* tag);
  /// Decrypts buf[0, len) in place if `tag` authenticates it. On failure it
  /// returns false and buf is wiped: unauthenticated plaintext never survives.
  bool open(const uint8_t* nonce, uint8_t* buf, size_t len, const uint8_t* tag);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace hc::crypto

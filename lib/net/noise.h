// The Noise Protocol Framework (revision 34), exactly one protocol:
// Noise_XX_25519_ChaChaPoly_SHA256, built from lib/crypto's primitives
// (X25519 refusing the all-zero shared secret, ChaCha20-Poly1305, SHA-256,
// HMAC-SHA-256). Function names follow the specification's sections 5.1–5.3
// so the code can be read against it. Checked against the cacophony and snow
// test vectors (tests/data/net/).
#pragma once

#include <hc/crypto/crypto.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace hc::net {

using crypto::Bytes;
using crypto::Hash256;
using crypto::SecretBytes;
using crypto::X25519Public;

/// Noise's hard limit on any one message (§3).
constexpr size_t k_noise_max_message = 65535;
constexpr size_t k_noise_tag = 16;
constexpr std::string_view k_noise_protocol = "Noise_XX_25519_ChaChaPoly_SHA256";

/// §5.1 CipherState: a ChaCha20-Poly1305 key (or none) and a 64-bit nonce.
class CipherState {
 public:
  CipherState() = default;
  void initialize_key(const uint8_t* key32);
  bool has_key() const { return m_aead != nullptr; }
  uint64_t nonce() const { return m_n; }
  /// Without a key the plaintext is returned unchanged (the specification's rule).
  Bytes encrypt_with_ad(std::string_view ad, std::string_view plaintext);
  /// Throws Error{invalid} when authentication fails.
  Bytes decrypt_with_ad(std::string_view ad, std::string_view ciphertext);
  /// In place, for the transport phase: `buf` plaintext → ciphertext||tag.
  void encrypt_in_place(Bytes& buf);
  /// In place: ciphertext||tag → plaintext; false when authentication fails.
  bool decrypt_in_place(Bytes& buf);

 private:
  void next_nonce(uint8_t out[12]);
  std::unique_ptr<crypto::ChaCha20Poly1305> m_aead;
  uint64_t m_n = 0;
};

/// The transport phase: one cipher for each direction, and the handshake hash
/// (a channel binding both sides share).
struct Transport {
  CipherState send, recv;
  Hash256 handshake_hash{};
  X25519Public remote_static{};
};

/// §5.3 HandshakeState for the XX pattern:
///   -> e
///   <- e, ee, s, es
///   -> s, se
class HandshakeXX {
 public:
  /// `static_secret` is this side's 32-byte X25519 scalar. `ephemeral`, if
  /// given, fixes the ephemeral scalar (test vectors only); otherwise a fresh
  /// one comes from the system RNG.
  HandshakeXX(bool initiator, const SecretBytes& static_secret, std::string_view prologue,
              std::optional<SecretBytes> ephemeral = std::nullopt);

  /// True when it is this side's turn to write.
  bool my_turn() const;
  bool complete() const { return m_step >= 3; }
  /// Writes the next handshake message carrying `payload`.
  Bytes write_message(std::string_view payload);
  /// Reads the next handshake message and returns its payload. Throws
  /// Error{invalid} on a short message, a low-order key or a bad tag.
  Bytes read_message(std::string_view message);
  /// The remote static key, known once it has been read (message 2 for the
  /// initiator, message 3 for the responder).
  std::optional<X25519Public> remote_static() const { return m_rs; }
  const Hash256& handshake_hash() const { return m_h; }
  /// §5.2 Split(), after message 3: the transport ciphers for this side.
  Transport split();

 private:
  // §5.2 SymmetricState
  void mix_key(const SecretBytes& ikm);
  void mix_hash(std::string_view data);
  Bytes encrypt_and_hash(std::string_view plaintext);
  Bytes decrypt_and_hash(std::string_view ciphertext);
  SecretBytes dh(const SecretBytes& secret, const X25519Public& pub);

  bool m_initiator;
  int m_step = 0;  // messages done: 0, 1, 2, 3
  Hash256 m_h{}, m_ck{};
  CipherState m_cs;
  SecretBytes m_s, m_e;
  X25519Public m_s_pub{}, m_e_pub{};
  std::optional<X25519Public> m_rs, m_re;
};

/// §4.3 HKDF with HMAC-SHA-256: two 32-byte outputs from `chaining_key` and `ikm`.
void noise_hkdf2(const Hash256& chaining_key, const uint8_t* ikm, size_t ikm_len, Hash256& out1, Hash256& out2);

}  // namespace hc::net

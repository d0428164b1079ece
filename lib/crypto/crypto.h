// Thin wrappers over Botan 2 (and libsodium for Ed25519): the only primitives
// hc uses. Nothing here is home-made cryptography.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hc::crypto {

using Bytes = std::vector<uint8_t>;

/// Overwrites memory in a way the compiler may not elide.
void secure_zero(void* p, size_t n) noexcept;

/// An allocator that wipes memory before releasing it, for secrets.
template <class T>
struct ZeroingAllocator {
  using value_type = T;
  ZeroingAllocator() = default;
  template <class U>
  ZeroingAllocator(const ZeroingAllocator<U>&) noexcept {}
  T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, size_t n) noexcept {
    secure_zero(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const ZeroingAllocator<U>&) const noexcept { return true; }
};

/// Bytes that hold a secret: wiped when freed, never printed.
using SecretBytes = std::vector<uint8_t, ZeroingAllocator<uint8_t>>;
/// A passphrase or other secret text.
using SecretString = std::basic_string<char, std::char_traits<char>, ZeroingAllocator<char>>;

using Hash256 = std::array<uint8_t, 32>;

inline std::string_view as_chars(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }
inline const uint8_t* as_bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

/// Cryptographically secure random bytes from the system RNG.
void random_bytes(uint8_t* out, size_t n);
Bytes random_bytes(size_t n);

/// SHA-256 of a message.
Hash256 sha256(std::string_view data);
Hash256 sha256(const uint8_t* data, size_t n);
/// The same, written to out[0..32): for digests that go straight into a
/// buffer (a copy of a just-returned digest waits for its stores).
void sha256(const uint8_t* data, size_t n, uint8_t* out);
/// SHA-256 of each of `count` 16-byte messages (SD-JWT decoys' random
/// numbers) at data[16 i], written to out[32 i..32 i + 32): the digests
/// sha256(data + 16 i, 16, ...) gives, for callers that make dozens per
/// document.
void sha256_of_16(const uint8_t* data, size_t count, uint8_t* out);

/// Incremental SHA-256, for streams and Merkle hashing without copies.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256& update(const uint8_t* data, size_t n);
  Sha256& update(std::string_view data) { return update(as_bytes(data), data.size()); }
  Sha256& update(uint8_t byte) { return update(&byte, 1); }
  /// Returns the digest and resets the state for reuse.
  Hash256 final();
  /// The same, written to out[0..32).
  void final(uint8_t* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// HMAC-SHA-256.
Hash256 hmac_sha256(const uint8_t* key, size_t key_len, std::string_view data);

/// HKDF-SHA-256 (RFC 5869): extract with `salt`, expand with `info`.
SecretBytes hkdf_sha256(const uint8_t* ikm, size_t ikm_len, std::string_view salt, std::string_view info,
                        size_t out_len);

/// Argon2id (RFC 9106) from Botan's PasswordHashFamily.
struct Argon2Params {
  uint32_t memory_kib = 65536;  ///< 64 MiB: RFC 9106's second recommended option
  uint32_t iterations = 3;
  uint32_t parallelism = 1;
};
SecretBytes argon2id(std::string_view passphrase, const uint8_t* salt, size_t salt_len, const Argon2Params& params,
                     size_t out_len);

/// ChaCha20-Poly1305 (RFC 8439) with a fixed key, reused across messages.
class ChaCha20Poly1305 {
 public:
  static constexpr size_t k_key_size = 32, k_nonce_size = 12, k_tag_size = 16;
  explicit ChaCha20Poly1305(const uint8_t* key);
  ~ChaCha20Poly1305();
  /// Encrypts `plaintext`, returning ciphertext || tag.
  Bytes seal(const uint8_t* nonce, std::string_view plaintext, std::string_view aad = {});
  /// In place: `buf` holds plaintext on entry and ciphertext || tag on return.
  void seal_in_place(const uint8_t* nonce, Bytes& buf, std::string_view aad = {});
  /// Decrypts ciphertext || tag; false if authentication fails (no output then).
  bool open(const uint8_t* nonce, std::string_view ciphertext, SecretBytes& plaintext, std::string_view aad = {});
  /// In place: `buf` holds ciphertext || tag on entry, plaintext on success.
  bool open_in_place(const uint8_t* nonce, Bytes& buf, std::string_view aad = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// ---- Ed25519 (RFC 8032) ---------------------------------------------------

using Ed25519Public = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;

/// The public key of a 32-byte Ed25519 seed (the RFC 8032 private key).
Ed25519Public ed25519_public(const SecretBytes& seed);
/// Signs `message` with a 32-byte seed (pure Ed25519, RFC 8032 §5.1.6).
Ed25519Signature ed25519_sign(const SecretBytes& seed, std::string_view message);

/// hc's one Ed25519 acceptance rule, used by every tool and node, so that
/// nodes never disagree on validity: libsodium 1.0.18's strict rule.
/// A signature is accepted only if it is 64 bytes, S is canonical (S < L),
/// A and R are canonical encodings and neither is of small order, and the
/// cofactorless equation [S]B = R + [k]A holds. Pinned by the 914-vector test
/// (tests/lib/crypto/ed25519_vectors_test.cpp).
bool ed25519_verify(const uint8_t* public_key, size_t public_len, std::string_view message,
                    const uint8_t* signature, size_t signature_len);
inline bool ed25519_verify(const Ed25519Public& pk, std::string_view message, const Ed25519Signature& sig) {
  return ed25519_verify(pk.data(), pk.size(), message, sig.data(), sig.size());
}

// ---- X25519 (RFC 7748) ----------------------------------------------------

using X25519Public = std::array<uint8_t, 32>;
/// The public point of a 32-byte X25519 secret scalar.
X25519Public x25519_public(const SecretBytes& secret);
/// The shared secret; throws Error{invalid} if it is all zeros (a low-order
/// peer point, RFC 7748 §6.1), which every protocol here must refuse.
SecretBytes x25519(const SecretBytes& secret, const uint8_t* peer_public);

/// Equality in time that depends only on the length.
bool constant_time_equal(const uint8_t* a, const uint8_t* b, size_t n) noexcept;

// ---- Encodings (not secret-safe: never use on secrets that must not leak via timing)

std::string hex(const uint8_t* data, size_t n);
template <size_t N>
std::string hex(const std::array<uint8_t, N>& a) { return hex(a.data(), N); }
inline std::string hex(const Bytes& b) { return hex(b.data(), b.size()); }
/// Strict lowercase/uppercase hex; throws Error{data}.
Bytes unhex(std::string_view text);

/// base64url without padding (RFC 4648 §5), as JOSE uses it.
std::string base64url(const uint8_t* data, size_t n);
inline std::string base64url(std::string_view s) { return base64url(as_bytes(s), s.size()); }
/// Strict: no padding, no whitespace, canonical trailing bits. Throws Error{data}.
Bytes unbase64url(std::string_view text);
/// The same decoding into text (for JSON inside JOSE parts), without a copy.
std::string unbase64url_text(std::string_view text);
/// base64url of data[0..n), appended to `out` (no temporary string).
void base64url_append(std::string& out, const uint8_t* data, size_t n);
/// unbase64url_text into `out` (its contents replaced, its capacity reused
/// across calls). Same checks and errors; `out` is unspecified after one.
void unbase64url_text_into(std::string_view text, std::string& out);
/// Standard base64 (RFC 4648 §4); `padded` selects "=" padding.
std::string base64(const uint8_t* data, size_t n, bool padded = true);
/// Strict standard base64; `padded` says whether "=" padding is required
/// (true) or forbidden (false). Throws Error{data}.
Bytes unbase64(std::string_view text, bool padded = true);

}  // namespace hc::crypto

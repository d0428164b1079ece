// Botan 2 / libsodium behind hc types. Botan exceptions become hc::Error here.
#include <hc/crypto/crypto.h>

#include <hc/core/error.h>

#include <botan/aead.h>
#include <botan/curve25519.h>
#include <botan/hash.h>
#include <botan/kdf.h>
#include <botan/mac.h>
#include <botan/mem_ops.h>
#include <botan/pwdhash.h>
#include <botan/sha2_32.h>
#include <botan/system_rng.h>
#include <sodium.h>

#include <cstring>

namespace hc::crypto {
namespace {

struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) throw Error(Exit::internal, "libsodium failed to initialise");
  }
};
void ensure_sodium() { static SodiumInit once; }

}  // namespace

void secure_zero(void* p, size_t n) noexcept { Botan::secure_scrub_memory(p, n); }

void random_bytes(uint8_t* out, size_t n) {
  try {
    Botan::system_rng().randomize(out, n);
  } catch (const std::exception& e) {
    throw Error(Exit::internal, std::string("system random generator failed: ") + e.what());
  }
}

Bytes random_bytes(size_t n) {
  Bytes b(n);
  random_bytes(b.data(), n);
  return b;
}

struct Sha256::Impl {
  std::unique_ptr<Botan::HashFunction> hash = Botan::HashFunction::create_or_throw("SHA-256");
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

Sha256& Sha256::update(const uint8_t* data, size_t n) {
  m_impl->hash->update(data, n);
  return *this;
}

Hash256 Sha256::final() {
  Hash256 out;
  m_impl->hash->final(out.data());
  return out;
}

void Sha256::final(uint8_t* out) { m_impl->hash->final(out); }

void sha256(const uint8_t* data, size_t n, uint8_t* out) {
  thread_local Sha256 hasher;
  hasher.update(data, n).final(out);
}

void sha256_of_16(const uint8_t* data, size_t count, uint8_t* out) {
  // A 16-byte message is one block once padded (FIPS 180-4 §5.1.1: the
  // message, the bit 1, zeros, and the length in bits, 128, in the last 8
  // bytes), so its digest is one call of Botan's compression function from
  // the initial hash value (§5.3.3), written big-endian (§6.2.2). Botan's
  // buffered interface spends about a tenth of a one-block hash on copying,
  // padding and clearing; a signer makes some sixty of these per document.
  // tests/lib/crypto/fast_paths_test.cpp holds it to sha256() byte for byte.
  static constexpr uint32_t k_initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  thread_local Botan::secure_vector<uint32_t> state(8);
  uint8_t block[64] = {};
  block[16] = 0x80;
  block[63] = 128;
  for (size_t k = 0; k < count; ++k, data += 16, out += 32) {
    std::memcpy(block, data, 16);
    std::memcpy(state.data(), k_initial, sizeof k_initial);
    Botan::SHA_256::compress_digest(state, block, 1);
    for (size_t i = 0; i < 8; ++i) {
      const uint32_t w = state[i];
      out[4 * i] = static_cast<uint8_t>(w >> 24);
      out[4 * i + 1] = static_cast<uint8_t>(w >> 16);
      out[4 * i + 2] = static_cast<uint8_t>(w >> 8);
      out[4 * i + 3] = static_cast<uint8_t>(w);
    }
  }
  secure_zero(block, 16);  // as Botan wipes its block buffer
}

Hash256 sha256(const uint8_t* data, size_t n) {
  Hash256 out;
  sha256(data, n, out.data());
  return out;
}

Hash256 sha256(std::string_view data) { return sha256(as_bytes(data), data.size()); }

Hash256 hmac_sha256(const uint8_t* key, size_t key_len, std::string_view data) {
  auto mac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(SHA-256)");
  mac->set_key(key, key_len);
  mac->update(as_bytes(data), data.size());
  Hash256 out;
  mac->final(out.data());
  return out;
}

SecretBytes hkdf_sha256(const uint8_t* ikm, size_t ikm_len, std::string_view salt, std::string_view info,
                        size_t out_len) {
  auto kdf = Botan::KDF::create_or_throw("HKDF(SHA-256)");
  auto key = kdf->derive_key(out_len, ikm, ikm_len, as_bytes(salt), salt.size(), as_bytes(info), info.size());
  return SecretBytes(key.begin(), key.end());
}

SecretBytes argon2id(std::string_view passphrase, const uint8_t* salt, size_t salt_len, const Argon2Params& params,
                     size_t out_len) {
  try {
    auto family = Botan::PasswordHashFamily::create_or_throw("Argon2id");
    auto hash = family->from_params(params.memory_kib, params.iterations, params.parallelism);
    SecretBytes out(out_len);
    hash->derive_key(out.data(), out.size(), passphrase.data(), passphrase.size(), salt, salt_len);
    return out;
  } catch (const std::bad_alloc&) {
    throw Error(Exit::internal, "not enough memory for Argon2id");
  } catch (const Botan::Exception& e) {
    throw Error(Exit::data, std::string("bad Argon2id parameters: ") + e.what());
  }
}

struct ChaCha20Poly1305::Impl {
  std::unique_ptr<Botan::AEAD_Mode> enc = Botan::AEAD_Mode::create_or_throw("ChaCha20Poly1305", Botan::ENCRYPTION);
  std::unique_ptr<Botan::AEAD_Mode> dec = Botan::AEAD_Mode::create_or_throw("ChaCha20Poly1305", Botan::DECRYPTION);
  Botan::secure_vector<uint8_t> buf;
};

ChaCha20Poly1305::ChaCha20Poly1305(const uint8_t* key) : m_impl(std::make_unique<Impl>()) {
  m_impl->enc->set_key(key, k_key_size);
  m_impl->dec->set_key(key, k_key_size);
}
ChaCha20Poly1305::~ChaCha20Poly1305() = default;

void ChaCha20Poly1305::seal_in_place(const uint8_t* nonce, Bytes& buf, std::string_view aad) {
  auto& m = *m_impl->enc;
  m.set_associated_data(as_bytes(aad), aad.size());
  m.start(nonce, k_nonce_size);
  // Botan's finish() works on secure_vector; copy through it once.
  m_impl->buf.assign(buf.begin(), buf.end());
  m.finish(m_impl->buf);
  buf.assign(m_impl->buf.begin(), m_impl->buf.end());
}

Bytes ChaCha20Poly1305::seal(const uint8_t* nonce, std::string_view plaintext, std::string_view aad) {
  Bytes buf(as_bytes(plaintext), as_bytes(plaintext) + plaintext.size());
  seal_in_place(nonce, buf, aad);
  return buf;
}

bool ChaCha20Poly1305::open_in_place(const uint8_t* nonce, Bytes& buf, std::string_view aad) {
  if (buf.size() < k_tag_size) return false;
  auto& m = *m_impl->dec;
  try {
    m.set_associated_data(as_bytes(aad), aad.size());
    m.start(nonce, k_nonce_size);
    m_impl->buf.assign(buf.begin(), buf.end());
    m.finish(m_impl->buf);
  } catch (const Botan::Invalid_Authentication_Tag&) {
    m.reset();
    return false;
  }
  buf.assign(m_impl->buf.begin(), m_impl->buf.end());
  return true;
}

bool ChaCha20Poly1305::open(const uint8_t* nonce, std::string_view ciphertext, SecretBytes& plaintext,
                            std::string_view aad) {
  Bytes buf(as_bytes(ciphertext), as_bytes(ciphertext) + ciphertext.size());
  bool ok = open_in_place(nonce, buf, aad);
  if (ok) plaintext.assign(buf.begin(), buf.end());
  secure_zero(buf.data(), buf.size());
  return ok;
}

Ed25519Public ed25519_public(const SecretBytes& seed) {
  ensure_sodium();
  if (seed.size() != crypto_sign_SEEDBYTES) throw Error(Exit::internal, "Ed25519 seed must be 32 bytes");
  Ed25519Public pk;
  SecretBytes sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  return pk;
}

Ed25519Signature ed25519_sign(const SecretBytes& seed, std::string_view message) {
  ensure_sodium();
  if (seed.size() != crypto_sign_SEEDBYTES) throw Error(Exit::internal, "Ed25519 seed must be 32 bytes");
  Ed25519Public pk;
  SecretBytes sk(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  Ed25519Signature sig;
  crypto_sign_detached(sig.data(), nullptr, as_bytes(message), message.size(), sk.data());
  return sig;
}

bool ed25519_verify(const uint8_t* public_key, size_t public_len, std::string_view message, const uint8_t* signature,
                    size_t signature_len) {
  ensure_sodium();
  // Lengths first: a wrong-length input is invalid, never an exception.
  if (public_len != crypto_sign_PUBLICKEYBYTES || signature_len != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(signature, as_bytes(message), message.size(), public_key) == 0;
}

X25519Public x25519_public(const SecretBytes& secret) {
  if (secret.size() != 32) throw Error(Exit::internal, "X25519 secret must be 32 bytes");
  X25519Public pub;
  Botan::curve25519_basepoint(pub.data(), secret.data());
  return pub;
}

SecretBytes x25519(const SecretBytes& secret, const uint8_t* peer_public) {
  if (secret.size() != 32) throw Error(Exit::internal, "X25519 secret must be 32 bytes");
  SecretBytes shared(32);
  Botan::curve25519_donna(shared.data(), secret.data(), peer_public);
  uint8_t acc = 0;
  for (uint8_t b : shared) acc |= b;
  if (acc == 0) throw Error(Exit::invalid, "X25519 peer key is of low order (all-zero shared secret)");
  return shared;
}

bool constant_time_equal(const uint8_t* a, const uint8_t* b, size_t n) noexcept {
  return Botan::constant_time_compare(a, b, n);
}

}  // namespace hc::crypto

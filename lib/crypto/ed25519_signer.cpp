// Ed25519 signing with a once-expanded libsodium key (see ed25519_signer.h).
#include <hc/crypto/ed25519_signer.h>

#include <hc/core/error.h>

#include <sodium.h>

namespace hc::crypto {

Ed25519Signer::Ed25519Signer(const SecretBytes& seed) : m_secret(crypto_sign_SECRETKEYBYTES) {
  if (sodium_init() < 0) throw Error(Exit::internal, "libsodium failed to initialise");
  if (seed.size() != crypto_sign_SEEDBYTES) throw Error(Exit::internal, "Ed25519 seed must be 32 bytes");
  crypto_sign_seed_keypair(m_public.data(), m_secret.data(), seed.data());
}

Ed25519Signature Ed25519Signer::sign(std::string_view message) const {
  Ed25519Signature sig;
  crypto_sign_detached(sig.data(), nullptr, as_bytes(message), message.size(), m_secret.data());
  return sig;
}

}  // namespace hc::crypto

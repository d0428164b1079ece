// Ed25519 signing with the key expanded once: crypto::ed25519_sign derives
// the libsodium secret key (a scalar multiplication as costly as the signature
// itself) on every call, which a signer of many documents need not repeat.
#pragma once

#include <hc/crypto/crypto.h>

#include <string_view>

namespace hc::crypto {

class Ed25519Signer {
 public:
  /// From a 32-byte seed (RFC 8032 private key); Error{internal} otherwise.
  explicit Ed25519Signer(const SecretBytes& seed);
  /// The same signature as ed25519_sign(seed, message) (Ed25519 is deterministic).
  Ed25519Signature sign(std::string_view message) const;
  const Ed25519Public& public_key() const { return m_public; }

 private:
  SecretBytes m_secret;  ///< libsodium's 64-byte secret key (seed || public), wiped when freed
  Ed25519Public m_public{};
};

}  // namespace hc::crypto

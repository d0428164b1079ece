// hc key files: the private key file (Ed25519 signing key, X25519 encryption
// key and a root for per-relationship pseudonyms, sealed under a passphrase
// with Argon2id and ChaCha20-Poly1305) and the public key file. Formats are in
// hc-formats(5).
#pragma once

#include <hc/crypto/crypto.h>
#include <hc/json/json.h>

#include <functional>
#include <string>

namespace hc::keys {

enum class Role { doctor, patient, org };
const char* role_name(Role r);
/// Parses "doctor" | "patient" | "org"; throws Error{usage}.
Role parse_role(std::string_view name);

/// The key ID (and a patient's public ID): the first 16 hex digits of
/// SHA-256 of the Ed25519 public key, shown the same way everywhere.
std::string key_id(const crypto::Ed25519Public& pk);

/// The public key file: who, and both public keys.
struct PublicKey {
  Role role = Role::org;
  std::string label;
  std::string key_id;
  crypto::Ed25519Public ed25519{};
  crypto::X25519Public x25519{};
  std::string created;  ///< RFC 3339 UTC

  json::Value to_json() const;
  /// Checks the version tag, both keys' lengths and that key_id matches the
  /// signing key. Throws Error{data} naming `source` and the field.
  static PublicKey from_json(const json::Value& v, const std::string& source);
};

/// A decrypted private key. Secret bytes are wiped when it is destroyed.
struct SecretKey {
  PublicKey pub;
  crypto::SecretBytes ed25519_seed;    ///< 32 bytes (RFC 8032 private key)
  crypto::SecretBytes x25519_secret;   ///< 32 bytes (RFC 7748 scalar)
  crypto::SecretBytes pseudonym_root;  ///< 32 bytes, input to HKDF

  crypto::Ed25519Signature sign(std::string_view message) const {
    return crypto::ed25519_sign(ed25519_seed, message);
  }
  /// The pseudonymous key this key holder uses towards one relationship
  /// (a hospital, a study): HKDF-SHA-256(pseudonym_root, info =
  /// "hc pseudonym v1" || context). Deterministic, so nothing new is stored,
  /// and unlinkable without the root. Its role is patient, its label the context.
  SecretKey pseudonym(std::string_view context) const;
};

/// A fresh key from the system RNG. `created` is an RFC 3339 UTC time.
SecretKey generate(Role role, std::string label, std::string created);

/// Argon2id cost for new key files (tests lower it).
struct SealOptions {
  crypto::Argon2Params argon2;
};

/// The private key file's text. `passphrase` null stores the secrets in the
/// clear (the file says so in its "kdf" member).
std::string encode_secret(const SecretKey& key, const crypto::SecretString* passphrase,
                          const SealOptions& options = {});

/// Called only when the file is encrypted.
using PassphraseFn = std::function<crypto::SecretString()>;

/// Parses and decrypts a private key file. Wrong passphrase or any change to
/// the file → Error{perm} ("wrong passphrase or damaged key file"); malformed
/// text → Error{data}.
SecretKey decode_secret(std::string_view text, const std::string& source, const PassphraseFn& passphrase);
/// True if the file's secrets are passphrase-protected.
bool secret_is_encrypted(std::string_view text, const std::string& source);

/// Reads a private key file, refusing one that others can read (mode must
/// not grant group/other access: Error{perm}).
SecretKey load_secret(const std::string& path, const PassphraseFn& passphrase);
/// Reads a public key file, or derives the public part of a private key file
/// (no passphrase needed: the public keys are stored in the clear).
PublicKey load_public(const std::string& path);

/// SubjectPublicKeyInfo PEM of the Ed25519 key (RFC 8410), for openssl.
std::string to_pem(const PublicKey& pk);
/// RFC 8037 OKP JWK of the Ed25519 key, with "kid" = key ID.
json::Value to_jwk(const PublicKey& pk);

/// Current time as RFC 3339 UTC with seconds ("2026-11-26T14:00:00Z").
std::string now_rfc3339();

}  // namespace hc::keys

namespace hc::keys {

/// Writes PREFIX.key (mode 0600, created exclusively) and PREFIX.pub. Refuses
/// (Error{cant_create}) if either exists; never leaves one without the other.
void write_key_pair(const std::string& prefix, const SecretKey& key, const crypto::SecretString* passphrase,
                    const SealOptions& options = {});

/// Re-encrypts a private key file under a new passphrase, replacing it
/// atomically (the old file stays whole until the new one is synced).
void change_passphrase(const std::string& path, const PassphraseFn& old_passphrase,
                       const crypto::SecretString* new_passphrase, const SealOptions& options = {});

}  // namespace hc::keys

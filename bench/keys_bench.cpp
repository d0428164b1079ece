// hc-keygen's work: generating a key pair and sealing the key file, against
// the primitives it cannot avoid (libsodium Ed25519 key generation; Argon2id
// at the same cost), measured in the same run.
#include "bench.h"

#include <hc/crypto/crypto.h>
#include <hc/keys/keys.h>

#include <sodium.h>

HC_BENCHMARK("keys/generate") {
  double hc_rate = hc::bench::rate([]() -> size_t {
    auto k = hc::keys::generate(hc::keys::Role::doctor, "D", "2026-11-26T10:00:00Z");
    return k.pub.key_id.size() == 16;
  }, hc::bench::seconds());
  if (sodium_init() < 0) return;
  double raw = hc::bench::rate([]() -> size_t {
    unsigned char pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    return 1;
  }, hc::bench::seconds());
  hc::bench::report("keys/generate (Ed25519+X25519+root)", hc_rate, "keys/s", "libsodium Ed25519 keypair", raw);
}

HC_BENCHMARK("keys/seal") {
  // Default cost (64 MiB, 3 passes): the passphrase work dominates by design.
  auto key = hc::keys::generate(hc::keys::Role::doctor, "D", "2026-11-26T10:00:00Z");
  hc::crypto::SecretString pw("benchmark passphrase");
  double hc_rate = hc::bench::rate([&]() -> size_t { return hc::keys::encode_secret(key, &pw).size() > 0; },
                                   hc::bench::seconds());
  hc::crypto::Bytes salt(16, 1);
  double raw = hc::bench::rate([&]() -> size_t {
    return hc::crypto::argon2id("benchmark passphrase", salt.data(), salt.size(), {}, 32).size() == 32;
  }, hc::bench::seconds());
  hc::bench::report("keys/seal key file (Argon2id 64 MiB t=3)", hc_rate, "files/s", "Argon2id alone", raw, 0.9);
}

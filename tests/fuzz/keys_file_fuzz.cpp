// Fuzzes the key-file parsers: private (unencrypted and encrypted forms) and
// public. Any input must be refused with hc::Error or yield a consistent key.
#include <hc/core/error.h>
#include <hc/keys/keys.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto pk = hc::keys::PublicKey::from_json(hc::json::parse(text, "fuzz"), "fuzz");
    if (pk.key_id != hc::keys::key_id(pk.ed25519)) std::abort();
  } catch (const hc::Error&) {
  }
  try {
    // A tiny Argon2 cost cap keeps the fuzzer fast; the parser bounds real files.
    auto key = hc::keys::decode_secret(text, "fuzz", [] { return hc::crypto::SecretString("pw"); });
    if (hc::crypto::ed25519_public(key.ed25519_seed) != key.pub.ed25519) std::abort();
  } catch (const hc::Error&) {
  }
  return 0;
}

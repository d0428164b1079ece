// Fuzzes the reveal proof and signed request parsers (untrusted: a verifier
// receives a proof from a patient, a patient a request from a grantee). Any input either fails with hc::Error or is a proof whose every
// signature verified for the fixed audience and challenge, which random
// input cannot produce: success means a bug.
#include <hc/core/error.h>
#include <hc/share/share.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hc::json::Value v;
  try {
    v = hc::json::parse(text, "fuzz", {.max_bytes = 1 << 20, .max_depth = 16});
  } catch (const hc::Error&) {
    return 0;
  }
  try {
    auto ids = hc::share::verify_reveal(v, "0123456789abcdef", "fuzz-challenge-0123456789", "fuzz");
    if (ids.size() < 2) std::abort();
    std::abort();  // no forged proof can verify
  } catch (const hc::Error& e) {
    if (e.code() != hc::Exit::data && e.code() != hc::Exit::invalid) std::abort();
  }
  static const hc::keys::PublicKey who = hc::keys::generate(hc::keys::Role::org, "fuzz", "2026-11-26T00:00:00Z").pub;
  try {
    hc::share::verify_request(v, who, "fuzz");
    std::abort();  // nobody else holds the key: no request can verify
  } catch (const hc::Error& e) {
    if (e.code() != hc::Exit::data && e.code() != hc::Exit::invalid) std::abort();
  }
  return 0;
}

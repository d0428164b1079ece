// Fuzzes the reveal proof parser (untrusted: a verifier receives it from a
// patient). Any input either fails with hc::Error or is a proof whose every
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
  return 0;
}

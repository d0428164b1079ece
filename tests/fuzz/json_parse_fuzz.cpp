// Fuzzes the strict JSON parser and RFC 8785: any input either fails with
// hc::Error or parses to a value whose canonical form parses back to itself.
#include <hc/core/error.h>
#include <hc/json/json.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hc::json::Value v;
  try {
    v = hc::json::parse(text, "fuzz", {.max_bytes = 1 << 20, .max_depth = 64});
  } catch (const hc::Error&) {
    return 0;
  }
  std::string c1 = hc::json::canonical(v);
  // Canonical output is valid JSON and canonicalisation is idempotent.
  std::string c2 = hc::json::canonical(hc::json::parse(c1, "canonical"));
  if (c1 != c2) std::abort();
  return 0;
}

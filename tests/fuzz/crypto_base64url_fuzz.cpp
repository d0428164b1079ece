// Differential fuzzing of strict base64url decoding: the decoder with its
// AVX2 blocks (unbase64url_text_into) and the portable one alone must give
// the same bytes or the same error for every text, and what they accept
// must be the one encoding of those bytes (base64url of it is the text).
// base64url_run must find the run of base64url scan::base64url_prefix finds.
#include <hc/core/byte_scan.h>
#include <hc/core/error.h>
#include <hc/crypto/base64url_simd.h>
#include <hc/crypto/crypto.h>

#include <cstdlib>

namespace {

std::string decoded_or_error(std::string_view text, bool portable) {
  std::string out;
  try {
    if (portable) hc::crypto::unbase64url_text_portable_into(text, out);
    else hc::crypto::unbase64url_text_into(text, out);
    return "ok:" + out;
  } catch (const hc::Error& e) {
    return "error:" + e.message();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string fast = decoded_or_error(text, false), slow = decoded_or_error(text, true);
  if (fast != slow) std::abort();
  if (fast.rfind("ok:", 0) == 0 && hc::crypto::base64url(std::string_view(fast).substr(3)) != text) std::abort();
  if (hc::crypto::base64url_run(text.data(), text.size()) != hc::scan::base64url_prefix(text.data(), text.size()))
    std::abort();
  return 0;
}

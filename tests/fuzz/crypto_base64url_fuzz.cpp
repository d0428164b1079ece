// Differential fuzzing of strict base64url decoding: the decoder with its
// AVX2 blocks (unbase64url_text_into) and the portable one alone must give
// the same bytes or the same error for every text, and what they accept
// must be the one encoding of those bytes (base64url of it is the text).
// base64url_run must find the run of base64url scan::base64url_prefix finds.
// Encoding, differential too: the input's bytes encoded by base64url_write
// and by each vector path this CPU has (AVX-512 VBMI, AVX2) must be the
// portable path's text and base64url()'s, with nothing written past it, and
// must decode back to the input.
#include <hc/core/byte_scan.h>
#include <hc/core/error.h>
#include <hc/crypto/base64url_simd.h>
#include <hc/crypto/crypto.h>

#include <cstdlib>
#include <cstring>
#include <vector>

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

/// Encodes data[0..size) with `write` into a buffer with guard bytes after
/// the text; aborts unless it is `want` and the guard is intact.
void check_encode(char* (*write)(char*, const uint8_t*, size_t), const uint8_t* data, size_t size,
                  const std::string& want) {
  std::vector<char> buf(want.size() + 64, '#');
  char* end = write(buf.data(), data, size);
  if (end != buf.data() + want.size() || std::memcmp(buf.data(), want.data(), want.size()) != 0) std::abort();
  for (size_t i = want.size(); i < buf.size(); ++i)
    if (buf[i] != '#') std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string fast = decoded_or_error(text, false), slow = decoded_or_error(text, true);
  if (fast != slow) std::abort();
  if (fast.rfind("ok:", 0) == 0 && hc::crypto::base64url(std::string_view(fast).substr(3)) != text) std::abort();
  if (hc::crypto::base64url_run(text.data(), text.size()) != hc::scan::base64url_prefix(text.data(), text.size()))
    std::abort();
  std::string want = hc::crypto::base64url(data, size);
  check_encode(hc::crypto::base64url_write_portable, data, size, want);
  check_encode(hc::crypto::base64url_write, data, size, want);
  if (hc::crypto::base64url_write_has_avx2()) check_encode(hc::crypto::base64url_write_avx2, data, size, want);
  if (hc::crypto::base64url_write_has_vbmi()) check_encode(hc::crypto::base64url_write_vbmi, data, size, want);
  if (hc::crypto::unbase64url_text(want) != text) std::abort();
  return 0;
}

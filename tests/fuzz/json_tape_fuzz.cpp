// Differential fuzzing of hc::json::Tape against parse(): a text the Tape
// reads, parse() reads too, to the same canonical (RFC 8785) text; a text
// parse() reads and the Tape does not is one the Tape leaves to parse() (a
// byte-order mark or a number token over 63 characters), and the Tape then
// reads parse()'s canonical text (hc-sign's fallback route).
#include <hc/core/error.h>
#include <hc/json/json.h>
#include <hc/json/tape.h>

#include <cstdlib>
#include <optional>

namespace {

bool left_to_parse(std::string_view text) {
  if (text.substr(0, 3) == "\xef\xbb\xbf") return true;
  size_t run = 0;
  for (char c : text) {
    bool number_char = (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    run = number_char ? run + 1 : 0;
    if (run > 63) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static hc::json::Tape tape;
  for (unsigned depth : {64u, 3u}) {
    hc::json::Limits limits{.max_bytes = 1 << 20, .max_depth = depth};
    std::optional<std::string> dom;
    try {
      dom = hc::json::canonical(hc::json::parse(text, "fuzz", limits));
    } catch (const hc::Error&) {
    }
    if (tape.read(text, limits)) {
      if (!dom) std::abort();  // the tape read a text parse() refuses
      std::string out;
      hc::json::canonical_append(out, tape, 0);
      if (out != *dom) std::abort();
    } else if (dom) {
      if (!left_to_parse(text)) std::abort();
      if (!tape.read(*dom, limits)) std::abort();
      std::string out;
      hc::json::canonical_append(out, tape, 0);
      if (out != *dom) std::abort();
    }
  }
  return 0;
}

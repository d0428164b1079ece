// base64url_write / base64url_append (base64url_simd.h): exactly the
// text base64url() gives, for every length and every byte value, on both
// the vectorised and the portable paths, never writing past its end; and
// the strict decoders, the same bytes or the same error on both paths.
#include <hc/crypto/base64url_simd.h>
#include <hc/core/byte_scan.h>
#include <hc/core/error.h>
#include <hc/crypto/crypto.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace hc::crypto;

TEST_CASE("base64url_write gives base64url's text for every length, in place") {
  INFO("vectorised: " << base64url_write_is_vectorised());
  auto data = random_bytes(400);
  for (size_t n = 0; n <= data.size(); ++n) {
    std::string want = base64url(data.data(), n);
    REQUIRE(base64url_size(n) == want.size());
    std::vector<char> buf(want.size() + 40, '#');
    char* end = base64url_write(buf.data() + 8, data.data(), n);
    CHECK(end == buf.data() + 8 + want.size());
    CHECK(std::string(buf.data() + 8, want.size()) == want);
    // Nothing before or after the text is touched.
    CHECK(std::string(buf.data(), 8) == std::string(8, '#'));
    CHECK(std::string(end, buf.data() + buf.size()) == std::string(buf.size() - 8 - want.size(), '#'));
    std::fill(buf.begin(), buf.end(), '#');
    end = base64url_write_portable(buf.data() + 8, data.data(), n);
    CHECK(end == buf.data() + 8 + want.size());
    CHECK(std::string(buf.data() + 8, want.size()) == want);
    CHECK(std::string(end, buf.data() + buf.size()) == std::string(buf.size() - 8 - want.size(), '#'));
    std::string out = "prefix";
    base64url_append(out, data.data(), n);
    CHECK(out == "prefix" + want);
  }
}

TEST_CASE("base64url_write maps every 6-bit value at every position of a vector step") {
  // Every byte value at every offset mod 24 (a vector step), so every
  // character class lands in every lane and slot.
  for (size_t shift = 0; shift < 24; ++shift) {
    std::vector<uint8_t> every(256 * 3 + shift);
    for (size_t i = 0; i < every.size(); ++i) every[i] = static_cast<uint8_t>((i + shift) * 7 + i / 256);
    std::string out;
    base64url_append(out, every.data(), every.size());
    CHECK(out == base64url(every.data(), every.size()));
  }
  // All 64 characters, in order: bytes 00 10 83 10 51 87 20 92 8b 30 d3 8f ...
  std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto raw = unbase64url(alphabet);
  std::string out;
  base64url_append(out, raw.data(), raw.size());
  CHECK(out == alphabet);
}

namespace {

/// What the strict decoder says about `text`: the bytes, or the error message.
std::string decoded_or_error(std::string_view text, bool portable) {
  std::string out = "stale contents";
  try {
    if (portable) unbase64url_text_portable_into(text, out);
    else unbase64url_text_into(text, out);
    return "ok:" + out;
  } catch (const hc::Error& e) {
    return "error:" + e.message();
  }
}

}  // namespace

TEST_CASE("base64url decoding gives the same bytes on both paths for every length") {
  INFO("vectorised: " << base64url_read_is_vectorised());
  auto data = random_bytes(400);
  for (size_t n = 0; n <= data.size(); ++n) {
    std::string text = base64url(data.data(), n);
    std::string want(data.begin(), data.begin() + static_cast<long>(n));
    CHECK(decoded_or_error(text, false) == "ok:" + want);
    CHECK(decoded_or_error(text, true) == "ok:" + want);
    CHECK(unbase64url_text(text) == want);
    CHECK(unbase64url(text) == Bytes(data.begin(), data.begin() + static_cast<long>(n)));
  }
}

TEST_CASE("base64url_read_blocks writes 24 bytes per valid block and nothing past them") {
  auto data = random_bytes(24 * 5);
  std::string text = base64url(data.data(), data.size());  // 160 characters
  for (size_t n = 0; n <= text.size(); ++n) {
    std::vector<uint8_t> buf(200, 0xA5);
    size_t read = base64url_read_blocks(buf.data() + 8, text.data(), n);
    if (base64url_read_is_vectorised()) CHECK(read == n / 32 * 32);
    else CHECK(read == 0);
    CHECK(std::equal(buf.begin() + 8, buf.begin() + 8 + static_cast<long>(read / 4 * 3), data.begin()));
    CHECK(std::all_of(buf.begin(), buf.begin() + 8, [](uint8_t b) { return b == 0xA5; }));
    CHECK(std::all_of(buf.begin() + 8 + static_cast<long>(read / 4 * 3), buf.end(), [](uint8_t b) { return b == 0xA5; }));
  }
  // A bad character stops it before its block.
  std::string bad = text;
  bad[70] = '+';
  std::vector<uint8_t> buf(200);
  CHECK(base64url_read_blocks(buf.data(), bad.data(), bad.size()) == (base64url_read_is_vectorised() ? 64u : 0u));
}

TEST_CASE("base64url decoding: every byte value at every position, both paths, same answer") {
  // A valid text of 2 blocks and a tail (every length class), each of its
  // characters replaced in turn by every byte value: both decoders agree
  // with each other and with the scalar definition (valid exactly when the
  // byte is of the alphabet and the trailing bits stay canonical).
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t len : {size_t{64}, size_t{66}, size_t{67}, size_t{68}, size_t{75}}) {
    std::string base;
    for (size_t i = 0; i < len; ++i) base += alphabet[(i * 37 + 11) % 64];
    if (len % 4 == 2) base.back() = 'A';  // canonical trailing bits
    if (len % 4 == 3) base.back() = 'E';
    for (size_t pos = 0; pos < len; ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string t = base;
        t[pos] = static_cast<char>(b);
        std::string fast = decoded_or_error(t, false), slow = decoded_or_error(t, true);
        if (fast != slow) {
          INFO("len " << len << " pos " << pos << " byte " << b);
          CHECK(fast == slow);
        }
        bool in_alphabet = alphabet.find(static_cast<char>(b)) != std::string::npos;
        if (!in_alphabet) {
          REQUIRE(slow == "error:bad base64url: unexpected character");
        } else if (slow.rfind("ok:", 0) == 0) {
          // Round trip: the bytes encode back to the text.
          CHECK(base64url(slow.substr(3)) == t);
        }
      }
    }
  }
  // Bad lengths and trailing bits are refused with the same words.
  for (std::string t : {std::string(65, 'A'), std::string(65, 'A') + "B", std::string(64, 'A') + "AAB",
                        std::string(96, 'A') + "+", std::string(97, 'A')}) {
    CHECK(decoded_or_error(t, false) == decoded_or_error(t, true));
    CHECK(decoded_or_error(t, false).rfind("error:", 0) == 0);
  }
}

TEST_CASE("base64url_run is scan::base64url_prefix for every byte value at every position") {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t len : {size_t{0}, size_t{1}, size_t{31}, size_t{32}, size_t{33}, size_t{64}, size_t{95}, size_t{100}}) {
    std::string base;
    for (size_t i = 0; i < len; ++i) base += alphabet[(i * 37 + 11) % 64];
    CHECK(base64url_run(base.data(), base.size()) == len);
    for (size_t pos = 0; pos < len; ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string t = base;
        t[pos] = static_cast<char>(b);
        size_t want = hc::scan::base64url_prefix(t.data(), t.size());
        size_t got = base64url_run(t.data(), t.size());
        if (got != want) {
          INFO("len " << len << " pos " << pos << " byte " << b);
          CHECK(got == want);
        }
      }
    }
  }
}

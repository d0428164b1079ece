// base64url_write / base64url_append (base64url_simd.h): exactly the
// text base64url() gives, for every length and every byte value, on both
// the vectorised and the portable paths, never writing past its end.
#include <hc/crypto/base64url_simd.h>
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

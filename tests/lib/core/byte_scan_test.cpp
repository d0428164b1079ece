// The eight-byte class tests agree with the one-byte definitions for every
// byte value at every position, and for random words.
#include <hc/core/byte_scan.h>

#include <catch2/catch.hpp>

#include <random>

namespace {

bool plain_ascii(unsigned char c) { return c >= 0x20 && c <= 0x7E && c != '"' && c != '\\'; }
bool base64url(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

template <class One>
bool all8(const char* p, One one) {
  for (int i = 0; i < 8; ++i)
    if (!one(static_cast<unsigned char>(p[i]))) return false;
  return true;
}

}  // namespace

TEST_CASE("byte_scan: every byte value at every position") {
  for (int pos = 0; pos < 8; ++pos) {
    for (int b = 0; b < 256; ++b) {
      char w[8];
      std::fill(w, w + 8, 'A');
      w[pos] = static_cast<char>(b);
      INFO("byte " << b << " at " << pos);
      CHECK(hc::scan::plain_ascii8(hc::scan::load8(w)) == all8(w, plain_ascii));
      CHECK(hc::scan::base64url8(hc::scan::load8(w)) == all8(w, base64url));
    }
  }
}

TEST_CASE("byte_scan: random words, mostly of the classes") {
  std::mt19937_64 rng(42);
  const std::string b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  size_t passed_plain = 0, passed_b64 = 0;
  for (int n = 0; n < 200000; ++n) {
    char w[8];
    for (auto& c : w) {
      auto r = rng();
      // One byte in 16 anything, the rest from base64url: both answers occur.
      c = (r & 15) == 0 ? static_cast<char>(r >> 8) : b64[(r >> 8) % b64.size()];
    }
    bool p = all8(w, plain_ascii), b = all8(w, base64url);
    REQUIRE(hc::scan::plain_ascii8(hc::scan::load8(w)) == p);
    REQUIRE(hc::scan::base64url8(hc::scan::load8(w)) == b);
    passed_plain += p;
    passed_b64 += b;
  }
  CHECK(passed_plain > 1000);
  CHECK(passed_b64 > 1000);
  CHECK(passed_b64 < 200000);
}

TEST_CASE("byte_scan: prefixes stop at the first byte outside the class") {
  std::mt19937_64 rng(7);
  const std::string b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int n = 0; n < 20000; ++n) {
    std::string s(rng() % 70, 'A');
    for (auto& c : s) c = b64[rng() % b64.size()];
    // Now and then one byte of anything, anywhere (or none).
    if (!s.empty() && rng() % 4) s[rng() % s.size()] = static_cast<char>(rng());
    size_t want_b64 = 0, want_plain = 0;
    while (want_b64 < s.size() && base64url(static_cast<unsigned char>(s[want_b64]))) ++want_b64;
    while (want_plain < s.size() && plain_ascii(static_cast<unsigned char>(s[want_plain]))) ++want_plain;
    REQUIRE(hc::scan::base64url_prefix(s.data(), s.size()) == want_b64);
    REQUIRE(hc::scan::plain_ascii_prefix(s.data(), s.size()) == want_plain);
  }
  for (int b = 0; b < 256; ++b)
    for (size_t pos : {0u, 7u, 15u, 16u, 31u}) {
      std::string s(40, 'x');
      s[pos] = static_cast<char>(b);
      CHECK(hc::scan::base64url_prefix(s.data(), s.size()) == (base64url(static_cast<unsigned char>(b)) ? 40 : pos));
      CHECK(hc::scan::plain_ascii_prefix(s.data(), s.size()) == (plain_ascii(static_cast<unsigned char>(b)) ? 40 : pos));
    }
}

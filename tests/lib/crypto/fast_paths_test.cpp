// The additive fast paths of lib/crypto used by the SD-JWT code: they must
// give exactly what the general functions give.
#include <hc/core/error.h>
#include <hc/crypto/crypto.h>
#include <hc/crypto/random_stream.h>

#include <catch2/catch.hpp>

#include <set>

using namespace hc::crypto;

TEST_CASE("base64url_append appends what base64url returns, for every length") {
  auto data = random_bytes(300);
  for (size_t n = 0; n <= data.size(); ++n) {
    std::string out = "prefix";
    base64url_append(out, data.data(), n);
    CHECK(out == "prefix" + base64url(data.data(), n));
  }
  std::string all;
  std::vector<uint8_t> every(256 * 3);
  for (size_t i = 0; i < every.size(); ++i) every[i] = static_cast<uint8_t>(i * 7 + i / 256);
  base64url_append(all, every.data(), every.size());
  CHECK(all == base64url(every.data(), every.size()));
}

TEST_CASE("unbase64url_text_into decodes like unbase64url_text, reusing its buffer") {
  std::string buf(1000, 'x');
  for (const char* t : {"", "QQ", "QUI", "QUJD", "aGVsbG8gd29ybGQ"}) {
    unbase64url_text_into(t, buf);
    CHECK(buf == unbase64url_text(t));
  }
  for (const char* bad : {"Q", "QR", "QU+D", "QUJD="}) {
    INFO(bad);
    CHECK_THROWS_AS(unbase64url_text_into(bad, buf), hc::Error);
  }
}

TEST_CASE("RandomStream gives fresh bytes per stream and uniform indices in range") {
  std::set<std::string> seen;
  for (int i = 0; i < 8; ++i) {
    RandomStream r;
    std::string a(40, '\0'), b(1500, '\0');
    r.fill(reinterpret_cast<uint8_t*>(a.data()), a.size());
    r.fill(reinterpret_cast<uint8_t*>(b.data()), b.size());  // across a refill
    CHECK(seen.insert(a).second);
    CHECK(seen.insert(b.substr(0, 40)).second);
    CHECK(seen.insert(b.substr(1400, 40)).second);
  }
  RandomStream r;
  size_t hits[5] = {};
  for (int i = 0; i < 5000; ++i) {
    size_t k = r.below(5);
    REQUIRE(k < 5);
    ++hits[k];
  }
  for (size_t h : hits) CHECK(h > 800);
  CHECK(r.below(1) == 0);
  CHECK(r.below(0) == 0);
  // Bounds where most draws are rejected or the high word is all there is.
  const size_t big = (size_t{1} << 63) + 1;
  size_t above_half = 0;
  for (int i = 0; i < 2000; ++i) {
    size_t k = r.below(big);
    REQUIRE(k < big);
    above_half += k >= big / 2;
    REQUIRE(r.below(SIZE_MAX) < SIZE_MAX);
  }
  CHECK(above_half > 850);
  CHECK(above_half < 1150);
}

// The additive fast paths of lib/crypto used by the SD-JWT code: they must
// give exactly what the general functions give.
#include <hc/core/error.h>
#include <hc/crypto/crypto.h>
#include <hc/crypto/random_stream.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include <sys/wait.h>
#include <unistd.h>

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

TEST_CASE("sha256_of_16 is SHA-256 of 16 bytes") {
  // FIPS 180-4 by way of a value any SHA-256 gives: 16 zero bytes.
  uint8_t zeros[16] = {}, out[32];
  sha256_of_16(zeros, 1, out);
  CHECK(hex(out, 32) == "374708fff7719dd5979ec875d56cd2286f6d3cf7ec317a3b25632aab28ec37bb");
  // Every byte value in every position, and random inputs, against sha256().
  for (size_t pos = 0; pos < 16; ++pos) {
    for (unsigned v = 0; v < 256; ++v) {
      uint8_t in[16] = {};
      in[pos] = static_cast<uint8_t>(v);
      sha256_of_16(in, 1, out);
      REQUIRE(std::equal(out, out + 32, sha256(in, 16).begin()));
    }
  }
  // Many at once, each its own digest.
  for (size_t count : {0, 1, 2, 3, 4, 5, 64}) {
    auto in = random_bytes(16 * count);
    std::vector<uint8_t> many(32 * count + 1, 0xA5);
    sha256_of_16(in.data(), count, many.data());
    for (size_t i = 0; i < count; ++i)
      REQUIRE(std::equal(many.begin() + 32 * i, many.begin() + 32 * i + 32, sha256(in.data() + 16 * i, 16).begin()));
    CHECK(many.back() == 0xA5);  // nothing past the last digest
  }
}

TEST_CASE("RandomStream keys are never shared with a forked child") {
  // Streams take their keys from a per-thread pool of system-RNG output.
  // After fork() the child must not hand out the keys the parent will: a
  // child that inherited the pool would start a stream exactly like the
  // parent's next one.
  { RandomStream warm; }  // the parent's pool now holds keys
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    uint8_t child[32] = {};
    try {
      RandomStream r;
      r.fill(child, sizeof child);
    } catch (...) {
      _exit(2);
    }
    _exit(write(fds[1], child, sizeof child) == sizeof child ? 0 : 1);
  }
  close(fds[1]);
  uint8_t child[32] = {}, parent[32] = {};
  RandomStream r;
  r.fill(parent, sizeof parent);
  size_t got = 0;
  while (got < sizeof child) {
    ssize_t k = read(fds[0], child + got, sizeof child - got);
    if (k <= 0) break;
    got += static_cast<size_t>(k);
  }
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(got == sizeof child);
  CHECK(!std::equal(child, child + 32, parent));
  // And a thread's streams never repeat a key either.
  std::set<std::string> firsts;
  for (int i = 0; i < 100; ++i) {  // past the end of one pool (32 keys)
    RandomStream s;
    std::string a(32, '\0');
    s.fill(reinterpret_cast<uint8_t*>(a.data()), a.size());
    CHECK(firsts.insert(a).second);
  }
}

// base64url_write / base64url_append (base64url_simd.h): exactly the
// text base64url() and the portable path give, for every length and every
// byte value, on every path this CPU runs (AVX-512 VBMI, AVX2, portable),
// never reading or writing past its buffers; and
// the strict decoders, the same bytes or the same error on both paths.
#include <hc/crypto/base64url_simd.h>
#include <hc/core/byte_scan.h>
#include <hc/core/error.h>
#include <hc/crypto/crypto.h>

#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

using namespace hc::crypto;

namespace {

using Encoder = char* (*)(char*, const uint8_t*, size_t);
struct Path {
  const char* name;
  Encoder write;
};

/// base64url_write as the library calls it, and every path of it this CPU
/// can run: each must give the portable path's text.
std::vector<Path> encoders() {
  std::vector<Path> paths = {{"base64url_write", base64url_write}, {"portable", base64url_write_portable}};
  if (base64url_write_has_avx2()) paths.push_back({"avx2", base64url_write_avx2});
  if (base64url_write_has_vbmi()) paths.push_back({"vbmi", base64url_write_vbmi});
  return paths;
}

/// Encodes data[0..n) with `path` into the middle of a buffer filled with
/// '#': the text must be `want`, the returned end right after it, and
/// nothing before or after it touched.
void check_encode(const Path& path, const uint8_t* data, size_t n, const std::string& want) {
  std::vector<char> buf(want.size() + 80, '#');
  char* end = path.write(buf.data() + 8, data, n);
  bool ok = end == buf.data() + 8 + want.size() && std::string(buf.data() + 8, want.size()) == want &&
            std::all_of(buf.begin(), buf.begin() + 8, [](char c) { return c == '#'; }) &&
            std::all_of(buf.begin() + 8 + static_cast<long>(want.size()), buf.end(), [](char c) { return c == '#'; });
  if (!ok) {
    INFO(path.name << ", " << n << " bytes: want " << want << ", got " << std::string(buf.data(), buf.size()));
    CHECK(ok);
  }
}

/// Two pages, the second inaccessible: bytes placed to end at the page
/// boundary fault when a path reads or writes one byte past them.
class GuardedPages {
 public:
  GuardedPages() {
    m_page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* p = mmap(nullptr, 2 * m_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    m_base = static_cast<uint8_t*>(p);
    REQUIRE(mprotect(m_base + m_page, m_page, PROT_NONE) == 0);
  }
  ~GuardedPages() { munmap(m_base, 2 * m_page); }
  GuardedPages(const GuardedPages&) = delete;
  GuardedPages& operator=(const GuardedPages&) = delete;
  /// The last n bytes before the inaccessible page.
  uint8_t* tail(size_t n) { return m_base + m_page - n; }

 private:
  size_t m_page = 0;
  uint8_t* m_base = nullptr;
};

}  // namespace

TEST_CASE("base64url_write: every path gives the portable text for every length 0..600") {
  INFO("vectorised: " << base64url_write_is_vectorised() << ", avx2: " << base64url_write_has_avx2()
                      << ", vbmi: " << base64url_write_has_vbmi());
  auto data = random_bytes(600 + 64);
  for (size_t n = 0; n <= 600; ++n) {
    for (size_t at : {size_t{0}, size_t{1}, size_t{63}}) {  // aligned and not
      const uint8_t* d = data.data() + at;
      std::string want = base64url(d, n);  // the independent encoder of encoding.cpp
      REQUIRE(base64url_size(n) == want.size());
      for (const auto& path : encoders()) check_encode(path, d, n, want);
      std::string out = "prefix";
      base64url_append(out, d, n);
      CHECK(out == "prefix" + want);
    }
  }
}

TEST_CASE("base64url_write: every path, random lengths up to 5000 with random data") {
  auto data = random_bytes(5000 + 64);
  auto lengths = random_bytes(2 * 300);
  for (size_t i = 0; i < 300; ++i) {
    size_t n = (size_t{lengths[2 * i]} << 8 | lengths[2 * i + 1]) % 5001;
    const uint8_t* d = data.data() + lengths[2 * i] % 64;
    std::string want = base64url(d, n);
    std::vector<char> portable(want.size() + 1);
    CHECK(std::string(portable.data(), base64url_write_portable(portable.data(), d, n)) == want);
    for (const auto& path : encoders()) check_encode(path, d, n, want);
  }
}

TEST_CASE("base64url_write: all 256 byte values at each position of a 32- and a 16-byte input") {
  // The sizes with their own vector steps (digests, salts): every byte value
  // at every position puts each character in every output slot.
  auto base = random_bytes(32);
  for (size_t n : {size_t{32}, size_t{16}}) {
    for (size_t pos = 0; pos < n; ++pos) {
      for (int b = 0; b < 256; ++b) {
        auto in = base;
        in[pos] = static_cast<uint8_t>(b);
        std::vector<char> portable(base64url_size(n));
        base64url_write_portable(portable.data(), in.data(), n);
        std::string want = base64url(in.data(), n);
        REQUIRE(std::string(portable.begin(), portable.end()) == want);
        for (const auto& path : encoders()) check_encode(path, in.data(), n, want);
      }
    }
  }
}

TEST_CASE("base64url_write: RFC 4648 test vectors, unpadded, on every path") {
  // RFC 4648 §10 (base64url without its padding), and bytes that give the
  // two characters where base64url differs from base64 (§5: - and _).
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},          {"f", "Zg"},           {"fo", "Zm8"},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"},
      {"\xfb\xef\xbe", "----"}, {"\xff\xff\xff", "____"}, {std::string(3, '\0'), "AAAA"}};
  for (const auto& [raw, text] : vectors) {
    for (const auto& path : encoders()) check_encode(path, as_bytes(raw), raw.size(), text);
  }
  // The same vectors repeated past every step size.
  std::string raw, text;
  for (int i = 0; i < 40; ++i) raw += "foobar", text += "Zm9vYmFy";
  for (const auto& path : encoders()) check_encode(path, as_bytes(raw), raw.size(), text);
}

TEST_CASE("base64url_write: no path reads or writes past the ends of its buffers") {
  // Input and output each end at an inaccessible page: a load or store of
  // one byte too many (an unmasked vector tail) faults.
  GuardedPages in_pages, out_pages;
  auto data = random_bytes(600);
  for (size_t n = 0; n <= 600; ++n) {
    uint8_t* d = in_pages.tail(n);
    std::memcpy(d, data.data(), n);
    std::string want = base64url(d, n);
    for (const auto& path : encoders()) {
      char* o = reinterpret_cast<char*>(out_pages.tail(want.size()));
      char* end = path.write(o, d, n);
      if (end != o + want.size() || std::string(o, want.size()) != want) {
        INFO(path.name << ", " << n << " bytes");
        CHECK(std::string(o, want.size()) == want);
      }
    }
  }
}

TEST_CASE("base64url_write maps every 6-bit value at every position of a vector step") {
  // Every byte value at every offset mod 48 (the longest vector step), so
  // every character class lands in every lane and slot.
  for (size_t shift = 0; shift < 48; ++shift) {
    std::vector<uint8_t> every(256 * 3 + shift);
    for (size_t i = 0; i < every.size(); ++i) every[i] = static_cast<uint8_t>((i + shift) * 7 + i / 256);
    std::string want = base64url(every.data(), every.size());
    for (const auto& path : encoders()) check_encode(path, every.data(), every.size(), want);
  }
  // All 64 characters, in order: bytes 00 10 83 10 51 87 20 92 8b 30 d3 8f ...
  std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto raw = unbase64url(alphabet);
  for (const auto& path : encoders()) check_encode(path, raw.data(), raw.size(), alphabet);
}

TEST_CASE("base64url_write's path hooks refuse a CPU without their instructions") {
  uint8_t in[3] = {1, 2, 3};
  char out[4];
  if (!base64url_write_has_vbmi()) CHECK_THROWS_AS(base64url_write_vbmi(out, in, 3), hc::Error);
  if (!base64url_write_has_avx2()) CHECK_THROWS_AS(base64url_write_avx2(out, in, 3), hc::Error);
  if (base64url_write_has_vbmi()) CHECK(base64url_write_is_vectorised());
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

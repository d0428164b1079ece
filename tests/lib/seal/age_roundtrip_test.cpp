// Sealing and opening: round trips at chunk boundaries, several recipients,
// and every kind of tampering the issue names (truncation, reordered or
// dropped chunks, flipped bits, wrong key) ending in its documented failure.
#include <catch2/catch.hpp>

#include <hc/crypto/crypto.h>
#include <hc/seal/age.h>
#include <hc/seal/armor.h>

#include <cstring>

using namespace hc::seal;
using hc::crypto::SecretBytes;

namespace {

SecretBytes fresh_scalar() {
  SecretBytes s(32);
  hc::crypto::random_bytes(s.data(), s.size());
  return s;
}

std::string seal_for(const std::vector<hc::crypto::X25519Public>& to, const std::string& plain) {
  MemorySource in(plain);
  StringSink out;
  encrypt(to, in, out);
  return out.data;
}

/// Opens `file`; returns the failure name ("success" if none) and what was released.
std::pair<std::string, std::string> try_open(const std::vector<SecretBytes>& ids, const std::string& file) {
  MemorySource in(file);
  StringSink out;
  try {
    decrypt(ids, in, out);
    return {"success", out.data};
  } catch (const AgeError& e) {
    return {failure_name(e.kind()), out.data};
  }
}

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 131 + (i >> 16));
  return s;
}

size_t header_size(const std::string& file) { return file.find("\n", file.find("\n---") + 1) + 1; }

}  // namespace

TEST_CASE("round trip at chunk boundaries for several recipients", "[seal]") {
  auto a = fresh_scalar(), b = fresh_scalar();
  std::vector<hc::crypto::X25519Public> to = {hc::crypto::x25519_public(a), hc::crypto::x25519_public(b)};
  for (size_t n : {size_t(0), size_t(1), k_chunk_size - 1, k_chunk_size, k_chunk_size + 1, 2 * k_chunk_size,
                   3 * k_chunk_size + 17}) {
    INFO("size " << n);
    auto plain = pattern(n);
    auto file = seal_for(to, plain);
    size_t chunks = n == 0 ? 1 : (n + k_chunk_size - 1) / k_chunk_size;
    CHECK(file.size() == header_size(file) + 16 + n + 16 * chunks);
    CHECK(try_open({a}, file) == std::make_pair(std::string("success"), plain));
    CHECK(try_open({b}, file) == std::make_pair(std::string("success"), plain));
  }
}

TEST_CASE("a wrong key is no match, and opening releases nothing", "[seal]") {
  auto a = fresh_scalar();
  auto file = seal_for({hc::crypto::x25519_public(a)}, pattern(1000));
  auto [what, out] = try_open({fresh_scalar()}, file);
  CHECK(what == "no match");
  CHECK(out.empty());
  MemorySource in(file);
  StringSink sink;
  try {
    decrypt({fresh_scalar()}, in, sink);
    FAIL("opened with a wrong key");
  } catch (const AgeError& e) {
    CHECK(e.code() == hc::Exit::perm);
  }
}

TEST_CASE("every flipped bit is detected; only authenticated chunks are released", "[seal]") {
  auto a = fresh_scalar();
  auto plain = pattern(2 * k_chunk_size + 100);
  auto file = seal_for({hc::crypto::x25519_public(a)}, plain);
  const size_t hs = header_size(file);
  // All header bits, the nonce, and a spread of payload bits.
  std::vector<size_t> positions;
  for (size_t i = 0; i < hs + 16; ++i) positions.push_back(i);
  for (size_t i = hs + 16; i < file.size(); i += 997) positions.push_back(i);
  positions.push_back(file.size() - 1);
  for (size_t pos : positions) {
    for (int bit : {0, 5}) {
      auto bad = file;
      bad[pos] = static_cast<char>(bad[pos] ^ (1 << bit));
      auto [what, out] = try_open({a}, bad);
      INFO("byte " << pos << " bit " << bit << " → " << what);
      REQUIRE(what != "success");
      // What came out is a whole-chunk prefix of the plaintext.
      REQUIRE(out.size() % k_chunk_size == 0);
      REQUIRE(plain.compare(0, out.size(), out) == 0);
      if (pos >= hs + 16) {
        size_t chunk = (pos - hs - 16) / (k_chunk_size + 16);
        REQUIRE(what == "payload failure");
        REQUIRE(out.size() == chunk * k_chunk_size);
      }
    }
  }
}

TEST_CASE("truncated, extended, dropped and reordered chunks fail as payload failures", "[seal]") {
  auto a = fresh_scalar();
  auto plain = pattern(3 * k_chunk_size + 5);
  auto file = seal_for({hc::crypto::x25519_public(a)}, plain);
  const size_t start = header_size(file) + 16, enc = k_chunk_size + 16;
  auto chunk = [&](size_t i) { return file.substr(start + i * enc, i == 3 ? std::string::npos : enc); };
  std::string head = file.substr(0, start);

  SECTION("truncation anywhere in the payload") {
    for (size_t cut : {start, start + 1, start + enc - 1, start + enc, start + 2 * enc, start + 3 * enc,
                       file.size() - 1}) {
      INFO("cut at " << cut);
      auto [what, out] = try_open({a}, file.substr(0, cut));
      CHECK(what == "payload failure");
      CHECK(plain.compare(0, out.size(), out) == 0);
    }
  }
  SECTION("truncation inside the header or nonce") {
    for (size_t cut : {size_t(0), size_t(10), header_size(file) - 1, header_size(file), start - 1}) {
      INFO("cut at " << cut);
      CHECK(try_open({a}, file.substr(0, cut)).first == "header failure");
    }
  }
  SECTION("a dropped middle chunk") {
    CHECK(try_open({a}, head + chunk(0) + chunk(2) + chunk(3)).first == "payload failure");
  }
  SECTION("swapped chunks") {
    auto [what, out] = try_open({a}, head + chunk(1) + chunk(0) + chunk(2) + chunk(3));
    CHECK(what == "payload failure");
    CHECK(out.empty());
  }
  SECTION("data appended after the final chunk") {
    auto [what, out] = try_open({a}, file + "x");
    CHECK(what == "payload failure");
  }
  SECTION("the final chunk dropped") {
    auto [what, out] = try_open({a}, head + chunk(0) + chunk(1) + chunk(2));
    CHECK(what == "payload failure");
    CHECK(out == plain.substr(0, 3 * k_chunk_size));
  }
}

TEST_CASE("headers are bounded", "[seal]") {
  std::string file = "age-encryption.org/v1\n";
  for (size_t i = 0; i <= k_max_stanzas; ++i) file += "-> grease\n\n";
  file += "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
  CHECK(try_open({fresh_scalar()}, file).first == "header failure");
  std::string long_line = "age-encryption.org/v1\n-> x " + std::string(k_max_line + 1, 'a') + "\n\n";
  CHECK(try_open({fresh_scalar()}, long_line).first == "header failure");
}

TEST_CASE("armored files round trip and a bad armor line releases nothing", "[seal][armor]") {
  auto a = fresh_scalar();
  auto plain = pattern(2 * k_chunk_size + 7);
  MemorySource in(plain);
  StringSink text;
  {
    ArmorSink armor(text);
    encrypt({hc::crypto::x25519_public(a)}, in, armor);
    armor.finish();
  }
  const std::string& file = text.data;
  CHECK(file.rfind("-----BEGIN AGE ENCRYPTED FILE-----\n", 0) == 0);
  CHECK(try_open({a}, file) == std::make_pair(std::string("success"), plain));
  CHECK(try_open({a}, "\r\n \t" + file + "\n\n").first == "success");
  // Every line but the last is 64 columns.
  size_t pos = file.find('\n') + 1, lines = 0;
  while (file.compare(pos, 5, "-----") != 0) {
    size_t nl = file.find('\n', pos);
    size_t next = nl + 1;
    if (file.compare(next, 5, "-----") != 0) CHECK(nl - pos == 64);
    pos = next;
    ++lines;
  }
  CHECK(lines == (file.size() - 36 - 34) / 65 + 1);
  // A space at the end of the last data line: armor failure, nothing released
  // of the chunk it belongs to.
  auto bad = file;
  bad.insert(bad.rfind("\n-----END"), " ");
  auto [what, out] = try_open({a}, bad);
  CHECK(what == "armor failure");
  // Chunk 1 authenticated before; the last armor line also holds the end of
  // chunk 2, so chunk 2 is never complete and never released.
  CHECK(out == plain.substr(0, k_chunk_size));
  CHECK(try_open({a}, file + "x").first == "armor failure");
}

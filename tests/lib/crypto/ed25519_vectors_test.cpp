// Pins hc's one Ed25519 acceptance rule (lib/crypto ed25519_verify) on the
// 914 C2SP CCTV edge-case vectors in ../shared/testdata/ed25519: the exact set
// of accepted vector numbers is recorded in tests/data/crypto/
// ed25519_accepted.txt. Any change of library or rule that accepts or rejects
// one more signature fails here: ledger nodes that disagree on validity fork.
#include <hc/core/io.h>
#include <hc/crypto/crypto.h>
#include <hc/json/json.h>

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

using namespace hc;

namespace {

std::set<int> accepted_by_hc(const json::Value& vectors) {
  std::set<int> out;
  for (const auto& v : vectors) {
    auto key = crypto::unhex(v["key"].get<std::string>());
    auto sig = crypto::unhex(v["sig"].get<std::string>());
    if (crypto::ed25519_verify(key.data(), key.size(), v["msg"].get<std::string>(), sig.data(), sig.size()))
      out.insert(v["number"].get<int>());
  }
  return out;
}

bool has_flag(const json::Value& v, const char* flag) {
  if (!v["flags"].is_array()) return false;
  for (const auto& f : v["flags"])
    if (f == flag) return true;
  return false;
}

}  // namespace

TEST_CASE("hc accepts exactly the recorded set of the 914 Ed25519 edge cases", "[ed25519]") {
  auto vectors = json::parse(io::read_all(std::string(HC_TESTDATA) + "/ed25519/ed25519vectors.json"), "vectors");
  REQUIRE(vectors.size() == 914);
  auto got = accepted_by_hc(vectors);

  std::set<int> want;
  std::istringstream recorded(io::read_all(std::string(HC_SOURCE_DIR) + "/tests/data/crypto/ed25519_accepted.txt"));
  std::string line;
  while (std::getline(recorded, line))
    if (!line.empty() && line[0] != '#') want.insert(std::stoi(line));
  CHECK(want.size() == 43);  // libsodium 1.0.18's strict rule (see the file's header)
  CHECK(got == want);
}

TEST_CASE("the strict rule never accepts small-order or non-canonical A or R", "[ed25519]") {
  auto vectors = json::parse(io::read_all(std::string(HC_TESTDATA) + "/ed25519/ed25519vectors.json"), "vectors");
  for (const auto& v : vectors) {
    auto key = crypto::unhex(v["key"].get<std::string>());
    auto sig = crypto::unhex(v["sig"].get<std::string>());
    bool ok = crypto::ed25519_verify(key.data(), key.size(), v["msg"].get<std::string>(), sig.data(), sig.size());
    if (!ok) continue;
    INFO("vector " << v["number"]);
    CHECK_FALSE(has_flag(v, "low_order_A"));
    CHECK_FALSE(has_flag(v, "low_order_R"));
    CHECK_FALSE(has_flag(v, "non_canonical_A"));
    CHECK_FALSE(has_flag(v, "non_canonical_R"));
  }
}

TEST_CASE("wrong lengths are rejected, and do not poison the next verification", "[ed25519]") {
  crypto::SecretBytes seed(32, 7);
  auto pk = crypto::ed25519_public(seed);
  auto sig = crypto::ed25519_sign(seed, "hello");
  CHECK(crypto::ed25519_verify(pk, "hello", sig));
  CHECK_FALSE(crypto::ed25519_verify(pk.data(), pk.size(), "hello", sig.data(), 63));
  CHECK_FALSE(crypto::ed25519_verify(pk.data(), 31, "hello", sig.data(), 64));
  CHECK(crypto::ed25519_verify(pk, "hello", sig));  // still valid after the bad ones
  sig[10] ^= 1;
  CHECK_FALSE(crypto::ed25519_verify(pk, "hello", sig));
}

TEST_CASE("RFC 8032 test 1 signs and verifies", "[ed25519]") {
  // RFC 8032 §7.1, TEST 1 (empty message).
  auto seed_raw = crypto::unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  crypto::SecretBytes seed(seed_raw.begin(), seed_raw.end());
  auto pk = crypto::ed25519_public(seed);
  CHECK(crypto::hex(pk) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto sig = crypto::ed25519_sign(seed, "");
  CHECK(crypto::hex(sig) ==
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595b"
        "be24655141438e7a100b");
  CHECK(crypto::ed25519_verify(pk, "", sig));
}

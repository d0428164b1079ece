// Key files: round trips, passphrase and tamper refusals, pseudonyms, export.
#include <hc/core/error.h>
#include <hc/keys/keys.h>

#include <catch2/catch.hpp>

using namespace hc;

namespace {
const keys::SealOptions k_cheap{.argon2 = {.memory_kib = 64, .iterations = 1, .parallelism = 1}};
keys::PassphraseFn pass(const char* p) {
  return [p] { return crypto::SecretString(p); };
}
}  // namespace

TEST_CASE("an encrypted key file round-trips and refuses a wrong passphrase", "[keys]") {
  auto key = keys::generate(keys::Role::doctor, "Dr A", "2026-11-26T10:00:00Z");
  crypto::SecretString pw("correct horse");
  auto text = keys::encode_secret(key, &pw, k_cheap);
  CHECK(text.find("argon2id") != std::string::npos);
  CHECK(keys::secret_is_encrypted(text, "a.key"));
  auto back = keys::decode_secret(text, "a.key", pass("correct horse"));
  CHECK(back.ed25519_seed == key.ed25519_seed);
  CHECK(back.x25519_secret == key.x25519_secret);
  CHECK(back.pub.key_id == key.pub.key_id);
  try {
    keys::decode_secret(text, "a.key", pass("wrong"));
    FAIL("accepted a wrong passphrase");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::perm);
    CHECK(e.describe() == "a.key: wrong passphrase or damaged key file");
  }
}

TEST_CASE("changing any clear member of a key file is detected", "[keys]") {
  auto key = keys::generate(keys::Role::patient, "P", "2026-11-26T10:00:00Z");
  crypto::SecretString pw("pw");
  auto file = json::parse(keys::encode_secret(key, &pw, k_cheap));
  auto other = keys::generate(keys::Role::patient, "Q", "2026-11-26T10:00:00Z");
  SECTION("label") { file["label"] = "Mallory"; }
  SECTION("role") { file["role"] = "doctor"; }
  SECTION("created") { file["created"] = "2020-01-01T00:00:00Z"; }
  SECTION("swapped public keys") {
    auto o = other.pub.to_json();
    file["ed25519"] = o["ed25519"];
    file["key_id"] = o["key_id"];
  }
  CHECK_THROWS_AS(keys::decode_secret(json::dump(file, false), "k", pass("pw")), Error);
}

TEST_CASE("a truncated or malformed key file is a data error naming the field", "[keys]") {
  auto key = keys::generate(keys::Role::org, "Org", "2026-11-26T10:00:00Z");
  auto text = keys::encode_secret(key, nullptr);
  CHECK_FALSE(keys::secret_is_encrypted(text, "k"));
  CHECK(keys::decode_secret(text, "k", pass("unused")).ed25519_seed == key.ed25519_seed);
  try {
    keys::decode_secret(text.substr(0, text.size() / 2), "k.key", pass("x"));
    FAIL("accepted a truncated file");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::data);
    CHECK(e.file() == "k.key");
  }
  auto v = json::parse(text);
  v["secret"] = "!!";
  try {
    keys::decode_secret(json::dump(v, false), "k.key", pass("x"));
    FAIL("accepted bad base64");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::data);
    CHECK(e.field() == "secret");
  }
}

TEST_CASE("hostile Argon2 costs are refused before any work", "[keys]") {
  auto key = keys::generate(keys::Role::org, "Org", "2026-11-26T10:00:00Z");
  crypto::SecretString pw("pw");
  auto v = json::parse(keys::encode_secret(key, &pw, k_cheap));
  v["kdf"]["memory_kib"] = 1ull << 40;
  bool asked = false;
  try {
    keys::decode_secret(json::dump(v, false), "k", [&] {
      asked = true;
      return crypto::SecretString("pw");
    });
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.field() == "kdf.memory_kib");
  }
  CHECK_FALSE(asked);
}

TEST_CASE("public key files check their key ID", "[keys]") {
  auto key = keys::generate(keys::Role::doctor, "D", "2026-11-26T10:00:00Z");
  auto v = key.pub.to_json();
  CHECK(keys::PublicKey::from_json(v, "d.pub").key_id == key.pub.key_id);
  CHECK(key.pub.key_id.size() == 16);
  v["key_id"] = "0000000000000000";
  CHECK_THROWS_AS(keys::PublicKey::from_json(v, "d.pub"), Error);
}

TEST_CASE("pseudonyms are deterministic per context and unlinkable across contexts", "[keys]") {
  auto key = keys::generate(keys::Role::patient, "P", "2026-11-26T10:00:00Z");
  auto a1 = key.pseudonym("hospital-a");
  auto a2 = key.pseudonym("hospital-a");
  auto b = key.pseudonym("study-b");
  CHECK(a1.pub.key_id == a2.pub.key_id);
  CHECK(a1.pub.key_id != b.pub.key_id);
  CHECK(a1.pub.key_id != key.pub.key_id);
  auto sig = a1.sign("msg");
  CHECK(crypto::ed25519_verify(a1.pub.ed25519, "msg", sig));
  CHECK_FALSE(crypto::ed25519_verify(b.pub.ed25519, "msg", sig));
}

TEST_CASE("PEM and JWK exports carry the signing key", "[keys]") {
  auto key = keys::generate(keys::Role::doctor, "D", "2026-11-26T10:00:00Z");
  auto pem = keys::to_pem(key.pub);
  CHECK(pem.rfind("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA", 0) == 0);
  auto jwk = keys::to_jwk(key.pub);
  CHECK(jwk["kty"] == "OKP");
  CHECK(jwk["crv"] == "Ed25519");
  CHECK(crypto::unbase64url(jwk["x"].get<std::string>()) ==
        crypto::Bytes(key.pub.ed25519.begin(), key.pub.ed25519.end()));
}

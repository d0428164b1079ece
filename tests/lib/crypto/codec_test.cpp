// Encodings and primitive wrappers: strictness and known answers.
#include <hc/core/error.h>
#include <hc/crypto/crypto.h>

#include <catch2/catch.hpp>

#include <random>

using namespace hc;

TEST_CASE("base64url is strict", "[codec]") {
  CHECK(crypto::base64url(std::string_view("\xfb\xff")) == "-_8");
  CHECK(crypto::unbase64url("-_8") == crypto::Bytes{0xfb, 0xff});
  CHECK_THROWS_AS(crypto::unbase64url("-_8="), Error);     // padding
  CHECK_THROWS_AS(crypto::unbase64url("-_9"), Error);      // non-canonical trailing bits
  CHECK_THROWS_AS(crypto::unbase64url("a"), Error);        // impossible length
  CHECK_THROWS_AS(crypto::unbase64url("ab+/"), Error);     // wrong alphabet
  CHECK(crypto::unbase64("+/8=") == crypto::Bytes{0xfb, 0xff});
  CHECK_THROWS_AS(crypto::unbase64("+/8"), Error);
  CHECK(crypto::base64(crypto::as_bytes("hello"), 5, false) == "aGVsbG8");
}

TEST_CASE("hex round trip and errors", "[codec]") {
  CHECK(crypto::hex(crypto::Bytes{0x00, 0xab}) == "00ab");
  CHECK(crypto::unhex("00AB") == crypto::Bytes{0x00, 0xab});
  CHECK_THROWS_AS(crypto::unhex("0"), Error);
  CHECK_THROWS_AS(crypto::unhex("0g"), Error);
}

TEST_CASE("SHA-256, HMAC and HKDF known answers", "[crypto]") {
  CHECK(crypto::hex(crypto::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  CHECK(crypto::hex(crypto::hmac_sha256(crypto::as_bytes("Jefe"), 4, "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 5869 test case 1.
  auto ikm = crypto::unhex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  auto salt = crypto::unhex("000102030405060708090a0b0c");
  auto info = crypto::unhex("f0f1f2f3f4f5f6f7f8f9");
  auto okm = crypto::hkdf_sha256(ikm.data(), ikm.size(), crypto::as_chars(salt.data(), salt.size()),
                                 crypto::as_chars(info.data(), info.size()), 42);
  CHECK(crypto::hex(okm.data(), okm.size()) ==
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST_CASE("ChaCha20-Poly1305 RFC 8439 §2.8.2", "[crypto]") {
  auto key = crypto::unhex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  auto nonce = crypto::unhex("070000004041424344454647");
  auto aad = crypto::unhex("50515253c0c1c2c3c4c5c6c7");
  std::string pt =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
  crypto::ChaCha20Poly1305 aead(key.data());
  auto ct = aead.seal(nonce.data(), pt, crypto::as_chars(aad.data(), aad.size()));
  CHECK(crypto::hex(crypto::Bytes(ct.end() - 16, ct.end())) == "1ae10b594f09e26a7e902ecbd0600691");
  crypto::SecretBytes back;
  CHECK(aead.open(nonce.data(), crypto::as_chars(ct.data(), ct.size()), back, crypto::as_chars(aad.data(), aad.size())));
  CHECK(std::string(back.begin(), back.end()) == pt);
  ct[3] ^= 1;
  CHECK_FALSE(aead.open(nonce.data(), crypto::as_chars(ct.data(), ct.size()), back, crypto::as_chars(aad.data(), aad.size())));
}

TEST_CASE("X25519 RFC 7748 §6.1 and the low-order refusal", "[crypto]") {
  auto a = crypto::unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  auto b_pub = crypto::unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  crypto::SecretBytes sa(a.begin(), a.end());
  CHECK(crypto::hex(crypto::x25519_public(sa)) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  auto shared = crypto::x25519(sa, b_pub.data());
  CHECK(crypto::hex(shared.data(), shared.size()) == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  crypto::Bytes zero(32, 0);
  CHECK_THROWS_AS(crypto::x25519(sa, zero.data()), Error);
}

TEST_CASE("Argon2id RFC 9106 §5.3 shape (Botan) is deterministic", "[crypto]") {
  crypto::Bytes salt(16, 2);
  auto k1 = crypto::argon2id("password", salt.data(), salt.size(), {.memory_kib = 64, .iterations = 2, .parallelism = 1}, 32);
  auto k2 = crypto::argon2id("password", salt.data(), salt.size(), {.memory_kib = 64, .iterations = 2, .parallelism = 1}, 32);
  auto k3 = crypto::argon2id("passwore", salt.data(), salt.size(), {.memory_kib = 64, .iterations = 2, .parallelism = 1}, 32);
  CHECK(k1 == k2);
  CHECK(k1 != k3);
}

TEST_CASE("base64 and base64url round-trip every length, and refuse a bad character anywhere", "[codec]") {
  std::mt19937 rng(11);
  for (size_t n = 0; n < 120; ++n) {
    crypto::Bytes data(n);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    auto url = crypto::base64url(data.data(), data.size());
    REQUIRE(crypto::unbase64url(url) == data);
    REQUIRE(crypto::unbase64url_text(url) == std::string(data.begin(), data.end()));
    auto std64 = crypto::base64(data.data(), data.size(), true);
    REQUIRE(crypto::unbase64(std64, true) == data);
    for (size_t at = 0; at < url.size(); ++at) {
      auto bad = url;
      bad[at] = "=+/.\"~ \xff"[rng() % 8];
      CHECK_THROWS_AS(crypto::unbase64url(bad), Error);
    }
  }
}

#include <catch2/catch.hpp>

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>
#include <hc/seal/age.h>
#include <hc/seal/bech32.h>

using hc::seal::bech32_decode;

TEST_CASE("BIP 173 valid strings decode", "[seal][bech32]") {
  for (const char* s : {"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                        "11"
                        "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
                        "c8247j",
                        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl"}) {
    INFO(s);
    CHECK_NOTHROW(bech32_decode(s));
  }
}

TEST_CASE("BIP 173 invalid strings are refused", "[seal][bech32]") {
  for (const char* s : {"pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8", "10a06t8", "1qzzfhee",
                        "A12uEL5L", "a12uel5m", "de1lg7wt\xff"}) {
    INFO(s);
    CHECK_THROWS_AS(bech32_decode(s), hc::Error);
  }
}

TEST_CASE("age keys round-trip and match age's own encoding", "[seal][bech32]") {
  // From the CCTV x25519 vector and age-keygen: identity → recipient.
  auto id = hc::seal::parse_identity("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
  auto text = hc::seal::identity_string(id);
  CHECK(std::string(text.begin(), text.end()) ==
        "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
  auto pub = hc::crypto::x25519_public(id);
  auto r = hc::seal::recipient_string(pub);
  CHECK(r.rfind("age1", 0) == 0);
  CHECK(r.size() == 62);
  CHECK(hc::seal::parse_recipient(r) == pub);
  CHECK_THROWS_AS(hc::seal::parse_recipient("AGE1" + r.substr(4)), hc::Error);  // upper case recipient
  CHECK_THROWS_AS(hc::seal::parse_identity(r), hc::Error);
  CHECK_THROWS_AS(hc::seal::parse_recipient(std::string(text.begin(), text.end())), hc::Error);
}

// RFC 9901's own examples as test vectors (tests/data/ces/rfc9901_vectors.json).
#include "helpers.h"

using namespace hc::ces;

TEST_CASE("RFC 9901 disclosure digests and decoding") {
  auto v = ces_test::load("rfc9901_vectors.json");
  for (const auto& c : v["digests"]) {
    auto d = c["disclosure"].get<std::string>();
    CHECK(disclosure_digest(d) == c["digest"].get<std::string>());
    if (c.contains("hc_rejects")) {
      CHECK(ces_test::message_of([&] { decode_disclosure(d, 0); }).find("malformed salt") != std::string::npos);
      continue;
    }
    auto dec = decode_disclosure(d, 0);
    const auto& want = c["decoded"];
    CHECK(dec.salt == want[0].get<std::string>());
    if (want.size() == 3) {
      CHECK_FALSE(dec.is_array_element);
      CHECK(dec.name == want[1].get<std::string>());
      CHECK(dec.value == want[2]);
    } else {
      CHECK(dec.is_array_element);
      CHECK(dec.value == want[1]);
    }
  }
}

TEST_CASE("RFC 9901 §4.2.1: other JSON spellings of one claim decode alike, digest differently") {
  auto v = ces_test::load("rfc9901_vectors.json");
  auto base = decode_disclosure(v["digests"][0]["disclosure"].get<std::string>(), 0);
  for (const auto& d : v["same_claim_other_encodings"]) {
    auto dec = decode_disclosure(d.get<std::string>(), 0);
    CHECK(dec.name == base.name);
    CHECK(dec.value == base.value);
    CHECK(dec.digest != base.digest);
  }
}

TEST_CASE("RFC 9901 object and array-element disclosures processed together") {
  auto v = ces_test::load("rfc9901_vectors.json");
  const auto& d = v["digests"];
  hc::json::Value payload{{"_sd_alg", "sha-256"},
                          {"_sd", {d[0]["digest"], d[2]["digest"]}},
                          {"nationalities", {{{"...", d[1]["digest"]}}, "DE"}}};
  std::vector<std::string> discs{d[0]["disclosure"], d[1]["disclosure"], d[2]["disclosure"]};
  auto p = process(payload, discs);
  CHECK(p.claims == hc::json::Value{{"family_name", "Möbius"}, {"given_name", "John"}, {"nationalities", {"FR", "DE"}}});
  CHECK(p.hidden == 0);
  CHECK(p.parts[1].pointer == "/nationalities/0");
  // Without the array element, it leaves the array and counts as hidden.
  auto q = process(payload, {d[0]["disclosure"], d[2]["disclosure"]});
  CHECK(q.claims["nationalities"] == hc::json::Value{"DE"});
  CHECK(q.hidden == 1);
}

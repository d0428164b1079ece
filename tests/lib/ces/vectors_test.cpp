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

TEST_CASE("_sd digests are ordered by their text, however alike their first characters") {
  using hc::ces::detail::DigestText;
  std::mt19937 rng(20261127);
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto random_digest = [&](const std::string& prefix) {
    DigestText d;
    for (size_t i = 0; i < d.size(); ++i) d[i] = i < prefix.size() ? prefix[i] : alphabet[rng() % 64];
    return d;
  };
  std::vector<uint64_t> keys;
  std::vector<uint32_t> order;
  for (size_t n : {0, 1, 2, 7, 14, 63, 64, 65, 200}) {
    for (int variant = 0; variant < 4; ++variant) {
      INFO("n " << n << " variant " << variant);
      std::vector<DigestText> ds;
      for (size_t i = 0; i < n; ++i) {
        // 0: random; 1: a shared eight-character prefix; 2: prefixes alike
        // but for the eighth character; 3: copies of a few digests.
        if (variant == 0) ds.push_back(random_digest(""));
        else if (variant == 1) ds.push_back(random_digest("AAAAAAAA"));
        else if (variant == 2) ds.push_back(random_digest(std::string("AAAAAAA") + alphabet[rng() % 3]));
        else ds.push_back(i < 3 || ds.empty() ? random_digest("-") : ds[rng() % ds.size()]);
      }
      hc::ces::detail::digest_text_order(ds.data(), ds.size(), keys, order);
      std::vector<uint32_t> want(n);
      for (uint32_t i = 0; i < n; ++i) want[i] = i;
      std::stable_sort(want.begin(), want.end(), [&](uint32_t a, uint32_t b) {
        return std::string_view(ds[a].data(), 43) < std::string_view(ds[b].data(), 43);
      });
      CHECK(order == want);
    }
  }
}

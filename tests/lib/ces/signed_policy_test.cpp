// hc-verify reads the signed hc_policy claim from its text and skips
// parsing it when the text is the one it last read on the thread. These
// cases hold that to what "the same policy" means: a different serialization
// of the same claim verifies as it did; a different claim, a malformed one, a
// second one or one given by a disclosure is refused as before; and a cached
// claim never skips a check of the document.
#include "helpers.h"

#include <hc/crypto/crypto.h>

using namespace hc::ces;
using hc::json::Value;
using ces_test::code_of;
using ces_test::message_of;

namespace {

constexpr int k_invalid = 1;

/// The payload's JSON text.
std::string payload_text_of(const SdJwt& sd) {
  auto b = hc::crypto::unbase64url(sd.payload_b64);
  return std::string(b.begin(), b.end());
}

/// `sd` with its payload text replaced by `text` and signed again, byte for byte.
SdJwt with_payload(SdJwt sd, const std::string& text) {
  sd.payload_b64 = b64(text);
  auto sig = hc::crypto::ed25519_sign(ces_test::doctor().ed25519_seed, sd.protected_b64 + "." + sd.payload_b64);
  sd.signature_b64 = hc::crypto::base64url(sig.data(), sig.size());
  return sd;
}

/// The text of `sd`'s payload with the hc_policy claim's value replaced.
std::string replace_claim(const std::string& text, const std::string& claim) {
  auto at = text.find("\"hc_policy\":");
  REQUIRE(at != std::string::npos);
  size_t from = at + 12, depth = 0, to = from;
  for (; to < text.size(); ++to) {
    if (text[to] == '{') ++depth;
    if (text[to] == '}' && --depth == 0) break;
  }
  return text.substr(0, from) + claim + text.substr(to + 1);
}

/// Verification's outcome: "ok <policy name> <disclosed>" or "<code> <message>".
std::string outcome(const SdJwt& sd, const VerifyOptions& o = ces_test::trust_doctor()) {
  try {
    auto v = verify(sd, o);
    return "ok " + v.policy_name + " " + std::to_string(v.disclosed) + " " + hc::json::dump(v.resource, false);
  } catch (const hc::Error& e) {
    return std::to_string(static_cast<int>(e.code())) + " " + e.message();
  }
}

}  // namespace

TEST_CASE("the signed policy read from its text: same claim, other bytes, other claims") {
  Value r = ces_test::load("observation.json");
  SdJwt base = ces_test::sign(r, false);
  std::string text = payload_text_of(base);
  Value claim = hc::json::parse(text)["hc_policy"];
  std::string canon = hc::json::canonical(claim);
  REQUIRE(text.find("\"hc_policy\":" + canon) != std::string::npos);
  const std::string ok = outcome(base);
  REQUIRE(ok.rfind("ok hc-default-v1 ", 0) == 0);

  // Another policy, read in between, so that each case is met both with
  // its own claim cached and with another one cached.
  Policy other = default_policy();
  other.name = "other";
  SignOptions so;
  so.policy = &other;
  SdJwt other_sd = Signer(ces_test::doctor(), so).sign(r);
  auto both_ways = [&](const SdJwt& sd) {
    (void)outcome(other_sd);
    std::string cold = outcome(sd);
    std::string warm = outcome(sd);
    CHECK(cold == warm);
    (void)outcome(base);
    CHECK(outcome(sd) == cold);
    return cold;
  };
  CHECK(both_ways(base) == ok);
  CHECK(both_ways(other_sd).rfind("ok other ", 0) == 0);

  SECTION("the same claim in another serialization verifies alike") {
    std::string pretty = hc::json::dump(claim, true);  // whitespace and newlines
    CHECK(both_ways(with_payload(base, replace_claim(text, pretty))) == ok);
    // Members in another order, blanks around the claim.
    Value reordered = claim;
    std::string name = reordered["name"].get<std::string>();
    std::string rest = hc::json::dump(claim["resources"], false);
    std::string swapped = " {\"resources\": " + rest + ", \"name\":\"" + name + "\" ,\"decoy_pad\":" +
                          std::to_string(claim["decoy_pad"].get<unsigned>()) + "}\t";
    CHECK(both_ways(with_payload(base, replace_claim(text, swapped))) == ok);
    // An escaped character inside a string of the claim.
    std::string escaped = canon;
    auto n = escaped.find("hc-default-v1");
    REQUIRE(n != std::string::npos);
    escaped.replace(n, 2, "\\u0068c");
    CHECK(both_ways(with_payload(base, replace_claim(text, escaped))) == ok);
    // The claim first among the payload's members.
    std::string first = text;
    first.erase(first.find("\"hc_policy\":" + canon) - 1, canon.size() + 13);
    first.insert(1, "\"hc_policy\":" + canon + ",");
    REQUIRE(hc::json::parse(first) == hc::json::parse(text));
    CHECK(both_ways(with_payload(base, first)) == ok);
  }

  SECTION("a different claim is read, not taken from the cache") {
    Value stricter = claim;
    stricter["resources"]["Observation"]["plain"].push_back("/category");
    std::string s = outcome(with_payload(base, replace_claim(text, hc::json::canonical(stricter))));
    CHECK(both_ways(with_payload(base, replace_claim(text, hc::json::canonical(stricter)))) == s);
    CHECK(s.find("signs /category in the clear") != std::string::npos);
    Value renamed = claim;
    renamed["name"] = "renamed";
    CHECK(both_ways(with_payload(base, replace_claim(text, hc::json::canonical(renamed)))).rfind("ok renamed ", 0) ==
          0);
    // 4 and 4.0 are different claims (decoy_pad must be an integer).
    std::string real = canon;
    auto d = real.find("\"decoy_pad\":4");
    REQUIRE(d != std::string::npos);
    real.insert(d + 13, ".0");
    CHECK(both_ways(with_payload(base, replace_claim(text, real))).rfind("1 ", 0) == 0);
  }

  SECTION("a malformed, doubled or disclosed claim is refused") {
    std::string dup = canon;
    dup.insert(1, "\"name\":\"x\",");
    CHECK(both_ways(with_payload(base, replace_claim(text, dup))).rfind("1 ", 0) == 0);
    std::string trailing = canon;
    trailing.insert(trailing.size() - 1, ",");
    CHECK(both_ways(with_payload(base, replace_claim(text, trailing))).rfind("1 ", 0) == 0);
    CHECK(both_ways(with_payload(base, replace_claim(text, "{\"name\":1e400}"))).rfind("1 ", 0) == 0);
    // Twice, byte for byte the same.
    std::string twice = text;
    twice.insert(1, "\"hc_policy\":" + canon + ",");
    CHECK(both_ways(with_payload(base, twice)).rfind("1 ", 0) == 0);
    // Missing.
    std::string none = text;
    none.erase(none.find("\"hc_policy\":" + canon) - 1, canon.size() + 13);
    REQUIRE_FALSE(hc::json::parse(none).contains("hc_policy"));
    CHECK(both_ways(with_payload(base, none)).find("no \"hc_policy\" claim") != std::string::npos);
    // Given by a disclosure (a claim outside the resource), plain or not.
    std::string d = b64(hc::json::canonical(Value::array({"c2FsdHNhbHRzYWx0c2FsdHNhbA", "hc_policy", claim})));
    std::string disclosed = none;
    disclosed.insert(1, "\"_sd\":[\"" + disclosure_digest(d) + "\"],");
    SdJwt dsd = with_payload(base, disclosed);
    dsd.disclosures.push_back(d);
    CHECK(both_ways(dsd).find("outside the resource") != std::string::npos);
    std::string both = text;
    both.insert(1, "\"_sd\":[\"" + disclosure_digest(d) + "\"],");
    SdJwt bsd = with_payload(base, both);
    bsd.disclosures.push_back(d);
    CHECK(both_ways(bsd).rfind("1 ", 0) == 0);
  }

  SECTION("a cached claim skips no check of the document") {
    // The same claim bytes over a document that breaks the policy.
    Policy loose = default_policy();
    loose.resources["Observation"].plain.clear();
    so.policy = &loose;
    SdJwt lsd = Signer(ces_test::doctor(), so).sign(r);
    std::string ltext = payload_text_of(lsd);
    Value lclaim = hc::json::parse(ltext)["hc_policy"];
    std::string strict_text = replace_claim(ltext, canon);
    CHECK(both_ways(with_payload(lsd, strict_text)).find("in the clear") != std::string::npos);
    // The same claim bytes, but the payload over the size limit this time.
    VerifyOptions small = ces_test::trust_doctor();
    small.limits.max_bytes = text.size() - 1;
    (void)outcome(base);
    CHECK(code_of([&] { verify(base, small); }) != -1);
    CHECK(outcome(base) == ok);
    // A disclosure at the size limit: the claim, set aside, still counts.
    VerifyOptions tight = ces_test::trust_doctor();
    size_t total = hc::json::dump(hc::json::parse(text), false).size();
    for (const auto& x : base.disclosures) total += hc::crypto::unbase64url(x).size();
    for (size_t limit : {total, total + 200, total + 2000, text.size() + 100}) {
      tight.limits.max_bytes = limit;
      INFO(limit);
      (void)outcome(other_sd);
      std::string cold = outcome(base, tight);
      CHECK(outcome(base, tight) == cold);
    }
  }
}

TEST_CASE("the JWS header is read once per text, every check still made") {
  Value r = ces_test::load("observation.json");
  SdJwt base = ces_test::sign(r, false);
  auto header = hc::json::parse(hc::json::canonical(decode_json_part(base.protected_b64, "h")));
  auto with_header = [&](const Value& h) {
    SdJwt sd = base;
    sd.protected_b64 = b64(hc::json::canonical(h));
    return with_payload(sd, payload_text_of(base));
  };
  Value crit = header;
  crit["crit"] = Value::array({"x"});
  Value none = header;
  none["alg"] = "none";
  Value kid = header;
  kid["kid"] = "someone-else";
  Value jwk = header;
  jwk["jwk"] = Value::object();
  const std::string ok = outcome(base);
  REQUIRE(ok.rfind("ok ", 0) == 0);
  for (int round = 0; round < 2; ++round) {
    CHECK(outcome(with_header(crit)).find("\"crit\"") != std::string::npos);
    CHECK(outcome(with_header(crit)).find("\"crit\"") != std::string::npos);
    CHECK(outcome(base) == ok);
    CHECK(outcome(with_header(none)).find("\"none\" is not accepted") != std::string::npos);
    CHECK(outcome(with_header(kid)).find("differs from \"iss\"") != std::string::npos);
    CHECK(outcome(with_header(jwk)).find("carries \"jwk\"") != std::string::npos);
    CHECK(outcome(base) == ok);
    // The same header text under limits it does not fit.
    VerifyOptions shallow = ces_test::trust_doctor();
    shallow.limits.max_bytes = 8;
    CHECK(code_of([&] { verify(base, shallow); }) == k_invalid);
    CHECK(message_of([&] { verify(base, shallow); }).rfind("JWS header", 0) == 0);
    CHECK(outcome(base) == ok);
  }
  // Another header that verifies: a different key id order of members.
  std::string reordered = "{\"typ\":\"" + header["typ"].get<std::string>() + "\",\"alg\":\"EdDSA\"";
  for (const auto& [k, v] : header.items())
    if (k != "typ" && k != "alg") reordered += ",\"" + k + "\":" + hc::json::dump(v, false);
  reordered += "}";
  SdJwt re = base;
  re.protected_b64 = b64(reordered);
  re = with_payload(re, payload_text_of(base));
  CHECK(outcome(re) == ok);
  CHECK(outcome(base) == ok);
}

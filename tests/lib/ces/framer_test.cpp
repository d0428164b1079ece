// The signer's frame (hc::ces::Signer, class Framer): which parts become
// disclosures must be exactly what pattern_match says of every path (the
// rule the signer followed when it still built path strings), and every
// text it writes must be the RFC 8785 canonical form of what it encodes.
#include "helpers.h"

#include <hc/crypto/crypto.h>

#include <set>

using namespace hc::ces;
using hc::json::Value;

namespace {

std::vector<std::vector<std::string>> tokens(const std::vector<std::string>& pointers) {
  std::vector<std::vector<std::string>> out;
  for (const auto& p : pointers) out.push_back(pointer_split(p));
  return out;
}

bool any(const std::vector<std::vector<std::string>>& pats, const std::vector<std::string>& path) {
  for (const auto& p : pats)
    if (pattern_match(p, path)) return true;
  return false;
}

/// The disclosures the policy asks for, found the slow way: every path as
/// strings, every pattern tried with pattern_match.
void expected(const Value& v, std::vector<std::string>& path, const std::vector<std::vector<std::string>>& plain,
              const std::vector<std::vector<std::string>>& together, std::set<std::string>& out) {
  auto child = [&](const Value& c) {
    if (any(plain, path)) return;  // signed in the clear, with all under it
    std::string ptr = "/fhir";
    for (const auto& t : path) ptr += "/" + pointer_escape(t);
    out.insert(ptr);
    if (!any(together, path)) expected(c, path, plain, together, out);
  };
  if (v.is_object()) {
    for (const auto& [k, c] : v.items()) {
      path.push_back(k);
      child(c);
      path.pop_back();
    }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      path.push_back(std::to_string(i));
      child(v[i]);
      path.pop_back();
    }
  }
}

void check_canonical(const SdJwt& sd) {
  auto canon_ok = [](const std::string& b64) {
    auto text = hc::crypto::unbase64url_text(b64);
    CHECK(hc::json::canonical(hc::json::parse(text, "t")) == text);
  };
  canon_ok(sd.protected_b64);
  canon_ok(sd.payload_b64);
  for (const auto& d : sd.disclosures) canon_ok(d);
}

Value tricky_resource() {
  return hc::json::parse(R"({
    "resourceType": "Observation", "id": "x1", "status": "final",
    "arr": ["a", "b", {"c": 1, "d": [true, null]}, 4.5, -0.0, 1e21, 123456789012345678],
    "obj": {"1": "one", "01": "zero-one", "a/b": "slash", "m~n": "tilde", "": "empty", "x": {"y": "z"}},
    "list": [{"keep": {"k": 1}, "grp": {"g": [1, 2]}, "other": "o"}, {"keep": "k2", "grp": "g2"}],
    "deep": {"p": {"q": {"x": "hit", "y": "miss"}}, "r": [{"x": "hit2"}]},
    "tog": {"t": [1, {"u": "v"}]},
    "Upper": {"_under": "u", "A": "\u00e9\u0007\"\\", "\ue000": 1, "\ud83d\ude00": 2},
    "emptyObj": {}, "emptyArr": []
  })", "tricky");
}

Policy tricky_policy() {
  Policy p;
  p.name = "framer-test";
  TypeRules r;
  r.plain = {"/resourceType", "/id", "/arr/1", "/arr/03", "/obj/1", "/obj/a~1b", "/obj/m~0n", "/list/*/keep",
             "/deep/*/*/x", "/obj/x/y", "/Upper/_under"};
  r.together = {"/tog", "/list/*/grp", "/arr/2", "/deep/r/0", "/obj/"};
  r.required = {"/status", "/obj/a~1b"};
  p.resources["Observation"] = r;
  return p;
}

}  // namespace

TEST_CASE("the frame discloses exactly the parts pattern_match picks, in canonical text") {
  Policy policy = tricky_policy();
  SignOptions so;
  so.policy = &policy;
  Signer signer(ces_test::doctor(), so);
  for (unsigned pad : {0u, 1u, 4u, 7u}) {
    INFO("decoy_pad " << pad);
    policy.decoy_pad = pad;
    Value r = tricky_resource();
    auto sd = signer.sign(r);
    check_canonical(sd);
    auto doc = open_document(sd);
    std::set<std::string> got;
    for (const auto& part : doc.processed.parts) got.insert(part.pointer);
    CHECK(got.size() == sd.disclosures.size());
    std::set<std::string> want;
    std::vector<std::string> path;
    const auto& rules = policy.resources.at("Observation");
    expected(r, path, tokens(rules.plain), tokens(rules.together), want);
    CHECK(got == want);
    // Equal up to RFC 8785 (-0.0 is 0, integers beyond 2^53 become doubles).
    CHECK(hc::json::canonical(doc.resource()) == hc::json::canonical(r));
    auto v = verify(sd, ces_test::trust_doctor());
    CHECK(hc::json::canonical(v.resource) == hc::json::canonical(r));
  }
}

TEST_CASE("the frame keeps checking the resource: required parts, reserved names, depth") {
  Policy policy = tricky_policy();
  SignOptions so;
  so.policy = &policy;
  Signer signer(ces_test::doctor(), so);
  Value r = tricky_resource();
  r["obj"].erase("a/b");
  CHECK(ces_test::message_of([&] { signer.sign(r); }).find("lacks /obj/a~1b") != std::string::npos);
  for (const char* reserved : {"_sd", "...", "_sd_alg"}) {
    Value t = tricky_resource();
    t["list"][1][reserved] = 1;
    CHECK(ces_test::code_of([&] { signer.sign(t); }) == 65);
    CHECK(ces_test::message_of([&] { signer.sign(t); }).find("reserved") != std::string::npos);
  }
  Value deep = tricky_resource();
  Value* at = &deep["emptyObj"];
  for (int i = 0; i < 70; ++i) at = &((*at)["n"] = Value::object());
  CHECK(ces_test::message_of([&] { signer.sign(deep); }).find("deeper than 64") != std::string::npos);
}

TEST_CASE("a Signer follows policy types added after it was made, and fails on a broken one only when used") {
  Policy policy = tricky_policy();
  SignOptions so;
  so.policy = &policy;
  Signer signer(ces_test::doctor(), so);
  TypeRules extra;
  extra.plain = {"/resourceType", "/a"};
  policy.resources["Extra"] = extra;
  auto sd = signer.sign(hc::json::parse(R"({"resourceType":"Extra","a":{"b":1},"c":{"d":2}})"));
  std::set<std::string> got;
  for (const auto& part : open_document(sd).processed.parts) got.insert(part.pointer);
  CHECK(got == std::set<std::string>{"/fhir/c", "/fhir/c/d"});

  Policy broken = tricky_policy();
  broken.resources["Broken"].plain = {"no-slash"};
  SignOptions bo;
  bo.policy = &broken;
  Signer bs(ces_test::doctor(), bo);  // does not throw: Broken is not used yet
  CHECK(ces_test::code_of([&] { bs.sign(tricky_resource()); }) == -1);
  CHECK(ces_test::code_of([&] { bs.sign(hc::json::parse(R"({"resourceType":"Broken"})")); }) == 2);
}

TEST_CASE("every salt is 128 bits, and none repeats within or across documents") {
  Policy policy = tricky_policy();
  policy.decoy_pad = 3;
  SignOptions so;
  so.policy = &policy;
  Signer signer(ces_test::doctor(), so);
  std::set<std::string> salts;
  size_t total = 0;
  for (int doc = 0; doc < 8; ++doc) {
    auto sd = signer.sign(tricky_resource());
    for (const auto& d : sd.disclosures) {
      auto arr = hc::json::parse(hc::crypto::unbase64url_text(d), "d");
      REQUIRE(arr.is_array());
      const auto& salt = arr[0].get_ref<const std::string&>();
      CHECK(hc::crypto::unbase64url(salt).size() == 16);
      salts.insert(salt);
      ++total;
    }
  }
  CHECK(total > 16 * 8);  // more than one pool of salts per document
  CHECK(salts.size() == total);
}

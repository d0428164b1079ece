// policy_problems matches the disclosures' pointers against the policy's
// patterns as written (escaped tokens, indexed by their first token). These
// cases hold it to the plain definition: each part's unescaped tokens
// against every pattern in policy order with pattern_match_prefix.
#include "helpers.h"

#include <random>

using namespace hc::ces;
using hc::json::Value;

namespace {

/// The placement problems by the definition, in policy_problems' order and
/// words (for resources without required/requires rules).
std::vector<std::string> reference_problems(const Value& resource, const Policy& policy,
                                            const std::vector<std::string>& pointers) {
  auto join = [](const std::vector<std::string>& t, size_t from = 0) {
    std::string out;
    for (size_t i = from; i < t.size(); ++i) out += "/" + pointer_escape(t[i]);
    return out;
  };
  struct Root {
    std::vector<std::string> at;
    const Value* value;
  };
  std::vector<Root> roots{{{}, &resource}};
  if (resource.value("resourceType", "") == "Bundle")
    for (size_t i = 0; i < resource["entry"].size(); ++i)
      roots.push_back({{"entry", std::to_string(i), "resource"}, &resource["entry"][i]["resource"]});
  auto prefix = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
  };
  std::vector<std::string> out;
  for (size_t ri = 0; ri < roots.size(); ++ri) {
    const TypeRules* rules = policy.rules_for((*roots[ri].value)["resourceType"].get<std::string>());
    REQUIRE(rules);
    for (const auto& ptr : pointers) {
      auto t = pointer_split(ptr.substr(5));  // after "/fhir"
      const auto& at = roots[ri].at;
      if (!prefix(at, t) || t.size() == at.size()) continue;
      bool nested = false;
      for (size_t rj = ri + 1; rj < roots.size() && ri == 0; ++rj) nested = nested || prefix(roots[rj].at, t);
      if (nested) continue;
      for (const auto& p : rules->plain)
        if (pattern_match_prefix(pointer_split(p), t, at.size(), true)) {
          out.push_back(join(t) + " is disclosable but the policy signs " + join(at) + p + " in the clear");
          break;
        }
      for (const auto& p : rules->together)
        if (pattern_match_prefix(pointer_split(p), t, at.size(), false)) {
          out.push_back(join(t) + " is disclosable on its own but the policy keeps " + join(at) + p + " together");
          break;
        }
    }
  }
  return out;
}

Document document(const Value& resource, std::shared_ptr<const Policy> policy, const std::vector<std::string>& pointers) {
  Document doc;
  doc.processed.claims = Value::object();
  doc.processed.claims["fhir"] = resource;
  for (const auto& p : pointers) doc.processed.parts.push_back({p, -1, false});
  doc.policy = std::move(policy);
  return doc;
}

}  // namespace

TEST_CASE("policy placement checks match escaped names and wildcards as the definition does") {
  auto policy = std::make_shared<Policy>();
  policy->decoy_pad = 0;
  auto& r = policy->resources["Thing"];
  // Names with "/" and "~" (escaped in pointers), a "*" first token, the
  // same first token in several patterns, a pattern that is a prefix of
  // another (the first in policy order is reported).
  r.plain = {"/resourceType", "/a~1b", "/*/x~0y", "/c/*/d"};
  r.together = {"/*/k", "/c/*", "/c/*/d/e", "/e~0~1/*", "/c/0/f"};
  policy->resources["Bundle"].together = {"/entry/*"};
  Value thing = hc::json::parse(
      R"({"resourceType":"Thing","a/b":{"q":1},"m":{"x~y":1,"k":2},"c":[{"d":{"e":1},"f":2},{"k":3}],"e~/":[1,2],"~":3})");
  std::vector<std::string> pointers = {
      "/fhir/a~1b",       "/fhir/a~1b/q",  "/fhir/m/x~0y",   "/fhir/m/k",     "/fhir/c/0",     "/fhir/c/0/d",
      "/fhir/c/0/d/e",    "/fhir/c/0/f",   "/fhir/c/1/k",    "/fhir/e~0~1/0", "/fhir/e~0~1",   "/fhir/~0",
      "/fhir/a~0b",       "/fhir/a/b",     "/fhir/m/x~1y",   "/fhir/c",       "/fhir/resourceType"};
  auto expected = reference_problems(thing, *policy, pointers);
  CHECK(expected.size() > 8);
  CHECK(policy_problems(document(thing, policy, pointers)) == expected);
  // Each pointer alone, too.
  for (const auto& p : pointers) {
    INFO(p);
    CHECK(policy_problems(document(thing, policy, {p})) == reference_problems(thing, *policy, {p}));
  }
  // The overload for a resource alone takes unescaped tokens.
  std::vector<std::vector<std::string>> tokens;
  for (const auto& p : pointers) tokens.push_back(pointer_split(p.substr(5)));
  CHECK(policy_problems(thing, *policy, tokens) == expected);

  // Bundle entries keep their own rules; their parts are matched from the entry.
  Value bundle = Value::object();
  bundle["resourceType"] = "Bundle";
  bundle["entry"] = Value::array({Value::object(), Value::object()});
  bundle["entry"][0]["resource"] = thing;
  bundle["entry"][1]["resource"] = thing;
  std::vector<std::string> bp = {"/fhir/entry/0", "/fhir/entry/1/resource/m/k", "/fhir/entry/0/resource/a~1b",
                                 "/fhir/entry/1/resource/c/0/d/e", "/fhir/entry/10/resource/m/k"};
  auto bexpected = reference_problems(bundle, *policy, bp);
  CHECK(bexpected.size() == 4);
  CHECK(policy_problems(document(bundle, policy, bp)) == bexpected);
}

TEST_CASE("policy placement checks agree with the definition on random pointers") {
  auto policy = std::make_shared<Policy>();
  auto& r = policy->resources["Thing"];
  std::vector<std::string> names = {"a", "b", "*", "a~0", "~1", "0", "1", "ab"};
  std::mt19937 rng(42);
  auto random_pointer = [&](size_t max_len, bool pattern) {
    std::string p;
    size_t n = 1 + rng() % max_len;
    for (size_t i = 0; i < n; ++i) {
      std::string t = names[rng() % names.size()];
      if (!pattern && t == "*") t = "s";
      p += "/" + t;
    }
    return p;
  };
  Value thing = hc::json::parse(R"({"resourceType":"Thing"})");
  for (int round = 0; round < 200; ++round) {
    r.plain.clear();
    r.together.clear();
    for (size_t i = rng() % 6; i > 0; --i) r.plain.push_back(random_pointer(3, true));
    for (size_t i = rng() % 10; i > 0; --i) r.together.push_back(random_pointer(4, true));
    std::vector<std::string> pointers;
    for (int i = 0; i < 20; ++i) pointers.push_back("/fhir" + random_pointer(5, false));
    INFO(round);
    REQUIRE(policy_problems(document(thing, policy, pointers)) == reference_problems(thing, *policy, pointers));
  }
}

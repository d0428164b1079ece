// Consent contracts: body parsing, time and pointer rules, evaluation, and
// property tests over random grants, revokes and times against a plain
// reference model written from hc-formats(5), CONSENT.
#include <catch2/catch.hpp>

#include <hc/consent/consent.h>
#include <hc/core/error.h>

#include <algorithm>
#include <random>
#include <set>

using namespace hc::consent;

namespace {

const std::string P = "0123456789abcdef", Q = "1111111111111111";  // patients
const std::string A = "aaaaaaaaaaaaaaaa", B = "bbbbbbbbbbbbbbbb";  // grantees
const std::string EMR1(64, '1'), EMR2(64, '2');
const int64_t T0 = parse_time("2026-11-26T00:00:00Z");

Grant make(const std::string& grantor, const std::string& grantee, Effect effect, std::vector<std::string> purposes,
           Scope scope, int64_t start, int64_t end, int64_t issued = 0) {
  GrantSpec s{grantor, grantee, effect, std::move(purposes), std::move(scope), start, end, issued ? issued : T0};
  return parse_grant(grant_body(s));
}

Request req(const std::string& grantee, const std::string& emr, int64_t t, const std::string& pointer = "",
            const std::string& purpose = "HRESCH", const std::string& type = "Observation") {
  return Request{P, grantee, emr, type, pointer, purpose, t};
}

hc::Exit code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const hc::Error& e) {
    return e.code();
  }
  return hc::Exit::ok;
}

}  // namespace

TEST_CASE("times are strict UTC RFC 3339 with seconds") {
  CHECK(parse_time("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_time("2000-02-29T23:59:59Z") == 951868799);
  CHECK(format_time(951868799) == "2000-02-29T23:59:59Z");
  CHECK(format_time(parse_time("2026-11-26T10:15:00Z")) == "2026-11-26T10:15:00Z");
  for (const char* bad : {"2026-11-26T10:15:00", "2026-11-26T10:15:00+00:00", "2026-11-26 10:15:00Z",
                          "2026-11-26T10:15:00.5Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                          "1969-12-31T23:59:59Z", "2026-11-26T24:00:00Z", "２026-11-26T10:15:00Z"})
    CHECK(code_of([&] { parse_time(bad); }) == hc::Exit::data);
}

TEST_CASE("JSON Pointers follow RFC 6901 and nest by whole tokens") {
  CHECK(valid_pointer(""));
  CHECK(valid_pointer("/component/0/valueQuantity"));
  CHECK(valid_pointer("/a~1b/~0"));
  CHECK_FALSE(valid_pointer("component"));
  CHECK_FALSE(valid_pointer("/a~2"));
  CHECK_FALSE(valid_pointer("/a~"));
  CHECK(pointer_contains("", "/x"));
  CHECK(pointer_contains("/component", "/component/0"));
  CHECK(pointer_contains("/component", "/component"));
  CHECK_FALSE(pointer_contains("/component", "/components"));
  CHECK_FALSE(pointer_contains("/component/0", "/component"));
}

TEST_CASE("grant bodies are strict and canonical") {
  auto g = make(P, A, Effect::permit, {"HRESCH"}, {{EMR1}, {"Observation"}, {"/component"}}, T0, T0 + 3600);
  CHECK(g.canonical ==
        R"({"decision":"permit","grantee":"aaaaaaaaaaaaaaaa","grantor":"0123456789abcdef","issued":"2026-11-26T00:00:00Z",)"
        R"("period":{"end":"2026-11-26T01:00:00Z","start":"2026-11-26T00:00:00Z"},"purpose":["HRESCH"],)"
        R"("scope":{"emr":["1111111111111111111111111111111111111111111111111111111111111111"],)"
        R"("pointer":["/component"],"resourceType":["Observation"]},"type":"hc-consent-grant-v1"})");
  CHECK(g.id.size() == 64);
  // The id is the hash of the canonical form, whatever the member order.
  auto reparsed = parse_grant(hc::json::parse(hc::json::dump(hc::json::parse(g.canonical), true)));
  CHECK(reparsed.id == g.id);
  // Null and missing mean the same (hc-formats(5)), so they give one id.
  auto with_null = hc::json::parse(g.canonical);
  with_null["scope"]["extra_null"] = nullptr;
  with_null["note"] = nullptr;
  CHECK(parse_grant(with_null).id == g.id);
  auto optional_null = hc::json::parse(g.canonical);
  optional_null["scope"]["pointer"] = nullptr;
  auto no_pointer = hc::json::parse(g.canonical);
  no_pointer["scope"].erase("pointer");
  CHECK(parse_grant(optional_null).id == parse_grant(no_pointer).id);

  auto body = hc::json::parse(g.canonical);
  auto broken = [&](const std::function<void(hc::json::Value&)>& edit, const std::string& field) {
    auto b = body;
    edit(b);
    try {
      parse_grant(b, "grant.json");
      FAIL("accepted a broken grant (" << field << ")");
    } catch (const hc::Error& e) {
      CHECK(e.code() == hc::Exit::data);
      CHECK(e.field() == field);
      CHECK(e.file() == "grant.json");
    }
  };
  broken([](auto& b) { b["extra"] = 1; }, "extra");
  broken([](auto& b) { b["type"] = "hc-consent-grant-v2"; }, "type");
  broken([](auto& b) { b["grantor"] = "0123456789ABCDEF"; }, "grantor");
  broken([](auto& b) { b["grantor"] = "*"; }, "grantor");
  broken([](auto& b) { b["grantee"] = "abc"; }, "grantee");
  broken([](auto& b) { b["decision"] = "allow"; }, "decision");
  broken([](auto& b) { b["purpose"] = hc::json::Value::array(); }, "purpose");
  broken([](auto& b) { b["purpose"] = {"HRESCH", "HRESCH"}; }, "purpose[1]");
  broken([](auto& b) { b["purpose"] = {"*", "TREAT"}; }, "purpose");
  broken([](auto& b) { b["purpose"] = {"research"}; }, "purpose[0]");
  broken([](auto& b) { b["scope"]["pointer"] = {"component"}; }, "scope.pointer[0]");
  broken([](auto& b) { b["scope"]["emr"] = {"xyz"}; }, "scope.emr[0]");
  broken([](auto& b) { b["scope"]["resourceType"] = {"observation"}; }, "scope.resourceType[0]");
  broken([](auto& b) { b["scope"]["other"] = 1; }, "scope.other");
  broken([](auto& b) { b["period"]["end"] = b["period"]["start"]; }, "period.end");
  broken([](auto& b) { b["period"].erase("start"); }, "period.start");
  broken([](auto& b) { b["period"]["start"] = 5; }, "period.start");
  broken([](auto& b) { b.erase("issued"); }, "issued");
  CHECK(code_of([] { parse_grant(hc::json::parse("[]")); }) == hc::Exit::data);
}

TEST_CASE("revoke bodies are strict") {
  auto r = parse_revoke(revoke_body(P, EMR1, T0));
  CHECK(r.canonical == R"({"grant":")" + EMR1 + R"(","grantor":"0123456789abcdef","issued":"2026-11-26T00:00:00Z",)"
                           R"("type":"hc-consent-revoke-v1"})");
  CHECK(code_of([] { revoke_body(P, "abc", T0); }) == hc::Exit::data);
  CHECK(code_of([] { parse_revoke(hc::json::parse(R"({"type":"hc-consent-grant-v1"})")); }) == hc::Exit::data);
}

TEST_CASE("evaluation: permit, expiry, scope, deny wins, revocation") {
  State s;
  auto permit = make(P, A, Effect::permit, {"HRESCH"}, {{EMR1}, {"Observation"}, {"/component"}}, T0, T0 + 3600);
  REQUIRE(s.apply(permit));
  CHECK_FALSE(s.apply(permit));  // idempotent

  auto d = s.evaluate(req(A, EMR1, T0 + 10, "/component/0"));
  CHECK(d.permit);
  CHECK(d.reason == Reason::permitted);
  CHECK(d.rule == permit.id);
  CHECK(s.evaluate(req(A, EMR1, T0 + 10, "/component")).permit);
  CHECK_FALSE(s.evaluate(req(A, EMR1, T0 + 10, "")).permit);  // whole resource is wider than the grant
  CHECK_FALSE(s.evaluate(req(A, EMR1, T0 + 10, "/subject")).permit);
  CHECK_FALSE(s.evaluate(req(A, EMR2, T0 + 10, "/component")).permit);
  CHECK_FALSE(s.evaluate(req(B, EMR1, T0 + 10, "/component")).permit);
  CHECK_FALSE(s.evaluate(req(A, EMR1, T0 + 10, "/component", "TREAT")).permit);
  CHECK_FALSE(s.evaluate(req(A, EMR1, T0 + 10, "/component", "HRESCH", "Patient")).permit);
  CHECK(s.evaluate(req(B, EMR1, T0 + 10)).reason == Reason::no_consent);
  CHECK(s.evaluate(req(B, EMR1, T0 + 10)).rule.empty());

  auto late = s.evaluate(req(A, EMR1, T0 + 3600, "/component"));
  CHECK_FALSE(late.permit);
  CHECK(late.reason == Reason::expired);
  CHECK(late.rule == permit.id);
  CHECK(s.evaluate(req(A, EMR1, T0 - 1, "/component")).reason == Reason::not_yet_valid);

  // A deny for anyone on a sub-part wins over the permit, also for a request
  // that would include the denied part.
  auto deny = make(P, "*", Effect::deny, {"*"}, {{}, {}, {"/component/1"}}, T0, T0 + 60);
  REQUIRE(s.apply(deny));
  CHECK(s.evaluate(req(A, EMR1, T0 + 10, "/component/1/value")).reason == Reason::denied);
  CHECK(s.evaluate(req(A, EMR1, T0 + 10, "/component")).rule == deny.id);
  CHECK(s.evaluate(req(A, EMR1, T0 + 10, "/component/0")).permit);
  CHECK(s.evaluate(req(A, EMR1, T0 + 61, "/component")).permit);  // the deny has ended

  // Revocation: only by the grantor, final.
  CHECK(code_of([&] { s.apply(parse_revoke(revoke_body(Q, permit.id, T0))); }) == hc::Exit::invalid);
  REQUIRE(s.apply(parse_revoke(revoke_body(P, permit.id, T0 + 100))));
  CHECK_FALSE(s.apply(parse_revoke(revoke_body(P, permit.id, T0 + 200))));
  auto after = s.evaluate(req(A, EMR1, T0 + 120, "/component/0"));
  CHECK_FALSE(after.permit);
  CHECK(after.reason == Reason::revoked);
  CHECK_FALSE(s.apply(permit));  // re-applying the same grant does not revive it
  CHECK_FALSE(s.evaluate(req(A, EMR1, T0 + 120, "/component/0")).permit);
  CHECK(s.revoked(permit.id));

  auto j = to_json(after, req(A, EMR1, T0 + 120));
  CHECK(j["decision"] == "deny");
  CHECK(j["reason"] == "revoked");
  CHECK(j["time"] == "2026-11-26T00:02:00Z");
}

TEST_CASE("requests parse strictly") {
  auto r = parse_request(hc::json::parse(R"({"grantor":"0123456789abcdef","grantee":"aaaaaaaaaaaaaaaa","emr":")" +
                                         EMR1 +
                                         R"(","resourceType":"Observation","pointer":"/code","purpose":"TREAT",)"
                                         R"("time":"2026-11-26T00:00:00Z"})"));
  CHECK(r.pointer == "/code");
  CHECK(r.time == T0);
  CHECK(code_of([] { parse_request(hc::json::parse(R"({"grantor":"0123456789abcdef"})")); }) == hc::Exit::data);
}

// ---- Property tests --------------------------------------------------------

namespace {

struct World {
  std::vector<Grant> grants;
  std::vector<Revoke> revokes;
};

/// A small universe so that random grants and requests collide often.
World random_world(std::mt19937_64& rng, size_t n_grants) {
  static const std::vector<std::string> grantees = {A, B, "*"};
  static const std::vector<std::string> purposes = {"TREAT", "HRESCH", "PUBHLTH"};
  static const std::vector<std::string> types = {"Observation", "Patient"};
  static const std::vector<std::string> pointers = {"", "/component", "/component/0", "/code", "/component/1/value"};
  auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
  World w;
  for (size_t i = 0; i < n_grants; ++i) {
    GrantSpec s;
    s.grantor = rng() % 4 ? P : Q;
    s.grantee = pick(grantees);
    s.effect = rng() % 3 ? Effect::permit : Effect::deny;
    if (rng() % 4 == 0) s.purposes = {"*"};
    else s.purposes = {pick(purposes)};
    if (rng() % 2) s.scope.emrs = {rng() % 2 ? EMR1 : EMR2};
    if (rng() % 2) s.scope.resource_types = {pick(types)};
    if (rng() % 2) {
      auto p = pick(pointers);
      if (!p.empty()) s.scope.pointers = {p};
    }
    s.start = T0 + static_cast<int64_t>(rng() % 100);
    s.end = s.start + 1 + static_cast<int64_t>(rng() % 100);
    s.issued = T0 + static_cast<int64_t>(i);
    w.grants.push_back(parse_grant(grant_body(s)));
  }
  for (const auto& g : w.grants)
    if (rng() % 4 == 0) w.revokes.push_back(parse_revoke(revoke_body(g.grantor, g.id, T0 + 50)));
  return w;
}

Request random_request(std::mt19937_64& rng) {
  static const std::vector<std::string> pointers = {"", "/component", "/component/0", "/component/1", "/code",
                                                    "/component/1/value/x"};
  Request r;
  r.grantor = rng() % 4 ? P : Q;
  r.grantee = rng() % 2 ? A : B;
  r.emr = rng() % 2 ? EMR1 : EMR2;
  r.resource_type = rng() % 2 ? "Observation" : "Patient";
  r.pointer = pointers[rng() % pointers.size()];
  static const std::vector<std::string> purposes = {"TREAT", "HRESCH", "PUBHLTH"};
  r.purpose = purposes[rng() % purposes.size()];
  r.time = T0 - 5 + static_cast<int64_t>(rng() % 210);
  return r;
}

/// The reference model: a plain reading of the rules, no index.
bool model_applies(const Grant& g, const Request& r) {
  if (g.grantor != r.grantor || (g.grantee != "*" && g.grantee != r.grantee)) return false;
  bool purpose = false;
  for (const auto& p : g.purposes) purpose = purpose || p == "*" || p == r.purpose;
  if (!purpose) return false;
  if (!g.scope.emrs.empty() && std::count(g.scope.emrs.begin(), g.scope.emrs.end(), r.emr) == 0) return false;
  if (!g.scope.resource_types.empty() &&
      std::count(g.scope.resource_types.begin(), g.scope.resource_types.end(), r.resource_type) == 0)
    return false;
  if (g.scope.pointers.empty()) return true;
  for (const auto& p : g.scope.pointers) {
    bool inside = r.pointer.rfind(p, 0) == 0 && (r.pointer.size() == p.size() || r.pointer[p.size()] == '/');
    bool includes = p.rfind(r.pointer, 0) == 0 && (p.size() == r.pointer.size() || p[r.pointer.size()] == '/');
    if (inside || (g.effect == Effect::deny && includes)) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("property: the indexed evaluator agrees with the reference model") {
  std::mt19937_64 rng(20261126);
  for (int round = 0; round < 40; ++round) {
    auto w = random_world(rng, 60);
    State s;
    std::set<std::string> revoked;
    for (const auto& g : w.grants) s.apply(g);
    for (const auto& r : w.revokes) s.apply(r), revoked.insert(r.grant);
    for (int q = 0; q < 300; ++q) {
      auto r = random_request(rng);
      bool any_deny = false, any_permit = false;
      for (const auto& g : w.grants) {
        if (!model_applies(g, r) || revoked.count(g.id) || r.time < g.start || r.time >= g.end) continue;
        (g.effect == Effect::deny ? any_deny : any_permit) = true;
      }
      auto d = s.evaluate(r);
      INFO("round " << round << " query " << q);
      // Deny wins: any active matching deny refuses.
      CHECK(d.permit == (!any_deny && any_permit));
      if (d.permit) {
        // A permit is always decided by an active, unrevoked, matching permit.
        const Grant* g = s.find(d.rule);
        REQUIRE(g);
        CHECK(g->effect == Effect::permit);
        CHECK(g->start <= r.time);
        CHECK(r.time < g->end);  // expired never permits
        CHECK_FALSE(s.revoked(g->id));
        CHECK(model_applies(*g, r));
      }
      if (any_deny) CHECK(d.reason == Reason::denied);
    }
  }
}

TEST_CASE("property: revoke is final and order does not matter") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 25; ++round) {
    auto w = random_world(rng, 40);
    // The same grants and revokes, applied in three random interleavings
    // (revokes may come before their grants).
    std::vector<std::function<void(State&)>> ops;
    for (const auto& g : w.grants) ops.push_back([g](State& s) { s.apply(g); });
    for (const auto& r : w.revokes) ops.push_back([r](State& s) { s.apply(r); });
    std::vector<State> states(3);
    for (auto& st : states) {
      std::shuffle(ops.begin(), ops.end(), rng);
      for (auto& op : ops) op(st);
      // Applying everything again changes nothing (grants are idempotent,
      // revoked grants stay revoked).
      for (auto& op : ops) op(st);
    }
    for (int q = 0; q < 300; ++q) {
      auto r = random_request(rng);
      auto d0 = states[0].evaluate(r);
      for (size_t i = 1; i < states.size(); ++i) {
        auto d = states[i].evaluate(r);
        CHECK(d.permit == d0.permit);
        CHECK(d.reason == d0.reason);
        CHECK(d.rule == d0.rule);
      }
      for (const auto& rv : w.revokes) {
        // No revoked grant ever decides a permit, at any time.
        CHECK_FALSE((d0.permit && d0.rule == rv.grant));
      }
    }
  }
}

TEST_CASE("property: time only narrows what a state permits") {
  // For a fixed state and request, the permitting times form a union of
  // grant periods: outside every permit's period nothing is permitted.
  std::mt19937_64 rng(99);
  auto w = random_world(rng, 80);
  State s;
  for (const auto& g : w.grants) s.apply(g);
  int64_t last_end = T0;
  for (const auto& g : w.grants) last_end = std::max(last_end, g.end);
  for (int q = 0; q < 500; ++q) {
    auto r = random_request(rng);
    r.time = last_end + static_cast<int64_t>(rng() % 1000);
    CHECK_FALSE(s.evaluate(r).permit);
    r.time = T0 - 1 - static_cast<int64_t>(rng() % 1000);
    CHECK_FALSE(s.evaluate(r).permit);
  }
}

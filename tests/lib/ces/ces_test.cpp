// Sign → extract → verify on realistic FHIR resources, and every tamper case
// hc-verify must refuse (RFC 9901 §7 plus hc's stricter rules).
#include "helpers.h"

#include <functional>
#include <random>
#include <set>

using namespace hc::ces;
using hc::json::Value;
using ces_test::code_of;
using ces_test::message_of;

namespace {

constexpr int k_invalid = 1, k_data = 65, k_usage = 2, k_perm = 77;

/// Re-signs `sd` by `key` after `edit` changed its header and payload, so a
/// test reaches the check it is aimed at rather than the signature check.
template <class Edit>
SdJwt resign(SdJwt sd, Edit edit, const hc::keys::SecretKey& key = ces_test::doctor()) {
  auto header = decode_json_part(sd.protected_b64, "h");
  auto payload = decode_json_part(sd.payload_b64, "p");
  edit(header, payload);
  jws_sign(key.ed25519_seed, header, payload, sd.protected_b64, sd.payload_b64, sd.signature_b64);
  return sd;
}

std::string make_disclosure(const Value& arr) { return b64(hc::json::canonical(arr)); }

Verdict check(const SdJwt& sd) { return verify(sd, ces_test::trust_doctor()); }

const char* k_files[] = {"patient.json", "observation.json", "condition.json", "procedure.json", "careplan.json",
                         "bundle.json"};

}  // namespace

TEST_CASE("every sample resource signs, verifies and comes back unchanged") {
  for (const char* f : k_files) {
    INFO(f);
    auto r = ces_test::load(f);
    auto sd = ces_test::sign(r);
    auto v = check(sd);
    CHECK(v.resource == r);
    CHECK(v.signer == ces_test::doctor().pub.key_id);
    CHECK(v.holder_bound);
    CHECK(v.hidden > 0);  // decoys
    // Both serializations round-trip.
    auto compact = parse_sd_jwt(sd.compact(), "t");
    CHECK(compact.compact() == sd.compact());
    CHECK(sd.json_line() == hc::json::dump(sd.to_json(), false));
    auto json = parse_sd_jwt(sd.json_line(), "t");
    CHECK(json.compact() == sd.compact());
    CHECK(check(json).resource == r);
  }
}

TEST_CASE("payload claims follow the hc profile") {
  auto sd = ces_test::sign(ces_test::load("observation.json"));
  auto h = decode_json_part(sd.protected_b64, "h");
  auto p = decode_json_part(sd.payload_b64, "p");
  CHECK(h == Value{{"alg", "EdDSA"}, {"typ", "hc-emr+sd-jwt"}, {"kid", ces_test::doctor().pub.key_id}});
  CHECK(p["_sd_alg"] == "sha-256");
  CHECK(p["iss"] == ces_test::doctor().pub.key_id);
  CHECK(p["hc_doc"] == "fhir-r4/Observation");
  CHECK(p["cnf"]["jwk"]["crv"] == "Ed25519");
  CHECK(p["hc_policy"]["resources"].contains("Observation"));
  // Plain parts stay in the clear; the rest is digests.
  CHECK(p["fhir"]["status"] == "final");
  CHECK(p["fhir"]["code"]["coding"][0]["code"] == "85354-9");
  CHECK_FALSE(p["fhir"].contains("note"));
  // Every _sd is sorted and padded to a multiple of 4 with at least one decoy.
  auto& sd_list = p["fhir"]["_sd"];
  CHECK(sd_list.size() % 4 == 0);
  CHECK(std::is_sorted(sd_list.begin(), sd_list.end()));
}

TEST_CASE("extraction removes exactly the named parts, repeatedly") {
  auto r = ces_test::load("patient.json");
  auto doc = open_document(ces_test::sign(r));
  ExtractOptions o;
  o.remove = {"/address/0/line", "/name/1", "/telecom/0"};
  auto once = extract(doc, o);
  auto v = check(once);
  auto want = r;
  want["address"][0].erase("line");
  want["name"].erase(1);
  want["telecom"].erase(0);
  CHECK(v.resource == want);
  // Again, on its own output: indices are those of the disclosed resource.
  ExtractOptions o2;
  o2.remove = {"/telecom/0", "/name/0/given/1"};
  auto twice = extract(open_document(once), o2);
  want["telecom"].erase(0);
  want["name"][0]["given"].erase(1);
  CHECK(check(twice).resource == want);
  // Keep: only what is asked for, plus what must stay.
  ExtractOptions k;
  k.keep = {"/birthDate", "/address/0/city"};
  auto kept = check(extract(doc, k)).resource;
  CHECK(kept == Value{{"resourceType", "Patient"}, {"id", r["id"]}, {"birthDate", r["birthDate"]},
                      {"address", {{{"city", "PleasantVille"}}}}});
}

TEST_CASE("a Bundle entry can go as a whole, and entry resources keep their own rules") {
  auto r = ces_test::load("bundle.json");
  auto doc = open_document(ces_test::sign(r));
  ExtractOptions o;
  o.remove = {"/entry/0"};
  auto v = check(extract(doc, o));
  CHECK(v.resource["entry"].size() == r["entry"].size() - 1);
  CHECK(v.resource["entry"][0] == r["entry"][1]);
  ExtractOptions bad;
  bad.remove = {"/entry/1/resource/status"};
  CHECK(code_of([&] { extract(doc, bad); }) == k_perm);
  ExtractOptions inner;
  inner.remove = {"/entry/1/resource/note"};
  auto w = check(extract(doc, inner));
  CHECK_FALSE(w.resource["entry"][1]["resource"].contains("note"));
  // The same through the in-place (moved Document) path.
  CHECK(extract(open_document(ces_test::sign(r)), o).disclosures.size() == extract(doc, o).disclosures.size());
  CHECK(code_of([&] { extract(open_document(doc.sd), bad); }) == k_perm);
}

TEST_CASE("extraction refuses pointers that are missing, must stay, or break a rule") {
  auto doc = open_document(ces_test::sign(ces_test::load("observation.json")));
  auto try_remove = [&](std::vector<std::string> p) {
    ExtractOptions o;
    o.remove = std::move(p);
    return code_of([&] { extract(doc, o); });
  };
  CHECK(try_remove({"/nope"}) == k_usage);
  CHECK(try_remove({"/component/7"}) == k_usage);
  CHECK(try_remove({"no-slash"}) == k_usage);
  CHECK(try_remove({"/status"}) == k_perm);
  CHECK(try_remove({"/code/coding/0"}) == k_perm);
  CHECK(try_remove({"/component/0/valueQuantity/unit"}) == k_perm);  // goes with its value
  CHECK(try_remove({"/component/0/code"}) == k_perm);                 // "requires" rule
  CHECK(try_remove({"/component/0/code", "/component/0/valueQuantity"}) == -1);
  CHECK(message_of([&] {
          ExtractOptions o;
          o.remove = {"/status"};
          extract(doc, o);
        }).find("/status") != std::string::npos);
}

TEST_CASE("key binding: right audience, nonce and holder in both serializations") {
  auto doc = open_document(ces_test::sign(ces_test::load("condition.json")));
  ExtractOptions o;
  o.remove = {"/note/1"};
  o.holder_key = &ces_test::patient();
  o.aud = "hospital-b";
  o.nonce = "n-123";
  auto sd = extract(doc, o);
  for (int form = 0; form < 2; ++form) {
    INFO("form " << form);
    auto p = form ? parse_sd_jwt(hc::json::dump(sd.to_json(), false), "t") : parse_sd_jwt(sd.compact(), "t");
    auto vo = ces_test::trust_doctor();
    vo.aud = "hospital-b";
    vo.nonce = "n-123";
    auto v = verify(p, vo);
    CHECK(v.kb_present);
    vo.aud = "hospital-c";
    CHECK(code_of([&] { verify(p, vo); }) == k_invalid);
    vo.aud = "hospital-b";
    vo.nonce = "n-124";
    CHECK(code_of([&] { verify(p, vo); }) == k_invalid);
    // sd_hash: a disclosure dropped after binding.
    auto cut = p;
    cut.disclosures.pop_back();
    vo.nonce = "n-123";
    CHECK(message_of([&] { verify(cut, vo); }).find("sd_hash") != std::string::npos);
    // Reordered disclosures change the presentation too.
    auto swapped = p;
    std::swap(swapped.disclosures.front(), swapped.disclosures.back());
    CHECK(code_of([&] { verify(swapped, vo); }) == k_invalid);
  }
  // KB required but absent; KB by a key that is not the holder's.
  auto vo = ces_test::trust_doctor();
  vo.require_kb = true;
  CHECK(code_of([&] { verify(doc.sd, vo); }) == k_invalid);
  auto forged = sd;
  forged.kb_jwt = make_kb_jwt(forged, ces_test::other(), "hospital-b", "n-123", 0);
  CHECK(message_of([&] { check(forged); }).find("holder key") != std::string::npos);
  ExtractOptions wrong_holder;
  wrong_holder.holder_key = &ces_test::other();
  CHECK(code_of([&] { extract(doc, wrong_holder); }) == k_perm);
}

TEST_CASE("tampering is refused as invalid") {
  auto r = ces_test::load("observation.json");
  auto sd = ces_test::sign(r);
  auto doc = open_document(sd);

  SECTION("a disclosure that no digest references") {
    auto t = sd;
    t.disclosures.push_back(make_disclosure({"c2FsdHNhbHRzYWx0c2FsdHNhbA", "extra", 1}));
    CHECK(message_of([&] { check(t); }).find("not referenced") != std::string::npos);
  }
  SECTION("the same disclosure twice") {
    auto t = sd;
    t.disclosures.push_back(t.disclosures[0]);
    CHECK(code_of([&] { check(t); }) == k_invalid);
  }
  SECTION("a digest that appears twice") {
    auto t = resign(sd, [](Value&, Value& p) { p["fhir"]["_sd"].push_back(p["fhir"]["_sd"][0]); });
    CHECK(message_of([&] { check(t); }).find("more than once") != std::string::npos);
    auto u = resign(sd, [](Value&, Value& p) { p["fhir"]["extension"] = {{{"_sd", {p["fhir"]["_sd"][0]}}}}; });
    CHECK(message_of([&] { check(u); }).find("more than once") != std::string::npos);
  }
  SECTION("a disclosure whose name collides with a plain claim") {
    std::string d = make_disclosure({"c2FsdHNhbHRzYWx0c2FsdHNhbA", "status", "amended"});
    auto t = resign(sd, [&](Value&, Value& p) { p["fhir"]["_sd"].push_back(disclosure_digest(d)); });
    t.disclosures.push_back(d);
    CHECK(message_of([&] { check(t); }).find("already a claim") != std::string::npos);
  }
  SECTION("algorithms other than EdDSA, including none") {
    for (const char* alg : {"none", "HS256", "ES256", "RS256", "eddsa", "Ed25519"}) {
      INFO(alg);
      auto t = resign(sd, [&](Value& h, Value&) { h["alg"] = alg; });
      CHECK(message_of([&] { check(t); }).find("not accepted") != std::string::npos);
    }
    auto t = resign(sd, [&](Value& h, Value&) { h.erase("alg"); });
    CHECK(code_of([&] { check(t); }) == k_invalid);
    auto none = sd;
    none.signature_b64 = "AA";
    CHECK(code_of([&] { check(none); }) == k_invalid);
  }
  SECTION("malformed salts") {
    for (Value salt : {Value(12345678901234567890ull), Value("short"), Value("has space in the salt 12345"),
                       Value(""), Value::array(), Value(nullptr), Value("++++++++++++++++++++++++")}) {
      INFO(salt.dump());
      std::string d = make_disclosure({salt, "issued", "x"});
      auto t = resign(sd, [&](Value&, Value& p) { p["fhir"]["_sd"].push_back(disclosure_digest(d)); });
      t.disclosures.push_back(d);
      CHECK(message_of([&] { check(t); }).find("malformed salt") != std::string::npos);
    }
  }
  SECTION("changed value, name or type of a disclosed part") {
    for (size_t i = 0; i < sd.disclosures.size(); ++i) {
      auto dec = decode_disclosure(sd.disclosures[i], i);
      for (int change = 0; change < 3; ++change) {
        Value arr = dec.is_array_element ? Value{dec.salt, dec.value} : Value{dec.salt, dec.name, dec.value};
        Value& val = arr.back();
        if (change == 0) val = val.is_string() ? Value(val.get<std::string>() + "x") : Value("x");
        if (change == 1 && !dec.is_array_element) arr[1] = dec.name + "_";
        if (change == 2) val = val.is_string() ? Value::array({val}) : Value(val.dump());
        if (arr == (dec.is_array_element ? Value{dec.salt, dec.value} : Value{dec.salt, dec.name, dec.value}))
          continue;
        auto t = sd;
        t.disclosures[i] = make_disclosure(arr);
        CHECK(code_of([&] { check(t); }) == k_invalid);
      }
    }
  }
  SECTION("truncated or tampered text") {
    std::string c = sd.compact();
    for (size_t cut : {c.size() - 1, c.size() - 2, c.size() / 2, c.find('~') + 1, c.find('~') - 1, size_t(40)}) {
      INFO(cut);
      int code = code_of([&] { check(parse_sd_jwt(c.substr(0, cut), "t")); });
      // Cut right after a "~" is a presentation with fewer disclosures, which
      // SD-JWT cannot tell from a redaction: it verifies, showing less.
      if (c[cut - 1] == '~') CHECK(code == -1);
      else CHECK((code == k_invalid || code == k_data));
    }
    std::string j = hc::json::dump(sd.to_json(), false);
    CHECK(code_of([&] { check(parse_sd_jwt(j.substr(0, j.size() / 2), "t")); }) == k_data);
    auto t = sd;
    t.payload_b64[10] = t.payload_b64[10] == 'A' ? 'B' : 'A';
    CHECK(code_of([&] { check(t); }) == k_invalid);
    CHECK(code_of([&] { check(parse_sd_jwt("", "t")); }) == k_data);
    CHECK(code_of([&] { check(parse_sd_jwt("a.b.c", "t")); }) == k_data);
    CHECK(code_of([&] { check(parse_sd_jwt("[1,2]", "t")); }) == k_data);
    CHECK(code_of([&] { check(parse_sd_jwt(c.substr(0, c.find('~')) + "~~", "t")); }) == k_invalid);
    // The JSON form may only carry what the compact form can.
    for (const char* bad : {"a b", "a~b", "a.b", "a+b", ""}) {
      auto v = sd.to_json();
      v["header"]["disclosures"][0] = bad;
      CHECK(code_of([&] { parse_sd_jwt(hc::json::dump(v, false), "t"); }) == k_data);
      if (!*bad) continue;
      v = sd.to_json();
      v["payload"] = std::string(bad) + "x";
      CHECK(code_of([&] { parse_sd_jwt(hc::json::dump(v, true), "t"); }) == k_data);
    }
  }
  SECTION("a removed mandatory part, or one made disclosable against the signed policy") {
    Policy loose = default_policy();
    auto& rules = loose.resources["Observation"];
    rules.plain.erase(std::find(rules.plain.begin(), rules.plain.end(), "/status"));
    SignOptions so;
    so.policy = &loose;
    auto lsd = Signer(ces_test::doctor(), so).sign(r);
    auto strict = resign(lsd, [](Value&, Value& p) { p["hc_policy"] = default_policy().to_claim({"Observation"}); });
    CHECK(message_of([&] { check(strict); }).find("signs /status in the clear") != std::string::npos);
    // Drop the status disclosure: the required part is missing.
    auto odoc = open_document(lsd);
    ExtractOptions o;
    o.remove = {"/status"};
    CHECK(code_of([&] { extract(odoc, o); }) == k_perm);  // rule says status is required
    auto dropped = strict;
    for (size_t i = 0; i < odoc.processed.parts.size(); ++i)
      if (odoc.processed.parts[i].pointer == "/fhir/status")
        dropped.disclosures.erase(std::find(dropped.disclosures.begin(), dropped.disclosures.end(),
                                            lsd.disclosures[i]));
    CHECK(message_of([&] { check(dropped); }).find("lacks /status") != std::string::npos);
  }
  SECTION("expired, not yet valid, issued in the future") {
    SignOptions so;
    so.iat = now_seconds() - 10000;
    so.exp = now_seconds() - 3600;
    auto old = Signer(ces_test::doctor(), so).sign(r);
    CHECK(message_of([&] { check(old); }).find("expired") != std::string::npos);
    auto vo = ces_test::trust_doctor();
    vo.now = now_seconds() - 7200;
    CHECK(verify(old, vo).exp == so.exp);
    so.exp = 0;
    so.iat = now_seconds() + 86400;
    CHECK(message_of([&] { check(Signer(ces_test::doctor(), so).sign(r)); }).find("future") != std::string::npos);
    auto nbf = resign(sd, [](Value&, Value& p) { p["nbf"] = now_seconds() + 86400; });
    CHECK(code_of([&] { check(nbf); }) == k_invalid);
    auto str = resign(sd, [](Value&, Value& p) { p["exp"] = "2099-01-01"; });
    CHECK(code_of([&] { check(str); }) == k_invalid);
  }
  SECTION("claims outside the resource must be plain") {
    std::string d = make_disclosure({"c2FsdHNhbHRzYWx0c2FsdHNhbA", "exp", 1});
    auto t = resign(sd, [&](Value&, Value& p) { p["_sd"] = {disclosure_digest(d)}; });
    t.disclosures.push_back(d);
    CHECK(message_of([&] { check(t); }).find("outside the resource") != std::string::npos);
  }
  SECTION("structural abuse: _sd not a list, ... with company, element under _sd") {
    auto a = resign(sd, [](Value&, Value& p) { p["fhir"]["_sd"] = "x"; });
    CHECK(code_of([&] { check(a); }) == k_invalid);
    auto b = resign(sd, [](Value&, Value& p) { p["fhir"]["extra"] = {{{"...", "abc"}, {"x", 1}}}; });
    CHECK(code_of([&] { check(b); }) == k_invalid);
    auto c = resign(sd, [](Value&, Value& p) { p["fhir"]["extra"] = {{"...", "abc"}}; });
    CHECK(code_of([&] { check(c); }) == k_invalid);
    std::string el = make_disclosure({"c2FsdHNhbHRzYWx0c2FsdHNhbA", "x"});
    auto d = resign(sd, [&](Value&, Value& p) { p["fhir"]["_sd"].push_back(disclosure_digest(el)); });
    d.disclosures.push_back(el);
    CHECK(message_of([&] { check(d); }).find("array-element") != std::string::npos);
    auto e = resign(sd, [](Value&, Value& p) { p["_sd_alg"] = "sha-512"; });
    CHECK(code_of([&] { check(e); }) == k_invalid);
    auto f = resign(sd, [](Value& h, Value&) { h["typ"] = "JWT"; });
    CHECK(code_of([&] { check(f); }) == k_invalid);
    auto g = resign(sd, [](Value& h, Value&) { h["crit"] = {"b64"}; });
    CHECK(code_of([&] { check(g); }) == k_invalid);
  }
}

TEST_CASE("a signature by a different key is refused") {
  auto r = ces_test::load("procedure.json");
  auto by_other = Signer(ces_test::other(), {}).sign(r);
  CHECK(message_of([&] { check(by_other); }).find("not a trusted key") != std::string::npos);
  // Claims to be the doctor, signed by another key.
  auto forged = resign(ces_test::sign(r), [](Value&, Value&) {}, ces_test::other());
  CHECK(message_of([&] { check(forged); }).find("does not verify") != std::string::npos);
  auto vo = ces_test::trust_doctor();
  vo.trusted.push_back(ces_test::other().pub);
  CHECK(verify(by_other, vo).signer == ces_test::other().pub.key_id);
}

TEST_CASE("hostile nesting and sizes are bounded") {
  // A chain of 200 nested disclosures.
  auto sd = ces_test::sign(ces_test::load("observation.json"));
  std::vector<std::string> chain;
  Value inner = "leaf";
  for (int i = 0; i < 200; ++i) {
    std::string d = make_disclosure({"c2FsdHNhbHRzYWx0c2FsdHNhbA" + std::to_string(i), "n", inner});
    chain.push_back(d);
    inner = Value{{"_sd", {disclosure_digest(d)}}};
  }
  auto t = resign(sd, [&](Value&, Value& p) { p["fhir"]["deep"] = inner; });
  t.disclosures.insert(t.disclosures.end(), chain.begin(), chain.end());
  CHECK(message_of([&] { check(t); }).find("deeper") != std::string::npos);
  std::string big(17u << 20, 'A');
  CHECK(code_of([&] { parse_sd_jwt(big, "t"); }) == k_data);
}

// Property: random documents × random removals verify and rebuild to exactly
// the input minus the removals; any change to a disclosed byte never verifies.
namespace {

Value random_value(std::mt19937& rng, int depth) {
  static const char* names[] = {"a", "b", "name", "line", "x/y", "t~0", "ünï", "value", "k", "z"};
  int kind = depth > 3 ? static_cast<int>(rng() % 4) : static_cast<int>(rng() % 6);
  switch (kind) {
    case 0: return Value(std::string(1 + rng() % 12, static_cast<char>('a' + rng() % 26)));
    case 1: return Value(static_cast<int64_t>(rng() % 100000) - 50000);
    case 2: return Value(rng() % 2 == 0);
    case 3: return Value(static_cast<double>(rng() % 10000) / 8.0 + 0.5);
    case 4: {
      Value o = Value::object();
      for (int i = 0, n = static_cast<int>(rng() % 5); i < n; ++i) o[names[rng() % 10]] = random_value(rng, depth + 1);
      return o;
    }
    default: {
      Value a = Value::array();
      for (int i = 0, n = static_cast<int>(rng() % 5); i < n; ++i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
  }
}

Value without(const Value& v, const std::string& ptr, const std::set<std::string>& removed) {
  if (v.is_object()) {
    Value o = Value::object();
    for (const auto& [k, c] : v.items()) {
      std::string p = ptr + "/" + pointer_escape(k);
      if (!removed.count(p)) o[k] = without(c, p, removed);
    }
    return o;
  }
  if (v.is_array()) {
    Value a = Value::array();
    for (size_t i = 0; i < v.size(); ++i) {
      std::string p = ptr + "/" + std::to_string(i);
      if (!removed.count(p)) a.push_back(without(v[i], p, removed));
    }
    return a;
  }
  return v;
}

}  // namespace

TEST_CASE("property: random documents and random removals") {
  std::mt19937 rng(20261126);
  for (int round = 0; round < 60; ++round) {
    Value r = random_value(rng, 1);
    if (!r.is_object()) r = Value{{"v", r}};
    r["resourceType"] = "Basic";
    r["id"] = "r" + std::to_string(round);
    auto sd = ces_test::sign(r, false);
    auto doc = open_document(sd);
    REQUIRE(check(sd).resource == r);
    std::set<std::string> removed;
    ExtractOptions o;
    for (const auto& part : doc.processed.parts)
      if (rng() % 3 == 0) {
        std::string p = part.pointer.substr(5);  // drop "/fhir"
        removed.insert(p);
        o.remove.push_back(p);
      }
    auto out = extract(doc, o);
    auto v = check(out);
    CHECK(v.resource == without(r, "", removed));
    // Extracting from a Document given up (pruned in place) gives the same.
    CHECK(extract(open_document(sd), o).compact() == out.compact());
    // Flip one character of one disclosure (or of the payload): never valid.
    if (!out.disclosures.empty()) {
      auto t = out;
      auto& d = t.disclosures[rng() % t.disclosures.size()];
      size_t at = rng() % d.size();
      d[at] = d[at] == 'A' ? 'Q' : 'A';
      CHECK(code_of([&] { check(t); }) == k_invalid);
    }
    auto t = out;
    size_t at = rng() % t.payload_b64.size();
    t.payload_b64[at] = t.payload_b64[at] == 'A' ? 'Q' : 'A';
    CHECK(code_of([&] { check(t); }) == k_invalid);
  }
}

TEST_CASE("the signer writes RFC 8785 canonical JSON for the payload, header and every disclosure") {
  // The frame is written as text, not through a DOM: it must be exactly what
  // json::canonical gives for the same values, including names that sort
  // differently in UTF-16 (U+E000 and above against a surrogate pair).
  // Every _sd array in it is sorted (and padded with at least one decoy).
  std::function<void(const Value&)> sd_sorted = [&](const Value& v) {
    if (v.is_object() && v.contains("_sd")) {
      const auto& list = v["_sd"];
      CHECK(std::is_sorted(list.begin(), list.end()));
      CHECK(list.size() % 4 == 0);
    }
    if (v.is_structured())
      for (const auto& c : v) sd_sorted(c);
  };
  auto canon_ok = [&](const std::string& b64) {
    auto text = hc::crypto::unbase64url_text(b64);
    auto value = hc::json::parse(text, "t");
    CHECK(hc::json::canonical(value) == text);
    sd_sorted(value);
  };
  auto extra = ces_test::load("observation.json");
  extra["extension"] = Value::array({{{"url", "x"}, {"\xee\x80\x80", 1}, {"\xf0\x9f\x98\x80", 2}, {"_a", "\n\""}}});
  extra["valueQuantity"] = {{"value", 1.5e-7}, {"unit", "\xc3\xa9"}, {"\xef\xbf\xbd", true}, {"code", nullptr}};
  std::vector<Value> docs;
  for (const char* f : k_files) docs.push_back(ces_test::load(f));
  docs.push_back(extra);
  for (const auto& r : docs) {
    auto sd = ces_test::sign(r);
    canon_ok(sd.protected_b64);
    canon_ok(sd.payload_b64);
    for (const auto& d : sd.disclosures) canon_ok(d);
    CHECK(check(sd).resource == r);
  }
}

// The text path of disclosure processing (process_text) decides the valid
// documents hc makes and agrees with the DOM path (process) on them; on
// everything the DOM path refuses it gives up.
namespace {

/// Runs both paths on `sd`; true when the text path decided.
bool text_path_agrees(const SdJwt& sd) {
  std::string text = hc::crypto::unbase64url_text(sd.payload_b64);
  Processed fast;
  bool decided = process_text(text, sd.disclosures, {}, fast);
  Processed slow;
  bool slow_ok = true;
  try {
    slow = process(hc::json::parse(text), sd.disclosures);
  } catch (const hc::Error&) {
    slow_ok = false;
  }
  if (!decided) return false;
  REQUIRE(slow_ok);
  CHECK(fast.claims == slow.claims);
  CHECK(fast.hidden == slow.hidden);
  REQUIRE(fast.parts.size() == slow.parts.size());
  for (size_t i = 0; i < fast.parts.size(); ++i) {
    CHECK(fast.parts[i].pointer == slow.parts[i].pointer);
    CHECK(fast.parts[i].parent == slow.parts[i].parent);
    CHECK(fast.parts[i].is_array_element == slow.parts[i].is_array_element);
  }
  return true;
}

}  // namespace

TEST_CASE("the text path of disclosure processing agrees with the DOM path") {
  for (const char* f : k_files) {
    INFO(f);
    auto sd = ces_test::sign(ces_test::load(f));
    CHECK(text_path_agrees(sd));
    auto doc = open_document(sd);
    ExtractOptions o;
    o.remove.push_back(doc.processed.parts.back().pointer.substr(5));
    CHECK(text_path_agrees(extract(doc, o)));
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 40; ++round) {
    Value r = random_value(rng, 1);
    if (!r.is_object()) r = Value{{"v", r}};
    r["resourceType"] = "Basic";
    CHECK(text_path_agrees(ces_test::sign(r, false)));
  }
}

TEST_CASE("the text path gives up on what the DOM path refuses") {
  auto sd = ces_test::sign(ces_test::load("observation.json"));
  std::string salt = "c2FsdHNhbHRzYWx0c2FsdHNhbA";
  auto refused = [](const SdJwt& t) {
    std::string text = hc::crypto::unbase64url_text(t.payload_b64);
    Processed out;
    CHECK_FALSE(process_text(text, t.disclosures, {}, out));
    CHECK(code_of([&] { process(hc::json::parse(text), t.disclosures); }) == k_invalid);
  };
  SECTION("a disclosure no digest references") {
    auto t = sd;
    t.disclosures.push_back(make_disclosure({salt, "extra", 1}));
    refused(t);
  }
  SECTION("a disclosure sent twice") {
    auto t = sd;
    t.disclosures.push_back(t.disclosures[0]);
    refused(t);
  }
  SECTION("a digest twice, also a decoy's") {
    refused(resign(sd, [](Value&, Value& p) { p["fhir"]["_sd"].push_back(p["fhir"]["_sd"][0]); }));
    refused(resign(sd, [](Value&, Value& p) { p["fhir"]["_sd"].push_back("decoy"); p["fhir"]["_sd"].push_back("decoy"); }));
  }
  SECTION("a name that collides with a plain claim") {
    std::string d = make_disclosure({salt, "status", "amended"});
    auto t = resign(sd, [&](Value&, Value& p) { p["fhir"]["_sd"].push_back(disclosure_digest(d)); });
    t.disclosures.push_back(d);
    refused(t);
  }
  SECTION("an array-element disclosure under _sd, an object one under ...") {
    std::string a = make_disclosure({salt, 5});
    auto t = resign(sd, [&](Value&, Value& p) { p["fhir"]["_sd"].push_back(disclosure_digest(a)); });
    t.disclosures.push_back(a);
    refused(t);
    std::string m = make_disclosure({salt, "x", 5});
    auto u = resign(sd, [&](Value&, Value& p) { p["fhir"]["extra"] = {{{"...", disclosure_digest(m)}}}; });
    u.disclosures.push_back(m);
    refused(u);
  }
  SECTION("\"...\" with other members, or outside an array") {
    refused(resign(sd, [](Value&, Value& p) { p["fhir"]["extra"] = {{{"...", "x"}, {"y", 1}}}; }));
    refused(resign(sd, [](Value&, Value& p) { p["fhir"]["extra"] = {{"...", "x"}}; }));
  }
  SECTION("_sd that is not an array of strings, _sd_alg other than sha-256") {
    refused(resign(sd, [](Value&, Value& p) { p["fhir"]["_sd"] = "x"; }));
    refused(resign(sd, [](Value&, Value& p) { p["fhir"]["_sd"].push_back(7); }));
    refused(resign(sd, [](Value&, Value& p) { p["_sd_alg"] = "sha-512"; }));
  }
  SECTION("a disclosure of four elements whose value would splice as two") {
    std::string d = b64("[\"" + salt + "\", 1, 2]");
    auto t = resign(sd, [&](Value&, Value& p) { p["fhir"]["extra"] = {{{"...", disclosure_digest(d)}}}; });
    t.disclosures.push_back(d);
    refused(t);
  }
}

TEST_CASE("the text path leaves escaped names and digests to the DOM path, which decides alike") {
  auto sd = ces_test::sign(ces_test::load("observation.json"));
  std::string text = hc::crypto::unbase64url_text(sd.payload_b64);
  // "\u005fsd" is "_sd": the same document, spelled so the text path gives up.
  auto at = text.find("\"_sd\"");
  REQUIRE(at != std::string::npos);
  std::string spelled = text.substr(0, at) + "\"\\u005fsd\"" + text.substr(at + 5);
  Processed fast;
  CHECK_FALSE(process_text(spelled, sd.disclosures, {}, fast));
  CHECK(process(hc::json::parse(spelled), sd.disclosures).claims == process(hc::json::parse(text), sd.disclosures).claims);
}

TEST_CASE("sign_line writes the serializations of sign_text, appended, and nothing on error") {
  Signer signer(ces_test::doctor(), {});
  for (const char* f : k_files) {
    INFO(f);
    auto r = ces_test::load(f);
    std::string text = hc::json::dump(r, false);
    std::string out = "earlier line\n";
    signer.sign_line(text, "t", Serialization::json, out);
    REQUIRE(out.rfind("earlier line\n", 0) == 0);
    std::string line = out.substr(13);
    // Exactly the layout json_line() gives for the same parts, one line.
    auto sd = parse_sd_jwt(line, "t");
    CHECK(sd.json_line() == line);
    CHECK(std::count(line.begin(), line.end(), '\n') == 1);
    CHECK(check(sd).resource == r);
    std::string compact;
    signer.sign_line(text, "t", Serialization::compact, compact);
    REQUIRE(!compact.empty());
    CHECK(compact.back() == '\n');
    auto sdc = parse_sd_jwt(compact.substr(0, compact.size() - 1), "t");
    CHECK(sdc.compact() + "\n" == compact);
    CHECK(check(sdc).resource == r);
    // The same parts as sign_text's SdJwt would hold (fresh salts: compare shapes).
    auto by_text = signer.sign_text(text, "t");
    CHECK(by_text.protected_b64 == sd.protected_b64);
    CHECK(by_text.disclosures.size() == sd.disclosures.size());
  }
  // No disclosure at all: an empty array, and a compact form ending in "~".
  for (auto form : {Serialization::json, Serialization::compact}) {
    std::string out;
    signer.sign_line(R"({"resourceType":"Patient","id":"p"})", "t", form, out);
    auto sd = parse_sd_jwt(out.substr(0, out.size() - 1), "t");
    CHECK(sd.disclosures.empty());
    CHECK((form == Serialization::json ? sd.json_line() : sd.compact() + "\n") == out);
  }
  // The fallback route (a byte-order mark: parse() reads it, the Tape does not).
  std::string bom = "\xEF\xBB\xBF" + hc::json::dump(ces_test::load("patient.json"), false);
  std::string out;
  signer.sign_line(bom, "t", Serialization::json, out);
  CHECK(check(parse_sd_jwt(out, "t")).resource == ces_test::load("patient.json"));
  // Errors leave `out` as it was.
  for (std::string bad : {std::string("{\"resourceType\":"), std::string("{\"id\":\"x\"}"), std::string("[1]")}) {
    INFO(bad);
    std::string kept = "kept\n";
    CHECK(code_of([&] { signer.sign_line(bad, "t", Serialization::json, kept); }) == k_data);
    CHECK(kept == "kept\n");
  }
}

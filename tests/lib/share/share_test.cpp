// The sharing layer: consent evaluated through the ledger against a simple
// reference model (property tests), determinism across heights and copies,
// key release and its refusals, and reveal proofs.
#include <catch2/catch.hpp>

#include <hc/blobstore/blobstore.h>
#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/seal/age.h>
#include <hc/seal/stream.h>
#include <hc/share/args.h>
#include <hc/share/index.h>
#include <hc/share/share.h>

#include <filesystem>
#include <map>
#include <random>

namespace fs = std::filesystem;
namespace L = hc::ledger;
namespace C = hc::consent;
namespace S = hc::share;
using hc::json::Value;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("hc-share-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string str(const std::string& sub = "") const { return (path / sub).string(); }
};

hc::keys::SecretKey key(const std::string& label, hc::keys::Role r = hc::keys::Role::org) {
  return hc::keys::generate(r, label, "2026-11-26T00:00:00Z");
}
L::Member member(const hc::keys::SecretKey& k) { return {k.pub.key_id, k.pub.ed25519, k.pub.label, 1, "org"}; }

const int64_t t0 = 1795000000;  // 2026-11-18

std::string hex64(std::mt19937& rng) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 64; ++i) s += d[rng() % 16];
  return s;
}

/// The reference: the rule of hc-formats(5) CONSENT, written as plainly as
/// possible over the list of grants the test submitted.
struct Model {
  struct G {
    C::Grant g;
    bool revoked = false;
  };
  std::vector<G> grants;
  C::Decision eval(const C::Request& r) const {
    std::vector<std::string> deny, permit, revoked, expired, early;
    for (auto& x : grants) {
      const C::Grant& g = x.g;
      if (g.grantor != r.grantor || (g.grantee != "*" && g.grantee != r.grantee)) continue;
      bool any = g.purposes.size() == 1 && g.purposes[0] == "*";
      if (!any && std::find(g.purposes.begin(), g.purposes.end(), r.purpose) == g.purposes.end()) continue;
      if (!g.scope.emrs.empty() && std::find(g.scope.emrs.begin(), g.scope.emrs.end(), r.emr) == g.scope.emrs.end()) continue;
      if (!g.scope.resource_types.empty() &&
          std::find(g.scope.resource_types.begin(), g.scope.resource_types.end(), r.resource_type) ==
              g.scope.resource_types.end())
        continue;
      bool active = !x.revoked && g.start <= r.time && r.time < g.end;
      if (g.effect == C::Effect::deny) {
        if (active) deny.push_back(g.id);
      } else if (active) {
        permit.push_back(g.id);
      } else if (x.revoked) {
        revoked.push_back(g.id);
      } else if (r.time >= g.end) {
        expired.push_back(g.id);
      } else {
        early.push_back(g.id);
      }
    }
    auto min = [](std::vector<std::string>& v) { return *std::min_element(v.begin(), v.end()); };
    if (!deny.empty()) return {false, C::Reason::denied, min(deny)};
    if (!permit.empty()) return {true, C::Reason::permitted, min(permit)};
    if (!revoked.empty()) return {false, C::Reason::revoked, min(revoked)};
    if (!expired.empty()) return {false, C::Reason::expired, min(expired)};
    if (!early.empty()) return {false, C::Reason::not_yet_valid, min(early)};
    return {false, C::Reason::no_consent, ""};
  }
};

/// Block 1: `ps` indexes `emr`; block 2: it grants `grantee` HRESCH on
/// [t0, t0 + 3600). Returns the grant ID.
std::string index_and_grant(L::Ledger& l, const hc::keys::SecretKey& org, const hc::keys::SecretKey& ps,
                            const std::string& emr, const std::string& location, const std::string& grantee) {
  std::string chain = l.state().chain;
  S::IndexSpec spec;
  spec.emr = emr;
  spec.location = location;
  l.append_txs({S::index_tx(ps, chain, spec, t0)}, org);
  C::GrantSpec gs;
  gs.grantee = grantee;
  gs.purposes = {"HRESCH"};
  gs.start = t0;
  gs.end = t0 + 3600;
  auto g = S::grant_tx(ps, chain, gs, t0);
  l.append_txs({g}, org);
  return C::parse_grant(g.data()).id;
}

}  // namespace

TEST_CASE("consent through the ledger agrees with the reference model at every height") {
  TempDir d;
  auto org = key("org");
  L::Ledger::init(d.str("ledger"), L::Genesis::single(member(org), "test", t0));
  L::Ledger l(d.str("ledger"));
  std::string chain = l.state().chain;
  std::mt19937 rng(GENERATE(1u, 2u, 3u));

  auto patient = key("patient", hc::keys::Role::patient);
  std::vector<hc::keys::SecretKey> ps{patient.pseudonym("a"), patient.pseudonym("b")};
  std::vector<std::string> grantees{key("g1").pub.key_id, key("g2").pub.key_id, key("g3").pub.key_id};
  std::vector<std::string> emrs{hex64(rng), hex64(rng), hex64(rng)};
  const std::vector<std::string> purposes{"TREAT", "HRESCH", "PUBHLTH"};
  // Each pseudonym indexes each EMR it owns (EMR i belongs to pseudonym i % 2).
  std::vector<L::Tx> txs;
  for (size_t i = 0; i < emrs.size(); ++i) {
    S::IndexSpec spec;
    spec.emr = emrs[i];
    spec.location = "test";
    spec.resource_type = "Observation";
    txs.push_back(S::index_tx(ps[i % 2], chain, spec, t0));
  }
  l.append_txs(txs, org);
  { S::Index early(l); }  // built now; later opens index only the blocks added since

  // Snapshots of the model after each block.
  std::vector<Model> at_height(l.state().height);
  Model model;
  for (int block = 0; block < 12; ++block) {
    txs.clear();
    std::vector<std::pair<std::string, const hc::keys::SecretKey*>> to_revoke;
    for (int k = 0; k < 4; ++k) {
      if (!model.grants.empty() && rng() % 4 == 0) {
        auto& victim = model.grants[rng() % model.grants.size()];
        if (victim.revoked) continue;
        bool dup = false;
        for (auto& [id, p] : to_revoke) dup = dup || id == victim.g.id;
        if (dup) continue;
        const hc::keys::SecretKey* who = victim.g.grantor == ps[0].pub.key_id ? &ps[0] : &ps[1];
        txs.push_back(S::revoke_tx(*who, chain, victim.g.id, t0 + block));
        to_revoke.emplace_back(victim.g.id, who);
        continue;
      }
      C::GrantSpec spec;
      spec.grantee = rng() % 8 == 0 ? "*" : grantees[rng() % grantees.size()];
      spec.effect = rng() % 5 == 0 ? C::Effect::deny : C::Effect::permit;
      spec.purposes = rng() % 4 == 0 ? std::vector<std::string>{"*"} : std::vector<std::string>{purposes[rng() % 3]};
      if (rng() % 2) spec.scope.emrs = {emrs[rng() % emrs.size()]};
      if (rng() % 4 == 0) spec.scope.resource_types = {rng() % 2 ? "Observation" : "Condition"};
      spec.start = t0 + int64_t(rng() % 100) * 60;
      spec.end = spec.start + 60 + int64_t(rng() % 100) * 60;
      spec.issued = t0 + block * 100 + k;
      auto& p = ps[rng() % 2];
      auto tx = S::grant_tx(p, chain, spec, t0 + block);
      txs.push_back(tx);
      model.grants.push_back({C::parse_grant(tx.data()), false});
    }
    if (txs.empty()) continue;
    l.append_txs(txs, org);
    for (auto& [id, p] : to_revoke)
      for (auto& g : model.grants)
        if (g.g.id == id) g.revoked = true;
    at_height.resize(l.state().height, model);
    at_height.back() = model;
  }
  uint64_t head = l.state().height - 1;
  REQUIRE(head >= 2);

  // Every height: the chain's answer equals the model's at that height.
  std::map<std::string, int> seen;  // reasons met, so the property is not vacuous
  S::Index ix(l);
  REQUIRE(ix.persisted());
  REQUIRE(ix.head() == head);
  for (uint64_t h = 1; h <= head; ++h) {
    auto c = S::Chain::load(l, h);
    REQUIRE(c.height == h);
    for (auto& [id, g] : c.grants) {  // every grant, as the index has it at this height
      auto x = ix.grant(id, h);
      REQUIRE(x);
      REQUIRE(x->to_json(t0) == g.to_json(t0));
    }
    for (int q = 0; q < 60; ++q) {
      S::CheckRequest r;
      size_t e = rng() % emrs.size();
      r.emr = emrs[e];
      r.grantee = grantees[rng() % grantees.size()];
      r.purpose = purposes[rng() % 3];
      r.time = t0 + int64_t(rng() % 220) * 60 - 30;
      auto got = S::check(c, r);
      REQUIRE(got.request.grantor == ps[e % 2].pub.key_id);
      // The persisted index answers exactly as the whole chain does.
      auto part = ix.for_check(r, h);
      REQUIRE(part.block_time == c.block_time);
      REQUIRE(S::check(part, r).to_json() == got.to_json());
      auto want = at_height[h].eval(got.request);
      INFO("height " << h << " emr " << e << " grantee " << r.grantee << " purpose " << r.purpose);
      REQUIRE(got.decision.permit == want.permit);
      REQUIRE(C::reason_name(got.decision.reason) == std::string(C::reason_name(want.reason)));
      REQUIRE(got.decision.rule == want.rule);
      ++seen[C::reason_name(got.decision.reason)];
    }
  }
  for (const char* r : {"permitted", "denied", "no-consent", "revoked", "expired", "not-yet-valid"}) {
    INFO("reason " << r);
    REQUIRE(seen[r] > 0);
  }

  // A copy of the chain (export, import, re-verified) answers the same.
  std::string exported;
  l.export_lines([&](std::string_view s) { exported += s; });
  fs::path f = d.path / "export.jsonl";
  hc::io::write_file(f.string(), exported);
  hc::io::LineReader in(f.string(), L::k_max_line_bytes);
  L::Ledger::import(d.str("copy"), in, 1);
  L::Ledger copy(d.str("copy"), true);
  auto a = S::Chain::load(l), b = S::Chain::load(copy);
  REQUIRE(a.grants.size() == b.grants.size());
  for (int q = 0; q < 200; ++q) {
    S::CheckRequest r;
    r.emr = emrs[rng() % emrs.size()];
    r.grantee = grantees[rng() % grantees.size()];
    r.purpose = purposes[rng() % 3];
    r.time = t0 + int64_t(rng() % 220) * 60;
    auto x = S::check(a, r), y = S::check(b, r);
    REQUIRE(x.to_json() == y.to_json());
  }
}

TEST_CASE("the ledger refuses consent transactions lib/consent refuses") {
  TempDir d;
  auto org = key("org"), pat = key("p", hc::keys::Role::patient), other = key("o");
  L::Ledger::init(d.str("ledger"), L::Genesis::single(member(org), "test", t0));
  L::Ledger l(d.str("ledger"));
  std::string chain = l.state().chain;
  C::GrantSpec spec;
  spec.grantee = other.pub.key_id;
  spec.purposes = {"TREAT"};
  spec.start = t0;
  spec.end = t0 + 10;
  auto g = S::grant_tx(pat, chain, spec, t0);
  Value body = g.data();
  SECTION("grantor must sign") {
    REQUIRE_THROWS_AS(L::make_tx(other, chain, "consent.grant", body, t0), hc::Error);
  }
  SECTION("old-style data is refused") {
    Value old{{"grantee", other.pub.key_id}, {"purpose", "treatment"}, {"decision", "permit"}, {"scope", {"Observation"}},
              {"period", {{"start", "2026-01-01T00:00:00Z"}, {"end", "2027-01-01T00:00:00Z"}}}};
    REQUIRE_THROWS_AS(L::make_tx(pat, chain, "consent.grant", old, t0), hc::Error);
  }
  SECTION("revoke of an unknown grant, and by the wrong key") {
    l.append_txs({g}, org);
    std::string id = C::parse_grant(body).id;
    auto r1 = S::revoke_tx(pat, chain, std::string(64, 'a'), t0);
    REQUIRE_THROWS_WITH(l.append_txs({r1}, org), Catch::Contains("not on the chain"));
    auto r2 = S::revoke_tx(other, chain, id, t0);
    REQUIRE_THROWS_WITH(l.append_txs({r2}, org), Catch::Contains("another key"));
    auto r3 = S::revoke_tx(pat, chain, id, t0);
    l.append_txs({r3}, org);
    REQUIRE(S::Chain::load(l).grants.at(id).revoked.has_value());
  }
}

TEST_CASE("release re-seals for the grantee only while consent holds") {
  TempDir d;
  auto org = key("org"), patient = key("p", hc::keys::Role::patient), research = key("r"), other = key("o");
  auto ps = patient.pseudonym("stmarys");
  L::Ledger::init(d.str("ledger"), L::Genesis::single(member(org), "test", t0));
  L::Ledger l(d.str("ledger"));
  std::string chain = l.state().chain;
  auto store = hc::blobstore::open(d.str("store"));
  std::string record = R"({"resourceType":"Observation","status":"final"})";
  hc::seal::MemorySource src(record);
  hc::seal::StringSink sealed;
  hc::seal::encrypt({patient.pub.x25519}, src, sealed);
  auto info = hc::blobstore::put_bytes(*store, sealed.data);
  index_and_grant(l, org, ps, info.id, info.location, research.pub.key_id);
  auto c = S::Chain::load(l);
  S::CheckRequest q;
  q.grantee = research.pub.key_id;
  q.emr = info.id;
  q.purpose = "HRESCH";
  q.time = t0 + 60;
  std::optional<L::Tx> refused;

  hc::seal::StringSink out;
  auto r = S::release(c, q, research.pub, patient, ps, *store, out, t0 + 60, refused);
  REQUIRE(r.check.decision.permit);
  REQUIRE(r.access.data().at("decision") == "permit");
  REQUIRE(r.access.signer == ps.pub.key_id);
  hc::seal::MemorySource back(out.data);
  hc::seal::StringSink plain;
  hc::seal::decrypt({research.x25519_secret}, back, plain);
  REQUIRE(plain.data == record);
  hc::seal::MemorySource again(out.data);
  hc::seal::StringSink none;
  REQUIRE_THROWS_AS(hc::seal::decrypt({patient.x25519_secret}, again, none), hc::seal::AgeError);

  auto code = [&](const std::function<void()>& fn) {
    try {
      fn();
    } catch (const hc::Error& e) {
      return e.code();
    }
    return hc::Exit::ok;
  };
  hc::seal::StringSink late;
  q.time = t0 + 3600;
  REQUIRE(code([&] { S::release(c, q, research.pub, patient, ps, *store, late, t0, refused); }) == hc::Exit::perm);
  REQUIRE(refused);
  REQUIRE(refused->data().at("decision") == "deny");
  REQUIRE(refused->data().at("ext").at("reason") == "expired");
  REQUIRE(late.data.empty());
  q.time = t0 + 60;
  // Another grantee's key than the one asking.
  REQUIRE(code([&] { S::release(c, q, other.pub, patient, ps, *store, late, t0, refused); }) == hc::Exit::usage);
  // The access record goes on chain and shows in the chain's access log.
  l.append_txs({r.access, *refused}, org);
  auto c2 = S::Chain::load(l);
  REQUIRE(c2.access.size() == 2);
  REQUIRE(c2.access[0].requester == research.pub.key_id);
  REQUIRE(c2.access[1].reason == "expired");
}

TEST_CASE("the sharing index catches up, finds answered requests, rebuilds and falls back") {
  TempDir d;
  auto org = key("org"), patient = key("p", hc::keys::Role::patient), research = key("r");
  auto ps = patient.pseudonym("stmarys");
  L::Ledger::init(d.str("ledger"), L::Genesis::single(member(org), "test", t0));
  std::string emr(64, 'e');
  S::CheckRequest q;
  q.grantee = research.pub.key_id;
  q.emr = emr;
  q.purpose = "HRESCH";
  q.time = t0 + 60;
  std::string gid;
  {
    L::Ledger l(d.str("ledger"));
    std::string chain = l.state().chain;
    {
      S::Index ix(l);  // an empty chain
      REQUIRE(ix.persisted());
      REQUIRE(ix.head() == 0);
      REQUIRE(ix.find_index(emr).empty());
      REQUIRE_THROWS_AS(S::check(ix.for_check(q), q), hc::Error);
      REQUIRE_THROWS_WITH(ix.for_check(q, 1), Catch::Contains("beyond the head"));
    }
    gid = index_and_grant(l, org, ps, emr, "test", research.pub.key_id);
    S::CheckResult r;
    {
      S::Index ix(l);  // catches up two blocks
      REQUIRE(ix.head() == 2);
      REQUIRE(ix.find_index(emr).size() == 1);
      REQUIRE(ix.find_index(emr, 1).size() == 1);
      REQUIRE(!ix.grant(gid, 1));
      r = S::check(ix.for_check(q), q);
      REQUIRE(r.decision.permit);
      REQUIRE(!S::check(ix.for_check(q, 1), q).decision.permit);
    }
    auto req = S::verify_request(S::make_request(research, emr, "HRESCH", t0), research.pub);
    l.append_txs({S::access_tx(ps, chain, r, t0 + 61, req.id), S::revoke_tx(ps, chain, gid, t0 + 62)}, org);
    S::Index ix(l);
    auto a = ix.answer(req.id);
    REQUIRE(a);
    REQUIRE(a->at.height == 3);
    REQUIRE(a->request == req.id);
    REQUIRE(!ix.answer(req.id, 2));
    REQUIRE(!ix.answer(std::string(64, '0')));
    REQUIRE(ix.grant(gid)->revoked);
    REQUIRE(!ix.grant(gid, 2)->revoked);
    REQUIRE(C::reason_name(S::check(ix.for_check(q), q).decision.reason) == std::string("revoked"));
  }
  SECTION("an index of another chain is rebuilt") {
    TempDir e;
    L::Ledger::init(e.str("ledger"), L::Genesis::single(member(key("other")), "test", t0));
    { L::Ledger o(e.str("ledger")); S::Index ix(o); }
    fs::remove_all(d.path / "ledger" / "share-index");
    fs::copy(e.path / "ledger" / "share-index", d.path / "ledger" / "share-index");
    L::Ledger l(d.str("ledger"), true);
    S::Index ix(l);
    REQUIRE(ix.persisted());
    REQUIRE(ix.grant(gid));
  }
  SECTION("an index that cannot be kept: the whole chain answers") {
    fs::remove_all(d.path / "ledger" / "share-index");
    hc::io::write_file(d.str("ledger/share-index"), "not a folder");
    L::Ledger l(d.str("ledger"), true);
    S::Index ix(l);
    REQUIRE(!ix.persisted());
    REQUIRE(!ix.why().empty());
    REQUIRE(ix.grant(gid)->revoked);
    REQUIRE(C::reason_name(S::check(ix.for_check(q), q).decision.reason) == std::string("revoked"));
    REQUIRE(S::check(ix.for_check(q, 2), q).decision.permit);
  }
}

TEST_CASE("reveal proofs") {
  auto patient = key("p", hc::keys::Role::patient);
  std::vector<hc::keys::SecretKey> ps{patient.pseudonym("a"), patient.pseudonym("b"), patient.pseudonym("c")};
  std::string aud = key("v").pub.key_id, ch = S::new_challenge();
  auto proof = S::reveal(ps, aud, ch);
  auto ids = S::verify_reveal(proof, aud, ch);
  REQUIRE(ids.size() == 3);
  REQUIRE_THROWS_AS(S::verify_reveal(proof, aud, S::new_challenge()), hc::Error);
  REQUIRE_THROWS_AS(S::verify_reveal(proof, key("w").pub.key_id, ch), hc::Error);
  // Dropping one pseudonym breaks the others' signatures (they signed the set).
  Value cut = proof;
  cut["pseudonyms"].erase(0);
  try {
    S::verify_reveal(cut, aud, ch);
    FAIL("a subset verified");
  } catch (const hc::Error& e) {
    REQUIRE(e.code() == hc::Exit::invalid);
  }
  REQUIRE_THROWS_AS(S::reveal({ps[0]}, aud, ch), hc::Error);
}

TEST_CASE("command-line times") {
  REQUIRE(S::parse_when("now", 100, "at") == 100);
  REQUIRE(S::parse_when("+2h", 100, "at") == 7300);
  REQUIRE(S::parse_when("-1m", 100, "at") == 40);
  REQUIRE(S::parse_when("2030-01-01T00:00:00Z", 0, "at") == 1893456000);
  for (const char* bad : {"", "+", "+5", "+5x", "5m", "2030-01-01", "tomorrow", "+99999999999d"})
    REQUIRE_THROWS_AS(S::parse_when(bad, 0, "at"), hc::Error);
}

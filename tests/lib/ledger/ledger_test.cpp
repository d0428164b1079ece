// The ledger: init, append, the state machine's rules, verify and proofs.
#include <catch2/catch.hpp>

#include <hc/core/error.h>
#include <hc/keys/keys.h>
#include <hc/consent/consent.h>
#include <hc/ledger/canonical.h>
#include <hc/ledger/ledger.h>
#include <hc/ledger/pool.h>
#include <hc/ledger/proof.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;
namespace L = hc::ledger;
using hc::json::Value;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("hc-ledger-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  ~TempDir() { fs::remove_all(path); }
  std::string str() const { return path.string(); }
};

hc::keys::SecretKey key(const char* label, hc::keys::Role r = hc::keys::Role::org) {
  return hc::keys::generate(r, label, "2026-11-26T00:00:00Z");
}
L::Member member(const hc::keys::SecretKey& k) { return {k.pub.key_id, k.pub.ed25519, k.pub.label, 1, "org"}; }

const int64_t t0 = 1795000000;

L::VerifyOptions vopts(unsigned threads) {
  L::VerifyOptions o;
  o.threads = threads;
  return o;
}
L::Trust trust(const std::string& hash) {
  L::Trust t;
  t.block_hash = hash;
  return t;
}

std::string expect_invalid(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const hc::Error& e) {
    REQUIRE(e.code() == hc::Exit::invalid);
    return e.message();
  }
  FAIL("no error");
  return "";
}

/// A ledger at `dir` whose genesis names three members, the first two of
/// them delegates (the member.remove cases).
void init_three_members(const std::string& dir, const hc::keys::SecretKey& o1, const hc::keys::SecretKey& o2,
                        const hc::keys::SecretKey& o3) {
  Value doc{{"v", 1},
            {"name", "removal"},
            {"time", L::format_time(t0)},
            {"members", Value::array({member(o1).to_json(), member(o2).to_json(), member(o3).to_json()})},
            {"delegates", Value::array({o1.pub.key_id, o2.pub.key_id})}};
  L::Ledger::init(dir, L::Genesis::parse(doc, "genesis"));
}

}  // namespace

TEST_CASE("append, read back, verify and prove") {
  TempDir d;
  auto org = key("org"), pat = key("patient", hc::keys::Role::patient);
  L::Ledger::init(d.str(), L::Genesis::single(member(org), "test", t0));
  L::Ledger l(d.str());
  auto chain = l.state().chain;
  std::vector<L::Tx> txs;
  for (int i = 0; i < 300; ++i) {
    Value data{{"content_hash", std::string(64, 'a' + char(i % 6))},
               {"location", "blob/" + std::to_string(i)},
               {"patient", pat.pub.key_id},
               {"fields", {{"age_band", i % 2 ? "40-49" : "20-29"}, {"gender", i % 3 ? "F" : "M"}, {"condition", "knee arthritis"}}},
               {"readers", Value::array()}};
    txs.push_back(L::make_tx(pat, chain, "emr.index", data, t0 + 1, std::to_string(i)));
  }
  auto heights = l.append_txs(txs, org, 100, 2);
  REQUIRE(heights == std::vector<uint64_t>{1, 2, 3});
  auto st = l.stat();
  REQUIRE(st["height"] == 3);
  REQUIRE(st["transactions"] == 300);
  auto r = l.verify(vopts(2));
  REQUIRE(r.ok);
  REQUIRE(r.transactions == 300);

  auto b = l.block(2);
  REQUIRE(b->txs.size() == 100);
  REQUIRE(L::Block::parse(b->to_line()).hash() == b->hash());
  REQUIRE(l.tx(txs[150].id)->bytes == txs[150].bytes);

  auto proof = l.prove_inclusion(txs[150].id);
  auto head = st["head"].get<std::string>();
  REQUIRE(L::check_proof(proof, trust(head))["ok"] == true);
  proof["audit_path"][0] = std::string(64, '0');
  expect_invalid([&] { L::check_proof(proof, trust(head)); });
  auto cons = l.prove_consistency(1, 3);
  REQUIRE(L::check_proof(cons, trust(head))["ok"] == true);
  REQUIRE_THROWS(L::check_proof(cons, trust(std::string(64, 'a'))));

  // Queries: only non-identifying fields, small cells suppressed.
  std::vector<Value> out;
  L::Query q;
  q.where.push_back(L::Query::parse_where("age>=40"));
  q.group_by = "gender";
  l.query(q, [&](const Value& v) { out.push_back(v); });
  REQUIRE(out.size() == 3);
  REQUIRE(out.back()["count"] == 150);
  q.where.push_back(L::Query::parse_where("condition=nothing"));
  out.clear();
  l.query(q, [&](const Value& v) { out.push_back(v); });
  REQUIRE(out.back()["count"] == "< 5");
  REQUIRE_THROWS_AS(L::Query::parse_where("location=x"), hc::Error);

  // A repeated transaction is refused.
  auto msg = expect_invalid([&] { l.append_txs({txs[0]}, org); });
  REQUIRE(msg.find("repeats an earlier transaction") != std::string::npos);
}

TEST_CASE("block rules: link, producer, signatures") {
  TempDir d;
  auto org = key("org"), other = key("other");
  L::Ledger::init(d.str(), L::Genesis::single(member(org), "test", t0));
  L::Ledger l(d.str());
  auto s = l.state();
  auto tx = L::make_tx(other, s.chain, "anchor", Value{{"sha256", std::string(64, 'b')}, {"label", "x"}}, t0);

  SECTION("a block by a non-delegate") {
    REQUIRE(expect_invalid([&] { l.append(L::seal_block(s, {tx}, other, t0)); }).find("not a delegate") != std::string::npos);
  }
  SECTION("a broken transaction signature") {
    auto b = L::seal_block(s, {tx}, org, t0);
    b.txs[0].sig[5] ^= 1;
    b.header.tx_root = L::Block::tx_root(b.txs);  // (the ID does not cover... it does: recomputed root still differs)
    REQUIRE(!expect_invalid([&] { l.append(b); }).empty());
  }
  SECTION("a broken block signature") {
    auto b = L::seal_block(s, {tx}, org, t0);
    b.sig[0] ^= 1;
    REQUIRE(expect_invalid([&] { l.append(b); }).find("signature") != std::string::npos);
  }
  SECTION("a wrong prev link") {
    auto b = L::seal_block(s, {tx}, org, t0);
    b.header.prev[0] ^= 1;
    b.sig = org.sign(b.header.signing_input());
    REQUIRE(expect_invalid([&] { l.append(b); }).find("prev") != std::string::npos);
  }
  SECTION("a transaction for another chain") {
    auto t2 = L::make_tx(other, std::string(64, 'c'), "anchor", Value{{"sha256", std::string(64, 'b')}, {"label", "x"}}, t0);
    REQUIRE(expect_invalid([&] { l.append(L::seal_block(s, {t2}, org, t0)); }).find("another chain") != std::string::npos);
  }
  SECTION("validate writes nothing; commit refuses a stale check") {
    auto c = l.validate(L::seal_block(s, {tx}, org, t0));
    REQUIRE(l.state().height == 1);
    l.commit(c);
    REQUIRE(l.state().height == 2);
    try {
      l.commit(c);
      FAIL("committed twice");
    } catch (const hc::Error& e) {
      REQUIRE(e.code() == hc::Exit::temp);
    }
  }
}

TEST_CASE("consent, membership, votes and double-sign evidence") {
  TempDir d;
  auto org = key("org"), org2 = key("org2"), pat = key("patient", hc::keys::Role::patient), doc = key("doc");
  L::Ledger::init(d.str(), L::Genesis::single(member(org), "test", t0));
  L::Ledger l(d.str());
  auto chain = l.state().chain;
  hc::consent::GrantSpec spec;
  spec.grantor = pat.pub.key_id;
  spec.grantee = doc.pub.key_id;
  spec.purposes = {"TREAT"};
  spec.scope.resource_types = {"Observation"};
  spec.start = t0;
  spec.end = t0 + 86400;
  spec.issued = t0;
  Value grant = hc::consent::grant_body(spec);
  std::string gid = hc::consent::parse_grant(grant).id;
  // The grantor must sign its own grant.
  try {
    L::make_tx(doc, chain, "consent.grant", grant, t0);
    FAIL("a grant signed by another key was accepted");
  } catch (const hc::Error& e) {
    REQUIRE(e.field() == "body.data.grantor");
  }
  // The data is parsed by lib/consent: its field names come through.
  Value bad = grant;
  bad["purpose"] = Value::array({"treatment"});
  try {
    L::make_tx(pat, chain, "consent.grant", bad, t0);
    FAIL("a bad purpose code was accepted");
  } catch (const hc::Error& e) {
    REQUIRE(e.field() == "body.data.purpose[0]");
  }
  auto g = L::make_tx(pat, chain, "consent.grant", grant, t0);
  l.append_txs({g}, org);
  auto dup = L::make_tx(pat, chain, "consent.grant", grant, t0, "dup");
  REQUIRE(expect_invalid([&] { l.append_txs({dup}, org); }).find("repeats a grant") != std::string::npos);
  auto rv = L::make_tx(doc, chain, "consent.revoke", hc::consent::revoke_body(doc.pub.key_id, gid, t0), t0);
  REQUIRE(expect_invalid([&] { l.append_txs({rv}, org); }).find("another key") != std::string::npos);
  auto ok = L::make_tx(pat, chain, "consent.revoke", hc::consent::revoke_body(pat.pub.key_id, gid, t0), t0);
  l.append_txs({ok}, org);
  auto again = L::make_tx(pat, chain, "consent.revoke", hc::consent::revoke_body(pat.pub.key_id, gid, t0), t0, "2");
  REQUIRE(expect_invalid([&] { l.append_txs({again}, org); }).find("already revoked") != std::string::npos);

  auto add = L::make_tx(org, chain, "member.add", member(org2).to_json(), t0);
  l.append_txs({add}, org);
  REQUIRE(l.state().members.size() == 2);
  auto bad_add = L::make_tx(pat, chain, "member.add", member(doc).to_json(), t0);
  REQUIRE(expect_invalid([&] { l.append_txs({bad_add}, org); }).find("only a member") != std::string::npos);
  auto vote = L::make_tx(org, chain, "delegate.vote", Value{{"delegates", {org.pub.key_id, org2.pub.key_id}}}, t0);
  l.append_txs({vote}, org);

  // org signs two different blocks at one height: evidence bans it.
  auto s = l.state();
  auto a = L::seal_block(s, {}, org, t0), b = L::seal_block(s, {}, org, t0, Value{{"round", 1}});
  Value ev{{"a", L::SignedHeader{a.header, a.sig}.to_json()}, {"b", L::SignedHeader{b.header, b.sig}.to_json()}};
  auto evtx = L::make_tx(org2, chain, "evidence.double_sign", ev, t0);
  l.append_txs({evtx}, org);
  REQUIRE(l.state().banned.count(org.pub.key_id) == 1);
  REQUIRE(expect_invalid([&] { l.append_txs({}, org); }).find("not a delegate") != std::string::npos);
  REQUIRE(l.verify().ok);
}

TEST_CASE("transaction parsing is strict") {
  auto pat = key("p", hc::keys::Role::patient);
  auto tx = L::make_tx(pat, std::string(64, 'a'), "anchor", Value{{"sha256", std::string(64, 'b')}, {"label", "x"}}, t0);
  REQUIRE(tx.signature_valid());
  REQUIRE(L::parse_tx(tx.bytes, "t", 1, true).id == tx.id);
  auto v = tx.to_json();
  v["body"]["extra"] = 1;
  REQUIRE_THROWS_WITH(L::tx_from_json(v, "t", 1), Catch::Contains("unknown member"));
  v = tx.to_json();
  v["body"]["kind"] = "emr.index";
  REQUIRE_THROWS_AS(L::tx_from_json(v), hc::Error);
  v = tx.to_json();
  v["body"]["time"] = "2026-02-30T00:00:00Z";
  REQUIRE_THROWS_AS(L::tx_from_json(v), hc::Error);
  REQUIRE(L::parse_time("2026-11-26T14:00:00Z", "t") == 1795701600);
  REQUIRE(L::format_time(1795701600) == "2026-11-26T14:00:00Z");
  // Not canonical → refused as stored bytes.
  REQUIRE_THROWS_AS(L::parse_tx(" " + tx.bytes, "t", 1, true), hc::Error);
}

TEST_CASE("the signing input is the canonical body, however it is obtained") {
  auto pat = key("p", hc::keys::Role::patient);
  auto tx = L::make_tx(pat, std::string(64, 'a'), "anchor", Value{{"sha256", std::string(64, 'b')}, {"label", "é \"x\""}}, t0);
  REQUIRE(tx.signing_input() == std::string(L::k_tx_context) + hc::json::canonical(tx.body));
  L::Tx copy = tx;
  copy.bytes.clear();  // falls back to re-encoding the body
  REQUIRE(copy.signing_input() == tx.signing_input());
}

TEST_CASE("a ledger of another table layout is refused with a hint") {
  TempDir d;
  auto org = key("org");
  L::Ledger::init(d.str(), L::Genesis::single(member(org), "test", t0));
  {
    hc::store::Env env(d.str(), {.max_dbs = 12});
    auto meta = env.dbi("meta");
    env.write([&](hc::store::Txn& t) { t.put(meta, "layout", "1"); });
  }
  try {
    L::Ledger l(d.str());
    FAIL("opened");
  } catch (const hc::Error& e) {
    REQUIRE(e.code() == hc::Exit::data);
    REQUIRE(e.message().find("layout") != std::string::npos);
    REQUIRE(e.hint().find("export") != std::string::npos);
  }
}

TEST_CASE("the ID index finds every transaction, query reads fields from them, and a repeat is refused") {
  TempDir d;
  auto org = key("org"), pat = key("patient", hc::keys::Role::patient);
  L::Ledger::init(d.str(), L::Genesis::single(member(org), "test", t0));
  L::Ledger l(d.str());
  auto chain = l.state().chain;
  std::vector<L::Tx> txs;
  for (int i = 0; i < 300; ++i)
    txs.push_back(L::make_tx(pat, chain, "emr.index",
                             Value{{"content_hash", hc::crypto::hex(hc::crypto::sha256(std::to_string(i)))},
                                   {"location", "x"},
                                   {"patient", pat.pub.key_id},
                                   {"fields", {{"gender", i % 3 ? "F" : "M"}}},
                                   {"readers", Value::array()}},
                             t0, std::to_string(i)));
  l.append_txs(txs, org, 64, 2);
  for (size_t i = 0; i < txs.size(); ++i) {
    auto loc = l.locate(txs[i].id);
    REQUIRE(loc);
    REQUIRE(loc->height == 1 + i / 64);
    REQUIRE(loc->index == i % 64);
  }
  REQUIRE(!l.locate(L::Hash{}));
  std::vector<Value> out;
  L::Query q;
  q.group_by = "gender";
  l.query(q, [&](const Value& v) { out.push_back(v); });
  REQUIRE(out.size() == 3);
  REQUIRE(out[0]["gender"] == "F");
  REQUIRE(out[0]["count"] == 200);
  REQUIRE(out[2]["count"] == 300);
  REQUIRE(expect_invalid([&] { l.append_txs({txs[17]}, org); }).find("repeats an earlier transaction") != std::string::npos);
  REQUIRE(l.verify(vopts(2)).ok);
}

TEST_CASE("member.add takes effect once more than two thirds of the members approve it") {
  TempDir d;
  auto o1 = key("o1"), o2 = key("o2"), o3 = key("o3"), o4 = key("o4"), o5 = key("o5"), pat = key("p", hc::keys::Role::patient);
  Value doc{{"v", 1},
            {"name", "quorum"},
            {"time", L::format_time(t0)},
            {"members", Value::array({member(o1).to_json(), member(o2).to_json(), member(o3).to_json()})},
            {"delegates", Value::array({o1.pub.key_id})}};
  L::Ledger::init(d.str(), L::Genesis::parse(doc, "genesis"));
  L::Ledger l(d.str());
  auto chain = l.state().chain;
  auto approve = [&](const hc::keys::SecretKey& k, const L::Tx& p, std::string nonce = "") {
    return L::make_tx(k, chain, "member.approve", Value{{"proposal", L::to_hex(p.id)}}, t0, nonce);
  };
  // 3 members: 3 approvals are needed (3 x 2 > 2 x 3 is false, 3 x 3 > 6).
  auto add4 = L::make_tx(o1, chain, "member.add", member(o4).to_json(), t0);
  l.append_txs({add4}, o1);
  REQUIRE(l.state().members.size() == 3);
  REQUIRE(l.state().proposals.count(L::to_hex(add4.id)) == 1);
  // A single member cannot push it through: not twice, not with a second proposal.
  REQUIRE(expect_invalid([&] { l.append_txs({approve(o1, add4)}, o1); }).find("already approved") != std::string::npos);
  auto again = L::make_tx(o2, chain, "member.add", member(o4).to_json(), t0);
  REQUIRE(expect_invalid([&] { l.append_txs({again}, o1); }).find("already proposed") != std::string::npos);
  auto add5 = L::make_tx(o1, chain, "member.add", member(o5).to_json(), t0);
  REQUIRE(expect_invalid([&] { l.append_txs({add5}, o1); }).find("pending proposal") != std::string::npos);
  REQUIRE(expect_invalid([&] { l.append_txs({approve(pat, add4)}, o1); }).find("only a member") != std::string::npos);
  REQUIRE(expect_invalid([&] { l.append_txs({approve(o2, add5)}, o1); }).find("not pending") != std::string::npos);
  l.append_txs({approve(o2, add4)}, o1);
  REQUIRE(l.state().members.size() == 3);
  l.append_txs({approve(o3, add4)}, o1);
  REQUIRE(l.state().members.size() == 4);
  REQUIRE(l.state().proposals.empty());
  REQUIRE(expect_invalid([&] { l.append_txs({approve(o2, add4, "2")}, o1); }).find("not pending") != std::string::npos);
  // 4 members: 3 approvals suffice (9 > 8).
  auto p5 = L::make_tx(o2, chain, "member.add", member(o5).to_json(), t0);
  l.append_txs({p5, approve(o3, p5)}, o1);
  REQUIRE(l.state().members.size() == 4);
  l.append_txs({approve(o4, p5)}, o1);
  REQUIRE(l.state().members.size() == 5);
  // 5 members, 3 approvals: 9 > 10 is false; a member who had not approved
  // leaves, 9 > 8, and the pending proposal takes effect with the removal.
  auto o6 = key("o6");
  auto p6 = L::make_tx(o1, chain, "member.add", member(o6).to_json(), t0);
  l.append_txs({p6, approve(o2, p6), approve(o3, p6)}, o1);
  REQUIRE(l.state().members.size() == 5);
  // (The removal is itself a proposal: 4 of 5 approvals, 12 > 10.)
  auto rm = L::make_tx(o4, chain, "member.remove", Value{{"key_id", o5.pub.key_id}}, t0);
  l.append_txs({rm, approve(o1, rm), approve(o2, rm)}, o1);
  REQUIRE(l.state().members.size() == 5);
  REQUIRE(l.state().members.count(o6.pub.key_id) == 0);
  l.append_txs({approve(o3, rm)}, o1);
  REQUIRE(l.state().members.count(o5.pub.key_id) == 0);
  REQUIRE(l.state().members.count(o6.pub.key_id) == 1);
  REQUIRE(l.state().members.size() == 5);
  // A proposal lapses 7 days after its block.
  auto p7 = L::make_tx(o6, chain, "member.add", member(o5).to_json(), t0);
  l.append_txs({p7}, o1);
  REQUIRE(l.state().proposals.size() == 1);
  auto s = l.state();
  auto late = L::seal_block(s, {}, o1, s.head_time + L::k_proposal_ttl_s + 1);
  l.append(late);
  REQUIRE(l.state().proposals.empty());
  REQUIRE(l.verify(vopts(2)).ok);
  // The state round-trips through its JSON.
  auto st = l.state();
  REQUIRE(L::State::from_json(st.to_json()).to_json() == st.to_json());
}

TEST_CASE("member.remove takes effect once more than two thirds of the members approve it") {
  TempDir d;
  auto o1 = key("o1"), o2 = key("o2"), o3 = key("o3"), pat = key("p", hc::keys::Role::patient);
  init_three_members(d.str(), o1, o2, o3);
  L::Ledger l(d.str());
  auto chain = l.state().chain;
  auto approve = [&](const hc::keys::SecretKey& k, const L::Tx& p, std::string nonce = "") {
    return L::make_tx(k, chain, "member.approve", Value{{"proposal", L::to_hex(p.id)}}, t0, nonce);
  };
  auto remove = [&](const hc::keys::SecretKey& k, const hc::keys::SecretKey& who, std::string nonce = "") {
    return L::make_tx(k, chain, "member.remove", Value{{"key_id", who.pub.key_id}}, t0, nonce);
  };
  // One member's signature proposes; it does not remove.
  auto rm3 = remove(o1, o3);
  l.append_txs({rm3}, o1);
  REQUIRE(l.state().members.size() == 3);
  REQUIRE(l.state().proposals.at(L::to_hex(rm3.id)).remove);
  REQUIRE(expect_invalid([&] { l.append_txs({approve(o1, rm3)}, o1); }).find("already approved") != std::string::npos);
  REQUIRE(expect_invalid([&] { l.append_txs({remove(o2, o3)}, o1); }).find("already proposed for removal") !=
          std::string::npos);
  REQUIRE(expect_invalid([&] { l.append_txs({remove(o1, o2)}, o1); }).find("pending proposal") != std::string::npos);
  REQUIRE(expect_invalid([&] { l.append_txs({remove(pat, o2)}, o1); }).find("only a member") != std::string::npos);
  REQUIRE(expect_invalid([&] { l.append_txs({remove(o2, pat)}, o1); }).find("not a member") != std::string::npos);
  REQUIRE(expect_invalid([&] { l.append_txs({approve(pat, rm3)}, o1); }).find("only a member") != std::string::npos);
  // Two of three is not more than two thirds; the state round-trips with the removal pending.
  l.append_txs({approve(o2, rm3)}, o1);
  REQUIRE(l.state().members.size() == 3);
  auto st = l.state();
  REQUIRE(L::State::from_json(st.to_json()).to_json() == st.to_json());
  REQUIRE(L::State::from_json(st.to_json()).proposals.at(L::to_hex(rm3.id)).remove);
  // The third approval (the member's own) removes it, with its approvals.
  l.append_txs({approve(o3, rm3)}, o1);
  REQUIRE(l.state().members.size() == 2);
  REQUIRE(l.state().members.count(o3.pub.key_id) == 0);
  REQUIRE(l.state().proposals.empty());
  REQUIRE(expect_invalid([&] { l.append_txs({approve(o2, rm3, "2")}, o1); }).find("not pending") != std::string::npos);
  // Two members, delegates o1 and o2: removing o2 needs both (3 x 2 > 4).
  auto rm2 = remove(o1, o2);
  l.append_txs({rm2}, o1);
  REQUIRE(l.state().members.size() == 2);
  // o2 proposes removing o1 meanwhile; o2's own removal goes through first,
  // and the approval that would then remove o1, the last delegate, is refused.
  auto rm1 = remove(o2, o1);
  l.append_txs({rm1, approve(o2, rm2)}, o1);
  REQUIRE(l.state().members.size() == 1);
  REQUIRE(l.state().delegates == std::vector<std::string>{o1.pub.key_id});
  REQUIRE(l.state().proposals.at(L::to_hex(rm1.id)).approvals.empty());  // its proposer's approval left with it
  REQUIRE(expect_invalid([&] { l.append_txs({approve(o1, rm1)}, o1); }).find("last member") != std::string::npos);
  REQUIRE(expect_invalid([&] { l.append_txs({remove(o1, o1)}, o1); }).find("last member") != std::string::npos);
  REQUIRE(l.verify(vopts(2)).ok);
}

TEST_CASE("a member.remove whose approval would take the last delegate is refused; a removal lapses") {
  TempDir d;
  auto o1 = key("o1"), o2 = key("o2"), o3 = key("o3");
  init_three_members(d.str(), o1, o2, o3);
  L::Ledger l(d.str());
  auto chain = l.state().chain;
  auto approve = [&](const hc::keys::SecretKey& k, const L::Tx& p) {
    return L::make_tx(k, chain, "member.approve", Value{{"proposal", L::to_hex(p.id)}}, t0);
  };
  auto rm1 = L::make_tx(o3, chain, "member.remove", Value{{"key_id", o1.pub.key_id}}, t0);
  auto rm2 = L::make_tx(o1, chain, "member.remove", Value{{"key_id", o2.pub.key_id}}, t0);
  l.append_txs({rm1, rm2, approve(o3, rm2)}, o1);
  l.append_txs({approve(o2, rm2)}, o1);  // o2 leaves; o1 is the last delegate
  REQUIRE(l.state().members.size() == 2);
  REQUIRE(l.state().proposals.size() == 1);
  REQUIRE(expect_invalid([&] { l.append_txs({approve(o1, rm1)}, o1); }).find("last delegate") != std::string::npos);
  // Pending removals lapse like additions, 7 days after their block.
  auto s = l.state();
  l.append(L::seal_block(s, {}, o1, s.head_time + L::k_proposal_ttl_s + 1));
  REQUIRE(l.state().proposals.empty());
  REQUIRE(l.state().members.size() == 2);
  REQUIRE(l.verify(vopts(2)).ok);
}

TEST_CASE("the one-pass canonical check says yes only for canonical text") {
  using L::certainly_canonical;
  for (const char* t : {R"({"a":1,"b":[true,false,null,"x\"\\\n\u001f"],"c":{}})", "[]", "0", "-12", R"("\b\t")",
                        R"({"":0,"a":{"b":-9007199254740991}})"}) {
    INFO(t);
    REQUIRE(certainly_canonical(t));
    REQUIRE(hc::json::canonical(hc::json::parse(t)) == t);
  }
  // Not canonical (or not decided: the caller re-encodes).
  for (const char* t : {R"({"b":1,"a":2})", R"({"a": 1})", "1.0", "1e2", "-0", "9007199254740992", R"("\/")",
                        R"("\u0041")", R"("\u000a")", R"("\u001F")", R"({"\u00e9":1})", "[1,]", "[1] ", "tru"}) {
    INFO(t);
    REQUIRE(!certainly_canonical(t));
  }
}

TEST_CASE("the pool runs a job in index order, waits for a prefix of it, and can be cancelled") {
  L::Pool pool(3);
  std::vector<std::atomic<int>> done(1000);
  pool.start(done.size(), [&](size_t i) { done[i]++; });
  pool.finish_through(300);
  for (size_t i = 0; i < 300; ++i) REQUIRE(done[i] == 1);
  pool.finish_through(1000);
  pool.finish();
  for (auto& d : done) REQUIRE(d == 1);
  // cancel(): nothing starts afterwards, and it waits for what runs.
  std::atomic<size_t> ran{0};
  pool.start(1000000, [&](size_t) {  // 25 s on two workers, were it not cancelled
    ran++;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  });
  pool.finish_through(10);
  pool.cancel();
  size_t after = ran.load();
  REQUIRE(after >= 10);
  REQUIRE(after < 1000000);
  REQUIRE(ran.load() == after);
  // The pool is reusable, and a job of none finishes.
  pool.start(0, [&](size_t) { ran++; });
  pool.finish();
  REQUIRE(ran.load() == after);
}

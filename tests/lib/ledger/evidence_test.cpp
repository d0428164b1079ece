// Evidence transactions with crafted inputs: evidence.double_vote (two
// conflicting consensus messages) bans the signer; evidence.double_sign
// needs two different headers for one height.
#include <catch2/catch.hpp>

#include <hc/consensus/evidence.h>
#include <hc/core/error.h>
#include <hc/keys/keys.h>
#include <hc/ledger/ledger.h>

#include <filesystem>

namespace fs = std::filesystem;
namespace L = hc::ledger;
namespace C = hc::consensus;
using hc::json::Value;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("hc-evidence-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  ~TempDir() { fs::remove_all(path); }
  std::string str() const { return path.string(); }
};

hc::keys::SecretKey key(const char* label) { return hc::keys::generate(hc::keys::Role::org, label, "2026-11-26T00:00:00Z"); }
const int64_t t0 = 1795000000;

struct Chain {
  TempDir d;
  hc::keys::SecretKey a = key("a"), b = key("b"), c = key("c"), stranger = key("s");
  std::unique_ptr<L::Ledger> l;
  std::string chain;
  Chain() {
    Value members = Value::array();
    for (auto* k : {&a, &b, &c})
      members.push_back(L::Member{k->pub.key_id, k->pub.ed25519, k->pub.label, 1, "org"}.to_json());
    Value doc{{"v", 1},
              {"name", "evidence"},
              {"time", L::format_time(t0)},
              {"members", members},
              {"delegates", {a.pub.key_id, b.pub.key_id, c.pub.key_id}}};
    L::Ledger::init(d.str(), L::Genesis::parse(doc, "genesis"));
    l = std::make_unique<L::Ledger>(d.str());
    chain = l->state().chain;
  }
};

C::Vote vote(const hc::keys::SecretKey& k, const std::string& chain, C::Step step, uint64_t h, uint32_t r,
             std::optional<C::Hash> v) {
  C::Vote x;
  x.step = step;
  x.height = h;
  x.round = r;
  x.value = v;
  x.validator = k.pub.ed25519;
  x.signature = hc::crypto::ed25519_sign(k.ed25519_seed, x.sign_bytes(chain));
  return x;
}

std::string b64(const C::Vote& v) {
  auto e = C::encode(v);
  return hc::crypto::base64url(e.data(), e.size());
}

Value data_of(const C::Vote& x, const C::Vote& y) { return Value{{"a", b64(x)}, {"b", b64(y)}}; }
Value data_of(const C::DoubleSign& ev) { return data_of(ev.a, ev.b); }

std::string invalid(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const hc::Error& e) {
    CHECK(e.code() == hc::Exit::invalid);
    return e.message();
  }
  FAIL("no error");
  return "";
}

std::string malformed(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const hc::Error& e) {
    CHECK(e.code() == hc::Exit::data);
    return e.message() + " @" + e.field();
  }
  FAIL("no error");
  return "";
}

}  // namespace

TEST_CASE("evidence.double_vote: two precommits for one slot ban the validator") {
  Chain t;
  auto h1 = hc::crypto::sha256("block one"), h2 = hc::crypto::sha256("block two");
  auto ev = C::make_evidence(vote(t.b, t.chain, C::Step::precommit, 7, 1, h1),
                             vote(t.b, t.chain, C::Step::precommit, 7, 1, h2), t.chain);
  auto tx = L::make_tx(t.a, t.chain, "evidence.double_vote", data_of(ev), t0);
  REQUIRE(L::parse_tx(tx.bytes, "t", 0, true).id == tx.id);
  t.l->append_txs({tx}, t.a);
  REQUIRE(t.l->state().banned.count(t.b.pub.key_id) == 1);
  CHECK_FALSE(t.l->state().is_delegate(t.b.pub.key_id));
  // A second piece of evidence against the same key: already banned.
  auto ev2 = C::make_evidence(vote(t.b, t.chain, C::Step::prevote, 8, 0, h1),
                              vote(t.b, t.chain, C::Step::prevote, 8, 0, std::nullopt), t.chain);
  auto tx2 = L::make_tx(t.c, t.chain, "evidence.double_vote", data_of(ev2), t0);
  CHECK(invalid([&] { t.l->append_txs({tx2}, t.a); }).find("already banned") != std::string::npos);
  // Its blocks are refused from now on; verify replays the ban.
  CHECK(invalid([&] { t.l->append_txs({}, t.b); }).find("not a delegate") != std::string::npos);
  CHECK(t.l->verify().ok);
}

TEST_CASE("evidence.double_vote: everything that is not a double vote is refused") {
  Chain t;
  auto h1 = hc::crypto::sha256("x"), h2 = hc::crypto::sha256("y");
  auto tx = [&](const Value& d) { return L::make_tx(t.a, t.chain, "evidence.double_vote", d, t0); };
  auto pv = [&](uint64_t h, uint32_t r, std::optional<C::Hash> v) { return vote(t.b, t.chain, C::Step::prevote, h, r, v); };
  // Stateless rules (Error{data} when the transaction is built or parsed).
  CHECK(malformed([&] { tx(data_of(pv(5, 0, h1), pv(6, 0, h2))); }).find("same validator") != std::string::npos);
  CHECK(malformed([&] { tx(data_of(pv(5, 0, h1), pv(5, 1, h2))); }).find("same validator") != std::string::npos);
  CHECK(malformed([&] { tx(data_of(pv(5, 0, h1), vote(t.b, t.chain, C::Step::precommit, 5, 0, h2))); })
            .find("same validator") != std::string::npos);
  CHECK(malformed([&] { tx(data_of(pv(5, 0, h1), vote(t.c, t.chain, C::Step::prevote, 5, 0, h2))); })
            .find("same validator") != std::string::npos);
  CHECK(malformed([&] { tx(data_of(pv(5, 0, h1), pv(5, 0, h1))); }).find("same value") != std::string::npos);
  CHECK(malformed([&] { tx(Value{{"a", "!!"}, {"b", b64(pv(5, 0, h1))}}); }).find("body.data.a") != std::string::npos);
  CHECK(malformed([&] { tx(Value{{"a", b64(pv(5, 0, h1)) + "AA"}, {"b", b64(pv(5, 0, h2))}}); }).find("body.data.a") !=
        std::string::npos);
  CHECK(malformed([&] { tx(Value{{"a", b64(pv(5, 0, h1))}}); }).find("body.data.b") != std::string::npos);
  CHECK(malformed([&] { tx(Value{{"a", b64(pv(5, 0, h1))}, {"b", b64(pv(5, 0, h2))}, {"c", 1}}); })
            .find("unknown member") != std::string::npos);
  // Rules that need the chain (Error{invalid} when the block is applied).
  auto ev = C::make_evidence(pv(5, 0, h1), pv(5, 0, h2), t.chain);
  C::DoubleSign forged = ev;
  forged.b.signature[3] ^= 1;
  CHECK(invalid([&] { t.l->append_txs({tx(data_of(forged))}, t.a); }).find("signature") != std::string::npos);
  CHECK(invalid([&] { t.l->append_txs({tx(data_of(ev.b, ev.a))}, t.a); }).find("canonical order") != std::string::npos);
  // Signed for another chain: the signatures do not hold for this one.
  auto other = C::make_evidence(vote(t.b, "other", C::Step::prevote, 5, 0, h1), vote(t.b, "other", C::Step::prevote, 5, 0, h2),
                                "other");
  auto o = data_of(other);
  CHECK(invalid([&] { t.l->append_txs({tx(o)}, t.a); }).find("signature") != std::string::npos);
  // A key that is not a member.
  auto sv = [&](std::optional<C::Hash> v) { return vote(t.stranger, t.chain, C::Step::precommit, 5, 0, v); };
  auto sev = C::make_evidence(sv(h1), sv(h2), t.chain);
  CHECK(invalid([&] { t.l->append_txs({tx(data_of(sev))}, t.a); }).find("not a member") != std::string::npos);
  CHECK(t.l->state().banned.empty());
}

TEST_CASE("evidence.double_sign: two headers of one height that differ, nothing else") {
  Chain t;
  auto s = t.l->state();
  auto x = L::seal_block(s, {}, t.b, t0), y = L::seal_block(s, {}, t.b, t0, Value{{"round", 1}});
  auto sh = [](const L::Block& b) { return L::SignedHeader{b.header, b.sig}.to_json(); };
  auto tx = [&](const Value& a, const Value& b) {
    return L::make_tx(t.a, t.chain, "evidence.double_sign", Value{{"a", a}, {"b", b}}, t0);
  };
  // The same honest header twice is no evidence.
  CHECK(malformed([&] { tx(sh(x), sh(x)); }).find("same block") != std::string::npos);
  // Two honest headers at different heights are no evidence either.
  t.l->append_txs({}, t.b);
  auto z = t.l->block(1);
  REQUIRE(z);
  auto s2 = t.l->state();
  auto w = L::seal_block(s2, {}, t.b, t0);
  CHECK(malformed([&] { tx(sh(*z), sh(w)); }).find("same chain, height and producer") != std::string::npos);
  // Headers by two different producers for one height: not one signer's.
  auto v = L::seal_block(s, {}, t.c, t0);
  CHECK(malformed([&] { tx(sh(x), sh(v)); }).find("same chain, height and producer") != std::string::npos);
  // A forged second signature.
  auto yj = sh(y);
  auto forged = y;
  forged.sig[0] ^= 1;
  CHECK(invalid([&] { t.l->append_txs({tx(sh(x), sh(forged))}, t.a); }).find("do not verify") != std::string::npos);
  t.l->append_txs({tx(sh(x), yj)}, t.a);
  CHECK(t.l->state().banned.count(t.b.pub.key_id) == 1);
}

// The node's DPoS view (lib/node/dpos_view.cpp) over a real ledger: missed
// slots, exclusion at the epoch boundary, recovery, bans, the stored record,
// and the replay that rebuilds it; and the API client's parsers.
#include <catch2/catch.hpp>

#include <hc/consensus/evidence.h>
#include <hc/core/error.h>
#include <hc/keys/keys.h>
#include <hc/node/client.h>
#include <hc/node/dpos_view.h>

#include <filesystem>

namespace fs = std::filesystem;
namespace L = hc::ledger;
namespace C = hc::consensus;
using hc::json::Value;
using hc::node::DposView;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("hc-dpos-view-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  ~TempDir() { fs::remove_all(path); }
};

const int64_t t0 = 1795000000;

struct Net {
  TempDir d;
  std::vector<hc::keys::SecretKey> keys;
  L::Genesis g;
  std::unique_ptr<L::Ledger> l;
  DposView view;
  Net() {
    Value members = Value::array(), delegates = Value::array();
    for (int i = 0; i < 4; ++i) {
      keys.push_back(hc::keys::generate(hc::keys::Role::org, "org" + std::to_string(i + 1), "2026-11-26T00:00:00Z"));
      members.push_back(L::Member{keys[i].pub.key_id, keys[i].pub.ed25519, keys[i].pub.label, 1, "org"}.to_json());
      delegates.push_back(keys[i].pub.key_id);
    }
    Value doc{{"v", 1},
              {"name", "dpos"},
              {"time", L::format_time(t0)},
              {"members", members},
              {"delegates", delegates},
              {"params", {{"round_length", 4}, {"delegate_count", 4}}}};
    g = L::Genesis::parse(doc, "genesis");
    L::Ledger::init(d.path.string(), g);
    l = std::make_unique<L::Ledger>(d.path.string());
    view = DposView::genesis(l->state());
  }
  const hc::keys::SecretKey& by_id(const std::string& id) {
    for (auto& k : keys)
      if (k.pub.key_id == id) return k;
    FAIL("unknown key " << id);
    return keys[0];
  }
  /// Commits the next block; the slot owner seals it unless it is `down`
  /// (then the next proposer in the schedule does, as round 1 would).
  void step(const std::string& down = "", std::vector<L::Tx> txs = {}) {
    auto s = l->state();
    auto set = view.validators(s);
    std::string producer = view.owner();
    if (producer == down) producer = hc::keys::key_id(set.proposer(s.height, 1));
    l->append_txs(std::move(txs), by_id(producer));
    view.apply(*l->block(s.height), l->state());
    REQUIRE(view.height() == l->state().height);
  }
  bool scheduled(const std::string& id) const {
    auto& s = view.schedule();
    return std::find(s.begin(), s.end(), id) != s.end();
  }
};

}  // namespace

TEST_CASE("dpos view: a delegate that misses its slots leaves the schedule, keeps its vote, and comes back") {
  Net n;
  std::string down = n.keys[3].pub.key_id;
  CHECK(n.view.schedule().size() == 4);
  CHECK(n.view.epoch() == 0);
  int misses = 0;
  while (n.scheduled(down)) {
    if (n.view.owner() == down) ++misses;
    n.step(down);
    REQUIRE(n.view.height() < 40);
  }
  CHECK(misses == 3);
  CHECK(n.view.reputation(down) == 2500);
  CHECK(n.view.height() % 4 == 0);  // left at an epoch boundary
  auto set = n.view.validators(n.l->state());
  CHECK(set.size() == 4);  // still a voter
  CHECK(set.proposers().size() == 3);
  // The others gain 100 per produced slot (capped at 10000).
  CHECK(n.view.reputation(n.keys[0].pub.key_id) == 10000);
  // Out of the schedule: +500 per epoch; back at 5000 after five boundaries.
  uint64_t left = n.view.epoch();
  while (!n.scheduled(down)) {
    n.step(down);
    REQUIRE(n.view.epoch() < left + 10);
  }
  CHECK(n.view.epoch() == left + 5);
  CHECK(n.view.reputation(down) == 5000);
  // On probation: one more missed slot sends it out again at the next boundary.
  while (n.view.owner() != down) n.step(down);
  n.step(down);
  CHECK(n.view.reputation(down) == 2500);
  while (n.view.height() % 4 != 0) n.step(down);
  CHECK_FALSE(n.scheduled(down));

  // The stored record round-trips, and replaying the chain gives the same view.
  auto again = DposView::from_json(n.view.to_json(), "record");
  CHECK(hc::json::canonical(again.to_json()) == hc::json::canonical(n.view.to_json()));
  auto replayed = DposView::replay(n.g, *n.l, n.l->state().height);
  CHECK(hc::json::canonical(replayed.to_json()) == hc::json::canonical(n.view.to_json()));
  CHECK(n.l->verify().ok);
}

TEST_CASE("dpos view: evidence bans a delegate from the next height on") {
  Net n;
  n.step();
  auto& bad = n.keys[2];
  auto vote = [&](std::optional<C::Hash> v) {
    C::Vote x;
    x.step = C::Step::prevote;
    x.height = 2;
    x.round = 0;
    x.value = v;
    x.validator = bad.pub.ed25519;
    x.signature = hc::crypto::ed25519_sign(bad.ed25519_seed, x.sign_bytes(n.l->state().chain));
    return x;
  };
  auto ev = C::make_evidence(vote(hc::crypto::sha256("a")), vote(std::nullopt), n.l->state().chain);
  auto a = C::encode(ev.a), b = C::encode(ev.b);
  auto tx = L::make_tx(n.keys[0], n.l->state().chain, "evidence.double_vote",
                       Value{{"a", hc::crypto::base64url(a.data(), a.size())}, {"b", hc::crypto::base64url(b.data(), b.size())}},
                       t0);
  n.step(bad.pub.key_id, {tx});
  CHECK(n.l->state().banned.count(bad.pub.key_id) == 1);
  CHECK(n.view.reputation(bad.pub.key_id) == 0);
  auto set = n.view.validators(n.l->state());
  CHECK(set.size() == 3);
  CHECK_FALSE(set.contains(bad.pub.ed25519));
  for (int i = 0; i < 9; ++i) n.step();
  CHECK_FALSE(n.scheduled(bad.pub.key_id));
  CHECK(n.l->verify().ok);
}

TEST_CASE("dpos view: the stored record is parsed strictly") {
  Value ok{{"v", 1}, {"height", 5}, {"epoch", 1}, {"schedule", {"0123456789abcdef"}}, {"proposers", {"0123456789abcdef"}},
           {"reputation", {{"0123456789abcdef", 7500}}}};
  CHECK(DposView::from_json(ok, "r").height() == 5);
  auto bad = [&](const char* field, Value v) {
    Value x = ok;
    x[field] = v;
    CHECK_THROWS_AS(DposView::from_json(x, "r"), hc::Error);
  };
  bad("v", 2);
  bad("height", 0);
  bad("height", -1);
  bad("schedule", Value::array({"XYZ"}));
  bad("schedule", Value::array({"0123456789abcdef", "0123456789abcdef"}));
  bad("reputation", Value{{"0123456789abcdef", 10001}});
  bad("reputation", Value{{"nope", 1}});
  bad("extra", 1);
}

TEST_CASE("client: URLs and answers are parsed strictly") {
  using namespace hc::node;
  auto u = NodeUrl::parse("http://127.0.0.1:26657/");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 26657);
  CHECK(NodeUrl::parse("http://[::1]:80").host == "::1");
  for (const char* s : {"https://x:1", "http://x", "http://x:0", "http://x:65536", "http://x:1/v1", "http://u@x:1", "x:1",
                        "http://:1", "http://x:1a"})
    CHECK_THROWS_AS(NodeUrl::parse(s), hc::Error);
  CHECK(parse_answer(200, R"({"a":1})", "t")["a"] == 1);
  CHECK_THROWS_AS(parse_answer(200, "[1]", "t"), hc::Error);
  CHECK_THROWS_AS(parse_answer(200, "{", "t"), hc::Error);
  try {
    parse_answer(404, R"({"error":"no transaction x","exit":66})", "t");
    FAIL("no error");
  } catch (const hc::Error& e) {
    CHECK(e.code() == hc::Exit::no_input);
    CHECK(e.message() == "no transaction x");
  }
  try {
    parse_answer(422, R"({"error":"bad","exit":1})", "t");
    FAIL("no error");
  } catch (const hc::Error& e) {
    CHECK(e.code() == hc::Exit::invalid);
  }
  try {
    parse_answer(500, "<html>", "GET /x");  // not the API: named as such
    FAIL("no error");
  } catch (const hc::Error& e) {
    CHECK(e.code() == hc::Exit::unavailable);
    CHECK(e.message().find("HTTP 500") != std::string::npos);
  }
  try {
    parse_answer(400, R"({"error":"x","exit":0})", "t");  // exit 0 is no error code
    FAIL("no error");
  } catch (const hc::Error& e) {
    CHECK(e.code() == hc::Exit::unavailable);
  }
  CHECK(parse_answer_lines(200, "{\"a\":1}\n\n{\"b\":2}\n", "q").size() == 2);
  CHECK_THROWS_AS(parse_answer_lines(200, "{\"a\":1}\n3\n", "q"), hc::Error);
  CHECK_THROWS_AS(parse_answer_lines(503, R"({"error":"full","exit":75})", "q"), hc::Error);
}

// lib/node: wire messages, commit certificates, the mempool, configuration.
#include <catch2/catch.hpp>

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>
#include <hc/node/config.h>
#include <hc/node/mempool.h>
#include <hc/node/wire.h>

using namespace hc;
using namespace hc::node;
namespace C = hc::consensus;

namespace {

crypto::SecretBytes seed(int i) {
  crypto::SecretBytes s(32, 0);
  s[0] = uint8_t(i + 1);
  return s;
}

C::Vote precommit(int i, uint64_t h, uint32_t r, const Hash& value, const std::string& chain) {
  C::Vote v;
  v.step = C::Step::precommit;
  v.height = h;
  v.round = r;
  v.value = value;
  v.validator = crypto::ed25519_public(seed(i));
  v.signature = crypto::ed25519_sign(seed(i), v.sign_bytes(chain));
  return v;
}

C::ValidatorSet four() {
  std::vector<C::Validator> v;
  for (int i = 0; i < 4; ++i) v.push_back({crypto::ed25519_public(seed(i)), 1});
  return C::ValidatorSet(v);
}

Bytes as_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_CASE("node messages round-trip and refuse malformed input") {
  Status st{42, crypto::sha256("head")};
  Status back = decode_status(as_bytes(encode_status(st)));
  CHECK(back.next_height == 42);
  CHECK(back.head == st.head);

  auto g = decode_get_blocks(as_bytes(encode_get_blocks({7, 16})));
  CHECK(g.from == 7);
  CHECK(g.count == 16);
  CHECK_THROWS_AS(decode_get_blocks(as_bytes(encode_get_blocks({7, 65}))), Error);
  CHECK_THROWS_AS(decode_get_blocks(as_bytes(encode_get_blocks({0, 1}))), Error);

  std::vector<std::string_view> txs = {"a", "bc"};
  Bytes encoded = as_bytes(encode_txs(txs));  // the views point into it
  auto t = decode_txs(encoded);
  REQUIRE(t.size() == 2);
  CHECK(t[1] == "bc");
  Bytes trailing = as_bytes(encode_txs(txs));
  trailing.push_back(0);
  CHECK_THROWS_AS(decode_txs(trailing), Error);
  Bytes truncated = as_bytes(encode_txs(txs));
  truncated.pop_back();
  CHECK_THROWS_AS(decode_txs(truncated), Error);
  // A count far beyond the bytes present, or beyond the bound.
  Bytes huge = {2, 0xff, 0xff, 0xff, 0xff};
  CHECK_THROWS_AS(decode_txs(huge), Error);

  CHECK_THROWS_AS(message_type(Bytes{}), Error);
  CHECK_THROWS_AS(message_type(Bytes{9}), Error);
  CHECK(message_type(Bytes{3}) == MsgType::status);
  CHECK_THROWS_AS(decode_status(Bytes{4, 0}), Error);  // wrong type
}

TEST_CASE("a commit certificate needs more than 2/3 of distinct validators' precommits") {
  std::string chain = "test-chain";
  Hash block = crypto::sha256("block 5");
  C::ValidatorSet set = four();
  Certificate c{5, 1, block, {precommit(0, 5, 1, block, chain), precommit(1, 5, 1, block, chain)}};
  CHECK_THROWS_WITH(check_certificate(c, set, chain, 5, block), Catch::Contains("no more than 2/3"));
  c.precommits.push_back(precommit(2, 5, 1, block, chain));
  CHECK_NOTHROW(check_certificate(c, set, chain, 5, block));

  // Encoding round trip.
  Bytes e = encode(c);
  Certificate d = decode_certificate(e.data(), e.size());
  CHECK(d.precommits.size() == 3);
  CHECK_NOTHROW(check_certificate(d, set, chain, 5, block));
  BlockMsg bm{e, "{}"};
  auto bm2 = decode_block(as_bytes(encode_block(bm)));
  CHECK(bm2.certificate == e);
  CHECK(bm2.block == "{}");

  SECTION("a duplicate signer does not count twice") {
    Certificate x{5, 1, block, {c.precommits[0], c.precommits[1], c.precommits[1]}};
    CHECK_THROWS_WITH(check_certificate(x, set, chain, 5, block), Catch::Contains("two precommits by one validator"));
  }
  SECTION("another block, height, chain or a stranger") {
    CHECK_THROWS_WITH(check_certificate(c, set, chain, 5, crypto::sha256("other")), Catch::Contains("another block"));
    CHECK_THROWS_WITH(check_certificate(c, set, chain, 6, block), Catch::Contains("names height 5"));
    CHECK_THROWS_WITH(check_certificate(c, set, "other-chain", 5, block), Catch::Contains("does not verify"));
    Certificate x = c;
    x.precommits[2] = precommit(7, 5, 1, block, chain);
    CHECK_THROWS_WITH(check_certificate(x, set, chain, 5, block), Catch::Contains("not a validator"));
  }
  SECTION("a prevote or another round is refused") {
    Certificate x = c;
    x.precommits[0].step = C::Step::prevote;
    CHECK_THROWS_WITH(check_certificate(x, set, chain, 5, block), Catch::Contains("not a precommit"));
    x = c;
    x.precommits[0] = precommit(0, 5, 2, block, chain);
    CHECK_THROWS_WITH(check_certificate(x, set, chain, 5, block), Catch::Contains("another height or round"));
  }
}

TEST_CASE("the mempool deduplicates, keeps arrival order and is bounded") {
  auto tx = [](int i) {
    ledger::Tx t;
    t.bytes = std::string(100, char('a' + i));
    t.id = crypto::sha256(t.bytes);
    return t;
  };
  Mempool m(3, 1000);
  CHECK(m.add(tx(0)) == Mempool::Added::added);
  CHECK(m.add(tx(0)) == Mempool::Added::duplicate);
  CHECK(m.add(tx(1)) == Mempool::Added::added);
  CHECK(m.add(tx(2)) == Mempool::Added::added);
  CHECK(m.add(tx(3)) == Mempool::Added::full);
  CHECK(m.size() == 3);
  CHECK(m.bytes() == 300);
  auto first = m.take(2, 1000);
  REQUIRE(first.size() == 2);
  CHECK(first[0].id == tx(0).id);
  CHECK(m.take(10, 150).size() == 1);
  m.remove(tx(0).id);
  CHECK(!m.contains(tx(0).id));
  CHECK(m.take(10, 1000).front().id == tx(1).id);
  Mempool small(10, 250);
  CHECK(small.add(tx(0)) == Mempool::Added::added);
  CHECK(small.add(tx(1)) == Mempool::Added::added);
  CHECK(small.add(tx(2)) == Mempool::Added::full);
}

TEST_CASE("configuration: strict, paths relative to the file, loopback API") {
  json::Value v = {{"type", "hc-node-config-v1"},
                   {"data_dir", "d1"},
                   {"key", "org1.key"},
                   {"genesis", "/etc/hc/genesis.json"},
                   {"listen", "127.0.0.1:0"},
                   {"api", "127.0.0.1:8001"},
                   {"peers", {{{"key", "org2.pub"}, {"address", "127.0.0.1:7002"}}}}};
  Config c = Config::from_json(v, "/srv/node/n1.json");
  CHECK(c.data_dir == "/srv/node/d1");
  CHECK(c.genesis == "/etc/hc/genesis.json");
  CHECK(c.listen.port == 0);
  REQUIRE(c.peers.size() == 1);
  CHECK(c.peers[0].key == "/srv/node/org2.pub");

  auto bad = [&](const std::string& member, json::Value value, const std::string& text) {
    json::Value w = v;
    w[member] = value;
    CHECK_THROWS_WITH(Config::from_json(w, "n.json"), Catch::Contains(text));
  };
  bad("api", "0.0.0.0:8001", "loopback");
  bad("listen", "127.0.0.1", "host:port");
  bad("listen", "127.0.0.1:70000", "port");
  bad("type", "other", "hc-node-config-v1");
  bad("surprise", 1, "unknown member");
  bad("peers", json::Value::array({{{"key", "x.pub"}, {"addr", "1"}}}), "unknown member");
  bad("timeouts", {{"propose_ms", 1}}, "between 10");
  json::Value w = v;
  w.erase("key");
  CHECK_THROWS_WITH(Config::from_json(w, "n.json"), Catch::Contains("missing"));
  try {
    Config::from_json(w, "n.json");
  } catch (const Error& e) {
    CHECK(e.code() == Exit::config);
    CHECK(e.field() == "key");
  }
}

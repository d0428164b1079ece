// Link: the handshake with member authentication, framing and fragments,
// bounds, all in memory (no sockets).
#include "net_test_util.h"

#include <hc/core/error.h>
#include <hc/net/link.h>

#include <catch2/catch.hpp>

using namespace hc;
using namespace hc::net;
using namespace hc::net::test;

namespace {

/// Moves every byte each way until nothing is left to move.
void pump(Link& a, Link& b) {
  for (int i = 0; i < 1000 && (a.out_size() || b.out_size()); ++i) {
    if (a.out_size()) {
      b.receive(a.out_data(), a.out_size());
      a.out_consumed(a.out_size());
    }
    if (b.out_size()) {
      a.receive(b.out_data(), b.out_size());
      b.out_consumed(b.out_size());
    }
  }
}

struct Pair {
  Member alice{"alice"}, bob{"bob"};
  AllowedPeers allowed;
  Limits limits;
  Pair() {
    allowed.add(alice.key.pub);
    allowed.add(bob.key.pub);
  }
};

}  // namespace

TEST_CASE("Link: members complete the handshake and exchange messages both ways") {
  Pair p;
  auto prologue = link_prologue("net-1");
  Link a(true, p.alice.id, p.allowed, prologue, p.limits, p.bob.key.pub.x25519);
  Link b(false, p.bob.id, p.allowed, prologue, p.limits);
  CHECK(a.send("queued before the handshake"));
  pump(a, b);
  REQUIRE(a.established());
  REQUIRE(b.established());
  CHECK(a.peer()->key_id == p.bob.key.pub.key_id);
  CHECK(b.peer()->key_id == p.alice.key.pub.key_id);
  CHECK(a.handshake_hash() == b.handshake_hash());
  CHECK(str(*b.next_message()) == "queued before the handshake");

  // One byte, empty, and a message spanning many 64 KiB frames.
  std::string big(1'000'000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  for (std::string m : {std::string("1"), std::string(), big}) {
    CHECK(b.send(m));
    pump(a, b);
    auto got = a.next_message();
    REQUIRE(got);
    CHECK(str(*got) == m);
  }
  CHECK_FALSE(a.next_message());
}

TEST_CASE("Link: bytes arriving one at a time reassemble") {
  Pair p;
  Link a(true, p.alice.id, p.allowed, "x", p.limits);
  Link b(false, p.bob.id, p.allowed, "x", p.limits);
  pump(a, b);
  std::string m(70'000, 'q');
  a.send(m);
  while (a.out_size()) {
    b.receive(a.out_data(), 1);
    a.out_consumed(1);
  }
  CHECK(str(*b.next_message()) == m);
}

TEST_CASE("Link: a key that is not a member's is refused, on either side") {
  Pair p;
  Member mallory("mallory");
  SECTION("responder refuses an unknown initiator") {
    Link m(true, mallory.id, p.allowed, "x", p.limits);
    Link b(false, p.bob.id, p.allowed, "x", p.limits);
    CHECK_THROWS_WITH(pump(m, b), Catch::Contains("not a consortium member"));
    CHECK_FALSE(b.established());
  }
  SECTION("initiator refuses an unknown responder before sending its static key") {
    Link a(true, p.alice.id, p.allowed, "x", p.limits);
    Link m(false, mallory.id, p.allowed, "x", p.limits);
    m.receive(a.out_data(), a.out_size());
    a.out_consumed(a.out_size());
    try {
      a.receive(m.out_data(), m.out_size());
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::perm);
      CHECK_THAT(e.message(), Catch::Contains("not a consortium member"));
    }
    CHECK(a.out_size() == 0);  // message 3 (alice's static key) never written
  }
  SECTION("a member answering for another is refused") {
    Member carol("carol");
    p.allowed.add(carol.key.pub);
    Link a(true, p.alice.id, p.allowed, "x", p.limits, carol.key.pub.x25519);
    Link b(false, p.bob.id, p.allowed, "x", p.limits);
    CHECK_THROWS_WITH(pump(a, b), Catch::Contains("another member was expected"));
  }
}

TEST_CASE("Link: links of different networks never complete") {
  Pair p;
  Link a(true, p.alice.id, p.allowed, link_prologue("net-1"), p.limits);
  Link b(false, p.bob.id, p.allowed, link_prologue("net-2"), p.limits);
  CHECK_THROWS_AS(pump(a, b), Error);
  CHECK_FALSE(a.established());
}

TEST_CASE("Link: tampered, oversized and malformed frames are refused") {
  Pair p;
  p.limits.max_message = 100'000;
  Link a(true, p.alice.id, p.allowed, "x", p.limits);
  Link b(false, p.bob.id, p.allowed, "x", p.limits);
  pump(a, b);
  REQUIRE(b.established());

  SECTION("flipped ciphertext bit") {
    a.send("hello");
    Bytes wire(a.out_data(), a.out_data() + a.out_size());
    wire[5] ^= 0x80;
    CHECK_THROWS_WITH(b.receive(wire.data(), wire.size()), Catch::Contains("failed authentication"));
  }
  SECTION("replayed frame") {
    a.send("hello");
    Bytes wire(a.out_data(), a.out_data() + a.out_size());
    b.receive(wire.data(), wire.size());
    CHECK_THROWS_AS(b.receive(wire.data(), wire.size()), Error);
  }
  SECTION("message over the limit: the sender refuses it, the receiver too") {
    CHECK_THROWS_WITH(a.send(std::string(100'001, 'x')), Catch::Contains("limit"));
    Limits big = p.limits;
    big.max_message = 1'000'000;
    Link a2(true, p.alice.id, p.allowed, "x", big);
    Link b2(false, p.bob.id, p.allowed, "x", p.limits);
    pump(a2, b2);
    a2.send(std::string(200'000, 'x'));
    CHECK_THROWS_WITH(b2.receive(a2.out_data(), a2.out_size()), Catch::Contains("100000-byte limit"));
  }
  SECTION("empty frame") {
    uint8_t z[2] = {0, 0};
    CHECK_THROWS_WITH(b.receive(z, 2), Catch::Contains("empty frame"));
  }
  SECTION("frame too short for a tag") {
    uint8_t f[5] = {0, 3, 1, 2, 3};
    CHECK_THROWS_WITH(b.receive(f, 5), Catch::Contains("too short"));
  }
}

TEST_CASE("Link: a full outbox refuses more") {
  Pair p;
  p.limits.max_outbox = 200'000;
  Link a(true, p.alice.id, p.allowed, "x", p.limits);
  Link b(false, p.bob.id, p.allowed, "x", p.limits);
  pump(a, b);
  std::string m(60'000, 'x');
  int taken = 0;
  while (a.send(m)) ++taken;
  CHECK(taken == 3);
  CHECK(a.out_size() <= 200'000);
}

TEST_CASE("FrameReader and Reassembler bound their input") {
  FrameReader r(1000);
  uint8_t big[2] = {0x03, 0xE9};  // 1001
  CHECK_THROWS_WITH(r.feed(big, 2), Catch::Contains("1001-byte frame"));
  FrameReader r2(65535);
  uint8_t ok[5] = {0x00, 0x03, 'a', 'b', 'c'};
  CHECK(r2.feed(ok, 5) == 5);
  REQUIRE(r2.ready());
  CHECK(str(r2.take()) == "abc");
  Reassembler ra(4);
  uint8_t f1[4] = {1, 'a', 'b', 'c'}, f2[3] = {0, 'd', 'e'}, bad[2] = {7, 'x'};
  CHECK_FALSE(ra.add(f1, 4));
  CHECK_THROWS_WITH(ra.add(f2, 3), Catch::Contains("4-byte limit"));
  Reassembler rb(10);
  CHECK_THROWS_WITH(rb.add(bad, 2), Catch::Contains("unknown flag"));
}

// Tendermint + DPoS in a simulated network of 4 validators (virtual time,
// fixed RNG seeds): all honest, one Byzantine, two down, reordering and
// duplication.
#include "sim.h"

#include <catch2/catch.hpp>

using namespace hc;
using namespace hc::consensus;
using namespace hc::consensus::sim;

TEST_CASE("sim: 4 honest validators finalise every height") {
  Network net(4, Options{}, Network::genesis(4, 4));
  net.start_all();
  REQUIRE(net.run(600'000, [&] { return net.min_decided({0, 1, 2, 3}) >= 20; }));
  CHECK(net.agree());
  for (int i = 0; i < 4; ++i) CHECK(net.node(i).evidence_found.empty());
  // All honest and in time: every block is decided in round 0, by its slot owner.
  for (int i = 0; i < 4; ++i) CHECK(net.node(i).dpos->candidate(net.node(i).key)->reputation >= 9997);
  CHECK(net.now() < 20 * 1000);  // well under one propose timeout per height
}

TEST_CASE("sim: reordering and duplication with fixed seeds keep agreement and progress") {
  for (uint64_t seed : {1u, 2u, 3u, 42u, 1234u}) {
    INFO("seed " << seed);
    Options o;
    o.seed = seed;
    o.min_delay_ms = 1;
    o.max_delay_ms = 1500;  // longer than the timeouts: rounds fail and reorder
    o.duplicate = 0.3;
    Network net(4, o, Network::genesis(4, 4));
    net.start_all();
    REQUIRE(net.run(3'600'000, [&] { return net.min_decided({0, 1, 2, 3}) >= 8; }));
    CHECK(net.agree());
  }
}

TEST_CASE("sim: one Byzantine double-signer: safety, liveness, evidence, removal") {
  for (uint64_t seed : {7u, 8u, 9u}) {
    INFO("seed " << seed);
    Options o;
    o.seed = seed;
    o.byzantine = 3;
    o.max_delay_ms = 200;
    // Five candidates, four delegates: removing the Byzantine one brings in the fifth.
    Network net(5, o, Network::genesis(5, 4));
    // Candidate 4 is a standby member: not elected in epoch 0, it just follows.
    net.start_all();
    REQUIRE(net.run(3'600'000, [&] { return net.min_decided({0, 1, 2}) >= 16; }));
    CHECK(net.agree());
    // Evidence was produced and checks.
    bool found = false;
    for (int i = 0; i < 3; ++i)
      for (auto& ev : net.node(i).evidence_found) {
        CHECK_NOTHROW(check(ev, net.chain()));
        CHECK(ev.a.validator == net.node(3).key);
        found = true;
      }
    REQUIRE(found);
    // It was put in a block, applied by every node, and the delegate is gone
    // from the schedule from the next epoch on.
    for (int i = 0; i < 3; ++i) {
      const auto& d = *net.node(i).dpos;
      CHECK(d.candidate(net.node(3).key)->removed);
      auto later = d.schedule(d.epoch_of(16) + 1);
      CHECK_FALSE(later.contains(net.node(3).key));
      CHECK(later.contains(net.node(4).key));
    }
  }
}

TEST_CASE("sim: two of four down: no finality until one returns") {
  Options o;
  o.seed = 5;
  Network net(4, o, Network::genesis(4, 4));
  net.start_all();
  REQUIRE(net.run(600'000, [&] { return net.min_decided({0, 1, 2, 3}) >= 3; }));
  // Stop the moment the last node decides height 3: nothing of height 4
  // from the crashed nodes survives.
  uint64_t h = 0;
  for (int i = 0; i < 4; ++i) h = std::max<uint64_t>(h, net.node(i).decided.size());
  REQUIRE(h == 3);
  net.crash(2);
  net.crash(3);
  uint64_t t = net.now();
  net.run(t + 120'000, [] { return false; });  // two simulated minutes
  CHECK(net.node(0).decided.size() == 3);
  CHECK(net.node(1).decided.size() == 3);
  // Without 2f + 1 prevotes of any kind they wait in round 0 (L34 never fires).
  // One returns (restarted from its durable guard): finality resumes.
  net.restart(2, 4);
  REQUIRE(net.run(net.now() + 600'000, [&] { return net.min_decided({0, 1, 2}) >= 8; }));
  CHECK(net.agree());
  // The slot owners who were down lost reputation for their missed slots.
  CHECK(net.node(0).dpos->candidate(net.node(3).key)->reputation < 10000 - 3);
}

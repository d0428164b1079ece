// The DPoS rules of hc-formats(5): election by stake × reputation, vote
// replacement, reputation for slots, removal by evidence, the schedule.
#include "sim.h"

#include <hc/core/error.h>

#include <catch2/catch.hpp>

using namespace hc;
using namespace hc::consensus;
using namespace hc::consensus::sim;

namespace {
PublicKey k(int i) { return crypto::ed25519_public(seed_of(i)); }

DposGenesis six() {
  DposGenesis g;
  g.params.delegates = 4;
  g.params.max_votes = 3;
  for (int i = 0; i < 6; ++i) g.candidates.push_back({k(i), 10000, false});
  g.members = {{k(10), 500}, {k(11), 300}, {k(12), 200}};
  g.votes[k(10)] = {k(0), k(1), k(2)};
  g.votes[k(11)] = {k(1), k(3), k(4)};
  g.votes[k(12)] = {k(4), k(5)};
  return g;
}
}  // namespace

TEST_CASE("dpos: votes are stake sums; the top N by votes × reputation are elected") {
  Dpos d(six());
  CHECK(d.votes(k(1)) == 800);
  CHECK(d.votes(k(4)) == 500);
  CHECK(d.votes(k(5)) == 200);
  auto e = d.elect();
  REQUIRE(e.size() == 4);
  CHECK(e[0] == k(1));  // 800
  // 0, 2 and 4 tie at 500 × 10000: smaller key first; 3 (300) and 5 (200) are out.
  std::vector<PublicKey> ties = {k(0), k(2), k(4)};
  std::sort(ties.begin(), ties.end());
  CHECK(std::vector<PublicKey>(e.begin() + 1, e.end()) == ties);
}

TEST_CASE("dpos: a new vote replaces the old one; bad votes are refused") {
  Dpos d(six());
  d.vote(k(10), {k(5)});
  CHECK(d.votes(k(0)) == 0);
  CHECK(d.votes(k(5)) == 700);
  auto e = d.elect();
  CHECK(std::find(e.begin(), e.end(), k(5)) != e.end());
  CHECK(std::find(e.begin(), e.end(), k(0)) == e.end());
  CHECK_THROWS_WITH(d.vote(k(0), {k(1)}), Catch::Contains("not a member"));
  CHECK_THROWS_WITH(d.vote(k(10), {k(1), k(1)}), Catch::Contains("twice"));
  CHECK_THROWS_WITH(d.vote(k(10), {k(1), k(2), k(3), k(4)}), Catch::Contains("more than 3"));
  CHECK_THROWS_WITH(d.vote(k(10), {k(20)}), Catch::Contains("unknown candidate"));
}

TEST_CASE("dpos: missed slots cost reputation until the delegate drops out") {
  Dpos d(six());
  d.slot_result(k(1), true);
  CHECK(d.candidate(k(1))->reputation == 10000);  // capped
  for (int i = 0; i < 3; ++i) d.slot_result(k(0), false);
  CHECK(d.candidate(k(0))->reputation == 7000);
  // 0 now weighs 500 × 7000 < 300 × 10000? No: 3.5e6 > 3e6, still in.
  auto e = d.elect();
  CHECK(std::find(e.begin(), e.end(), k(0)) != e.end());
  d.slot_result(k(0), false);  // 6000: 3.0e6 ties with 3, smaller key wins
  d.slot_result(k(0), false);  // 5000: 2.5e6 < 3e6, replaced by 3
  e = d.elect();
  CHECK(std::find(e.begin(), e.end(), k(0)) == e.end());
  CHECK(std::find(e.begin(), e.end(), k(3)) != e.end());
  for (int i = 0; i < 20; ++i) d.slot_result(k(0), false);
  CHECK(d.candidate(k(0))->reputation == 0);
  // Below the minimum reputation a candidate is never elected, whatever its votes.
  d.vote(k(11), {k(0)});
  d.vote(k(12), {k(0)});
  e = d.elect();
  CHECK(std::find(e.begin(), e.end(), k(0)) == e.end());
}

TEST_CASE("dpos: evidence removes a delegate for good; bad evidence is refused") {
  Dpos d(six());
  std::string chain = "c";
  auto vote = [&](std::optional<Hash> v) {
    Vote x;
    x.step = Step::precommit;
    x.height = 3;
    x.round = 0;
    x.value = v;
    x.validator = k(1);
    x.signature = crypto::ed25519_sign(seed_of(1), x.sign_bytes(chain));
    return x;
  };
  auto ev = make_evidence(vote(crypto::sha256("a")), vote(std::nullopt), chain);
  DoubleSign forged = ev;
  forged.a.signature[5] ^= 1;
  CHECK_THROWS_AS(d.remove(forged, chain), Error);
  CHECK(d.remove(ev, chain));
  CHECK_FALSE(d.remove(ev, chain));
  CHECK(d.candidate(k(1))->removed);
  auto e = d.elect();
  CHECK(std::find(e.begin(), e.end(), k(1)) == e.end());
  d.vote(k(10), {k(1)});  // votes cannot bring it back
  e = d.elect();
  CHECK(std::find(e.begin(), e.end(), k(1)) == e.end());
}

TEST_CASE("dpos: the schedule is deterministic, equal-weight, and rotates by epoch") {
  Dpos d(six());
  CHECK(d.epoch_of(1) == 0);
  CHECK(d.epoch_of(4) == 0);
  CHECK(d.epoch_of(5) == 1);
  auto s0 = d.schedule(0), s0b = d.schedule(0), s1 = d.schedule(1);
  REQUIRE(s0.size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CHECK(s0.members()[i].key == s0b.members()[i].key);
    CHECK(s0.members()[i].weight == 1);
  }
  bool differs = false;
  for (uint64_t e = 1; e < 8 && !differs; ++e)
    differs = d.schedule(e).members()[0].key != s0.members()[0].key;
  CHECK(differs);
  // Each delegate owns exactly one slot (round-0 proposer) per epoch.
  std::set<PublicKey> owners;
  for (uint64_t h = 1; h <= 4; ++h) owners.insert(s0.proposer(h, 0));
  CHECK(owners.size() == 4);
  (void)s1;
  DposGenesis empty;
  CHECK_THROWS_AS(Dpos(empty).schedule(0), Error);
  DposGenesis bad = six();
  bad.votes[k(10)] = {k(1), k(1)};
  CHECK_THROWS_AS(Dpos(bad), Error);
}

TEST_CASE("dpos: self votes stand until a member votes; recovery brings an excluded delegate back") {
  DposGenesis g;
  g.params.delegates = 4;
  g.params.self_vote = true;
  g.params.min_reputation = 5000;
  g.params.miss_penalty = 2500;
  g.params.recovery = 500;
  for (int i = 0; i < 4; ++i) {
    g.candidates.push_back({k(i), 10000, false});
    g.members.push_back({k(i), uint64_t(10 + i)});
  }
  Dpos d(g);
  CHECK(d.votes(k(2)) == 12);  // its own stake: it has not voted
  CHECK(d.elect().size() == 4);
  d.vote(k(2), {k(0)});  // k(2) votes for k(0): no longer for itself
  CHECK(d.votes(k(2)) == 0);
  CHECK(d.votes(k(0)) == 22);
  d.vote(k(2), {k(0), k(2)});
  CHECK(d.votes(k(2)) == 12);
  // Three missed slots: 10000 → 2500, below 5000, out of the schedule.
  for (int i = 0; i < 3; ++i) d.slot_result(k(3), false);
  CHECK(d.candidate(k(3))->reputation == 2500);
  auto sched = d.schedule(7).proposers();
  CHECK(sched.size() == 3);
  CHECK(std::find(sched.begin(), sched.end(), k(3)) == sched.end());
  // Left out at the boundary: +500 per epoch, back at 5000 after 5 epochs.
  for (int e = 0; e < 4; ++e) d.epoch_end(sched);
  CHECK(d.candidate(k(3))->reputation == 4500);
  CHECK(d.schedule(8).size() == 3);
  d.epoch_end(sched);
  CHECK(d.candidate(k(3))->reputation == 5000);
  CHECK(d.schedule(9).size() == 4);
  // Scheduled candidates gain nothing from epoch_end; removed ones never recover.
  CHECK(d.candidate(k(0))->reputation == 10000);
}

TEST_CASE("validators: a proposer schedule narrower than the voters") {
  std::vector<Validator> v;
  for (int i = 0; i < 4; ++i) v.push_back({k(i), 1});
  ValidatorSet s(v, {k(2), k(0)});
  CHECK(s.size() == 4);
  CHECK(s.quorum(3));
  CHECK_FALSE(s.quorum(2));
  CHECK(s.proposer(4, 0) == k(2));
  CHECK(s.proposer(4, 1) == k(0));
  CHECK(s.proposer(5, 0) == k(0));
  CHECK(s.proposers() == std::vector<PublicKey>{k(2), k(0)});
  CHECK(ValidatorSet(v).proposers().size() == 4);
  CHECK_THROWS_AS(ValidatorSet(v, {}), Error);
  CHECK_THROWS_AS(ValidatorSet(v, {k(1), k(1)}), Error);
  CHECK_THROWS_AS(ValidatorSet(v, {k(9)}), Error);
}

// The engine's rules one at a time, the double-sign guard across restarts,
// evidence, the message codec.
#include "sim.h"

#include <hc/core/error.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

using namespace hc;
using namespace hc::consensus;
using namespace hc::consensus::sim;

namespace {

ValidatorSet four() {
  std::vector<Validator> v;
  for (int i = 0; i < 4; ++i) v.push_back({crypto::ed25519_public(seed_of(i)), 1});
  return ValidatorSet(v);
}

Vote signed_vote(int who, Step step, uint64_t h, uint32_t r, std::optional<Hash> value, const std::string& chain) {
  Vote v;
  v.step = step;
  v.height = h;
  v.round = r;
  v.value = value;
  v.validator = crypto::ed25519_public(seed_of(who));
  v.signature = crypto::ed25519_sign(seed_of(who), v.sign_bytes(chain));
  return v;
}

template <class T>
std::vector<T> all(const Outputs& outs) {
  std::vector<T> r;
  for (auto& o : outs)
    if (auto* x = std::get_if<T>(&o)) r.push_back(*x);
  return r;
}

struct Fixture {
  MemorySafetyStore store;
  std::unique_ptr<SafetyGuard> guard = std::make_unique<SafetyGuard>(store);
  std::string chain = "unit";
  std::unique_ptr<Engine> make(int who) {
    return std::make_unique<Engine>(
        EngineConfig{chain, Timeouts{}, 64, 4096}, seed_of(who), *guard,
        [who](uint64_t h) { return make_value(h, crypto::ed25519_public(seed_of(who)), {}); },
        [](uint64_t, const Value& v) { return crypto::sha256(v.data.data(), v.data.size()) == v.id; });
  }
};

}  // namespace

TEST_CASE("engine: proposer of (h, r) is ordered[(h + r) mod n]; quorum arithmetic") {
  auto s = four();
  CHECK(s.proposer(1, 0) == s.members()[1].key);
  CHECK(s.proposer(1, 3) == s.members()[0].key);
  CHECK_FALSE(s.quorum(2));
  CHECK(s.quorum(3));
  CHECK_FALSE(s.one_honest(1));
  CHECK(s.one_honest(2));
  CHECK_THROWS_AS(ValidatorSet(std::vector<Validator>{}), Error);
  CHECK_THROWS_AS(ValidatorSet(std::vector<Validator>{{s.members()[0].key, 1}, {s.members()[0].key, 1}}), Error);
}

TEST_CASE("engine: a non-proposer prevotes the proposal, locks on 2f+1 prevotes, decides on 2f+1 precommits") {
  Fixture f;
  auto e = f.make(0);  // proposer of height 1 round 0 is validator 1
  auto outs = e->start_height(1, four());
  auto t = all<ScheduleTimeout>(outs);
  REQUIRE(t.size() == 1);
  CHECK(t[0].event == TimeoutEvent{1, 0, Step::propose});
  Value v = make_value(1, crypto::ed25519_public(seed_of(1)), {});
  Proposal p;
  p.header = signed_vote(1, Step::propose, 1, 0, v.id, f.chain);
  p.header.step = Step::propose;
  p.header.signature = crypto::ed25519_sign(seed_of(1), p.header.sign_bytes(f.chain));
  p.value = v;
  outs = e->on_proposal(p);
  auto votes = all<Vote>(outs);
  REQUIRE(votes.size() == 1);
  CHECK(votes[0].step == Step::prevote);
  CHECK(votes[0].value == v.id);
  CHECK(f.store.load().step == Step::prevote);  // persisted before it was returned
  e->on_vote(signed_vote(1, Step::prevote, 1, 0, v.id, f.chain));
  outs = e->on_vote(signed_vote(2, Step::prevote, 1, 0, v.id, f.chain));
  votes = all<Vote>(outs);
  REQUIRE(votes.size() == 1);
  CHECK(votes[0].step == Step::precommit);
  CHECK(e->locked_round() == 0);
  // A forged signature is not counted.
  Vote forged = signed_vote(1, Step::precommit, 1, 0, v.id, f.chain);
  forged.signature[0] ^= 1;
  CHECK(all<Decision>(e->on_vote(forged)).empty());
  e->on_vote(signed_vote(1, Step::precommit, 1, 0, v.id, f.chain));
  outs = e->on_vote(signed_vote(3, Step::precommit, 1, 0, v.id, f.chain));
  auto d = all<Decision>(outs);
  REQUIRE(d.size() == 1);
  CHECK(d[0].value == v);
  CHECK(d[0].commit.size() == 3);
  for (auto& c : d[0].commit) CHECK(c.verify(f.chain));
}

TEST_CASE("engine: timeouts lead to nil votes and the next round; f+1 in a later round makes it jump") {
  Fixture f;
  auto e = f.make(0);
  e->start_height(1, four());
  auto outs = e->on_timeout({1, 0, Step::propose});
  auto votes = all<Vote>(outs);
  REQUIRE(votes.size() == 1);
  CHECK_FALSE(votes[0].value);  // prevote nil
  // A stale timeout does nothing.
  CHECK(e->on_timeout({1, 5, Step::precommit}).empty());
  e->on_vote(signed_vote(1, Step::prevote, 1, 0, std::nullopt, f.chain));
  outs = e->on_vote(signed_vote(2, Step::prevote, 1, 0, std::nullopt, f.chain));
  REQUIRE(all<Vote>(outs).size() == 1);  // precommit nil (L44)
  CHECK(e->step() == Step::precommit);
  // Two validators (> 1/3) are already in round 7: jump (L55).
  e->on_vote(signed_vote(1, Step::prevote, 1, 7, std::nullopt, f.chain));
  CHECK(e->round() == 0);
  e->on_vote(signed_vote(2, Step::precommit, 1, 7, std::nullopt, f.chain));
  CHECK(e->round() == 7);
}

TEST_CASE("engine: a restart never signs a conflicting message (the guard)") {
  Fixture f;
  Value v = make_value(1, crypto::ed25519_public(seed_of(1)), {});
  {
    auto e = f.make(0);
    e->start_height(1, four());
    Proposal p;
    p.header = signed_vote(1, Step::propose, 1, 0, v.id, f.chain);
    p.header.step = Step::propose;
    p.header.signature = crypto::ed25519_sign(seed_of(1), p.header.sign_bytes(f.chain));
    p.value = v;
    REQUIRE(all<Vote>(e->on_proposal(p)).size() == 1);  // prevote for v at (1, 0)
  }
  // "Crash" and restart from the same store: the timeout that would make it
  // prevote nil at (1, 0) must not produce a signature.
  f.guard = std::make_unique<SafetyGuard>(f.store);
  auto e = f.make(0);
  e->start_height(1, four());
  CHECK(all<Vote>(e->on_timeout({1, 0, Step::propose})).empty());
  // The same message may be signed again (identical bytes and signature).
  Vote again = signed_vote(0, Step::prevote, 1, 0, v.id, f.chain);
  CHECK(f.guard->permit(1, 0, Step::prevote, again.sign_bytes(f.chain)));
  Vote nil = signed_vote(0, Step::prevote, 1, 0, std::nullopt, f.chain);
  CHECK_FALSE(f.guard->permit(1, 0, Step::prevote, nil.sign_bytes(f.chain)));
  CHECK_FALSE(f.guard->permit(0, 9, Step::precommit, nil.sign_bytes(f.chain)));
  CHECK(f.guard->permit(1, 0, Step::precommit, nil.sign_bytes(f.chain)));
}

TEST_CASE("engine: the guard's file survives restarts and refuses damage") {
  auto dir = std::filesystem::temp_directory_path() / ("hc-guard-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "last-signed.json").string();
  {
    FileSafetyStore s(path);
    CHECK_FALSE(s.load().any);
    SafetyGuard g(s);
    CHECK(g.permit(5, 2, Step::precommit, "abc"));
  }
  {
    FileSafetyStore s(path);
    SafetyGuard g(s);
    CHECK(g.last().height == 5);
    CHECK(g.last().round == 2);
    CHECK(g.last().step == Step::precommit);
    CHECK_FALSE(g.permit(5, 2, Step::precommit, "abd"));
    CHECK_FALSE(g.permit(5, 1, Step::precommit, "abc"));
  }
  {
    std::FILE* fp = std::fopen(path.c_str(), "w");
    std::fputs("{\"type\":\"hc-last-signed-v1\",\"height\":-1}", fp);
    std::fclose(fp);
    FileSafetyStore s(path);
    CHECK_THROWS_AS(s.load(), Error);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("evidence: conflicting votes convict; anything else does not") {
  std::string chain = "unit";
  Hash a = crypto::sha256("a"), b = crypto::sha256("b");
  Vote x = signed_vote(2, Step::precommit, 9, 1, a, chain);
  Vote y = signed_vote(2, Step::precommit, 9, 1, b, chain);
  Vote n = signed_vote(2, Step::precommit, 9, 1, std::nullopt, chain);
  auto ev = make_evidence(x, y, chain);
  CHECK_NOTHROW(check(ev, chain));
  CHECK_NOTHROW(check(make_evidence(n, x, chain), chain));  // nil vs a value
  Bytes wire = encode(ev);
  auto back = decode_evidence(wire.data(), wire.size());
  CHECK_NOTHROW(check(back, chain));
  CHECK_THROWS_WITH(check(ev, "other-chain"), Catch::Contains("signature"));
  CHECK_THROWS_WITH(check(make_evidence(x, x, chain), chain), Catch::Contains("same value"));
  Vote z = signed_vote(2, Step::precommit, 9, 2, b, chain);
  CHECK_THROWS_WITH(check(make_evidence(x, z, chain), chain), Catch::Contains("not for one"));
  Vote w = signed_vote(1, Step::precommit, 9, 1, b, chain);
  CHECK_THROWS_AS(check(make_evidence(x, w, chain), chain), Error);
  DoubleSign swapped{ev.b, ev.a};
  CHECK_THROWS_WITH(check(swapped, chain), Catch::Contains("canonical"));
  wire.push_back(0);
  CHECK_THROWS_AS(decode_evidence(wire.data(), wire.size()), Error);
}

TEST_CASE("evidence: the engine reports a double vote it receives") {
  Fixture f;
  auto e = f.make(0);
  e->start_height(1, four());
  e->on_vote(signed_vote(2, Step::prevote, 1, 0, crypto::sha256("a"), f.chain));
  auto outs = e->on_vote(signed_vote(2, Step::prevote, 1, 0, crypto::sha256("b"), f.chain));
  auto ev = all<DoubleSign>(outs);
  REQUIRE(ev.size() == 1);
  CHECK_NOTHROW(check(ev[0], f.chain));
  // Reported once.
  CHECK(all<DoubleSign>(e->on_vote(signed_vote(2, Step::prevote, 1, 0, std::nullopt, f.chain))).empty());
}

TEST_CASE("messages: round trip and strict decoding") {
  std::string chain = "unit";
  Vote v = signed_vote(1, Step::prevote, 42, 3, crypto::sha256("x"), chain);
  Bytes w = encode(v);
  auto m = decode(w.data(), w.size());
  REQUIRE(m.vote);
  CHECK(m.vote->verify(chain));
  CHECK(encode(*m.vote) == w);
  Proposal p;
  p.value = make_value(42, v.validator, {});
  p.header = v;
  p.header.step = Step::propose;
  p.header.value = p.value.id;
  p.header.valid_round = 2;
  Bytes pw = encode(p);
  auto pm = decode(pw.data(), pw.size());
  REQUIRE(pm.proposal);
  CHECK(pm.proposal->value == p.value);
  for (size_t cut = 0; cut < pw.size(); ++cut) CHECK_THROWS_AS(decode(pw.data(), cut), Error);
  Bytes bad = w;
  bad[1] = 3;  // unknown step
  CHECK_THROWS_WITH(decode(bad.data(), bad.size()), Catch::Contains("unknown step"));
  p.header.valid_round = 3;  // not below the round
  pw = encode(p);
  CHECK_THROWS_WITH(decode(pw.data(), pw.size()), Catch::Contains("valid_round"));
}

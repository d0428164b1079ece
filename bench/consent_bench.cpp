// Consent checks against a state of 100,000 active grants (issue 8 asks for
// >= 100,000 checks/s), judged against two bounds measured in the same run:
// a bare hash-map lookup over as many keys (the index's own floor) and
// SHA-256 of the request's bytes (what hashing a request would cost).
#include "bench.h"
#include "bounds.h"

#include <hc/consent/consent.h>

#include <fmt/format.h>

#include <random>
#include <unordered_map>

namespace {

std::string key_hex(uint64_t v) { return fmt::format("{:016x}", v); }

}  // namespace

HC_BENCHMARK("consent/check") {
  using namespace hc::consent;
  constexpr size_t k_grants = 100000, k_patients = 20000, k_grantees = 50;
  const int64_t t0 = parse_time("2026-11-26T00:00:00Z");
  std::mt19937_64 rng(1);
  State state;
  std::vector<Request> requests;
  for (size_t i = 0; i < k_grants; ++i) {
    GrantSpec s;
    s.grantor = key_hex(0x1000000000000000ull + i % k_patients);
    s.grantee = key_hex(0x2000000000000000ull + rng() % k_grantees);
    s.effect = i % 10 == 0 ? Effect::deny : Effect::permit;
    s.purposes = {i % 2 ? "HRESCH" : "TREAT"};
    s.scope.emrs = {fmt::format("{:064x}", i)};
    s.scope.resource_types = {"Observation"};
    if (i % 3 == 0) s.scope.pointers = {"/component"};
    s.start = t0;
    s.end = t0 + 86400 * 30;
    s.issued = t0;
    state.apply(parse_grant(grant_body(s)));
    if (i % 5 == 0) {  // requests for one grant in five (half of them denies) and misses
      requests.push_back({s.grantor, s.grantee, s.scope.emrs[0], "Observation", "/component/0", s.purposes[0],
                          t0 + static_cast<int64_t>(rng() % (86400 * 40))});
      requests.push_back({s.grantor, key_hex(0x2000000000000000ull + rng() % k_grantees),
                          fmt::format("{:064x}", rng() % k_grants), "Observation", "", "TREAT", t0 + 3600});
    }
  }
  size_t next = 0, permits = 0, checks = 0;
  double per_s = hc::bench::rate(
      [&]() -> size_t {
        for (int i = 0; i < 64; ++i) {
          permits += state.evaluate(requests[next]).permit;
          ++checks;
          next = next + 1 == requests.size() ? 0 : next + 1;
        }
        return 64;
      },
      hc::bench::seconds());

  // Bound 1: a bare unordered_map<uint64_t, uint32_t> lookup over as many keys.
  std::unordered_map<uint64_t, uint32_t> map;
  std::vector<uint64_t> keys;
  for (uint32_t i = 0; i < k_grants; ++i) keys.push_back(rng()), map.emplace(keys.back(), i);
  size_t k = 0, found = 0;
  double map_rate = hc::bench::rate(
      [&]() -> size_t {
        for (int i = 0; i < 64; ++i) {
          found += map.count(keys[k] ^ (i & 1));
          k = (k + 7919) % keys.size();
        }
        return 64;
      },
      hc::bench::seconds());
  std::string verdict = per_s >= 100000 ? "meets" : "BELOW";
  hc::bench::report("consent/check (100k active grants)", per_s, "checks/s", "hash-map lookup, 100k keys", map_rate,
                    0, fmt::format("issue target >= 100000 checks/s: {}; {:.0f}% permitted", verdict,
                                100.0 * static_cast<double>(permits) / static_cast<double>(checks ? checks : 1)));
  hc::bench::report("consent/check (100k active grants)", per_s, "checks/s", "SHA-256 of a 256-byte request",
                    hc::bench::sha256_rate(256));
}

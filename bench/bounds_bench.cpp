// The bounds themselves, for scripts that judge a figure measured outside
// hc-bench (bench/node_bench.sh): `hc-bench bounds/` prints them as JSON
// lines, measured in the same run as the figure they judge.
#include "bench.h"
#include "bounds.h"

#include <algorithm>

HC_BENCHMARK("bounds/ed25519 verify, 2 threads") {
  // The faster of the two libraries hc may verify with (lib/crypto uses libsodium).
  double sodium = hc::bench::sodium_ed25519_verify_rate(2), botan = hc::bench::botan_ed25519_verify_rate(2);
  double best = std::max(sodium, botan);
  hc::bench::report("bounds/ed25519 verify, 2 threads", best, "verify/s", sodium >= botan ? "libsodium" : "Botan 2",
                    best, 0);
}

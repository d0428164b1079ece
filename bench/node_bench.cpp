// hc-node: committed throughput and finality latency of a 4-node consortium
// on this machine (real processes, loopback sockets; bench/node_bench.sh),
// against the bound the issue names: the two cores' Ed25519 verification rate
// divided by the node count (every node verifies every transaction once).
#include "bench.h"
#include "bounds.h"

#include <hc/json/json.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>

HC_BENCHMARK("node/consortium") {
  namespace fs = std::filesystem;
  fs::path self = fs::read_symlink("/proc/self/exe");
  fs::path bin = self.parent_path().parent_path() / "bin";
  fs::path script = fs::path(__FILE__).parent_path() / "node_bench.sh";
  if (!fs::exists(bin / "hc-node")) {
    std::fprintf(stderr, "node/consortium: %s/hc-node not built; skipped\n", bin.c_str());
    return;
  }
  double secs = std::max(1.0, hc::bench::seconds() * 5);
  std::string cmd = fmt::format("HC_BOUND_SECONDS={} bash '{}' '{}' {} 3000 1000", std::max(0.1, hc::bench::seconds()),
                                script.string(), bin.string(), secs);
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return;
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  if (::pclose(p) != 0 || out.empty()) {
    std::fprintf(stderr, "node/consortium: the run failed: %s\n", out.c_str());
    return;
  }
  auto v = hc::json::parse(out.substr(out.find('{')), "node_bench.sh");
  double tps = v.at("tx_per_s").get<double>();
  double bound = v.at("bound_tx_per_s").get<double>();  // measured by the script with hc-bench bounds/
  std::string note = fmt::format("{} tx, latency p50 {:.0f} ms p99 {:.0f} ms (block interval 1000 ms)",
                                 v.at("committed").get<uint64_t>(), v.at("latency_ms").at("p50").get<double>(),
                                 v.at("latency_ms").at("p99").get<double>());
  hc::bench::report("node/committed tx/s, 4 nodes on 2 cores", tps, "tx/s", "2-core Ed25519 verify / 4", bound, 0,
                    note);
}

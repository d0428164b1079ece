// hc-bench: runs the registered benchmarks (all, or those whose name
// contains an argument) and prints figure, bound and ratio.
#include "bench.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace hc::bench {

std::vector<Benchmark>& registry() {
  static std::vector<Benchmark> r;
  return r;
}

Register::Register(std::string name, std::function<void()> run) {
  registry().push_back({std::move(name), std::move(run)});
}

double seconds() {
  const char* s = std::getenv("HC_BENCH_SECONDS");
  double v = s ? std::atof(s) : 1.0;
  return v > 0 ? v : 1.0;
}

double rate(const std::function<size_t()>& op, double secs) {
  using clock = std::chrono::steady_clock;
  auto warm_end = clock::now() + std::chrono::duration<double>(secs / 10);
  while (clock::now() < warm_end) op();
  size_t count = 0;
  auto start = clock::now();
  auto end = start + std::chrono::duration<double>(secs);
  clock::time_point now;
  do {
    count += op();
    now = clock::now();
  } while (now < end);
  return static_cast<double>(count) / std::chrono::duration<double>(now - start).count();
}

void report(const std::string& name, double value, const std::string& unit, const std::string& bound_name,
            double bound, double target, const std::string& note) {
  double ratio = bound > 0 ? value / bound : 0;
  std::string verdict = target > 0 ? (ratio >= target ? "meets" : "BELOW") : "";
  fmt::print(stderr, "{:<44} {:>14.1f} {:<8} bound {:>14.1f} ({}) ratio {:.3f}{}{}\n", name, value, unit, bound,
             bound_name, ratio, target > 0 ? fmt::format(" target {:.2f} {}", target, verdict) : "",
             note.empty() ? "" : "  " + note);
  nlohmann::json j{{"name", name},   {"value", value}, {"unit", unit},          {"bound_name", bound_name},
                   {"bound", bound}, {"ratio", ratio}, {"target_ratio", target}};
  if (!note.empty()) j["note"] = note;
  fmt::print("{}\n", j.dump());
  std::fflush(stdout);
}

}  // namespace hc::bench

int main(int argc, char** argv) {
  int ran = 0;
  for (auto& b : hc::bench::registry()) {
    bool selected = argc < 2;
    for (int i = 1; i < argc; ++i)
      if (std::strstr(b.name.c_str(), argv[i])) selected = true;
    if (!selected) continue;
    b.run();
    ++ran;
  }
  if (ran == 0) {
    fmt::print(stderr, "hc-bench: no benchmark matches; available:\n");
    for (auto& b : hc::bench::registry()) fmt::print(stderr, "  {}\n", b.name);
    return 2;
  }
  return 0;
}

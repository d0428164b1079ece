// hc-bench: runs the registered benchmarks (all, or those whose name
// contains an argument) and prints figure, bound and ratio.
#include "bench.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
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

namespace {

std::atomic<Clock> g_clock{Clock::wall};

double now_seconds(Clock clock) {
  if (clock == Clock::wall)
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

UseClock::UseClock(Clock clock) : m_previous(g_clock.exchange(clock)) {}
UseClock::~UseClock() { g_clock.store(m_previous); }

double rate(const std::function<size_t()>& op, double secs) {
  const Clock clock = g_clock.load();
  // The clock is read once per batch, not per call: a thread's CPU clock is
  // a system call, slower than the shortest operations measured here. The
  // batch grows until about a hundred batches fill the measurement.
  auto run = [&](double span, size_t& count) {
    size_t calls = 0, batch = 1;
    count = 0;
    const double start = now_seconds(clock);
    double t = start;
    while (t - start < span) {
      for (size_t i = 0; i < batch; ++i) count += op();
      calls += batch;
      t = now_seconds(clock);
      double per_call = (t - start) / static_cast<double>(calls);
      if (per_call > 0) batch = std::max<size_t>(1, static_cast<size_t>(span / 100 / per_call));
    }
    return t - start;
  };
  size_t count = 0;
  run(secs / 10, count);  // warm-up
  double elapsed = run(secs, count);
  return static_cast<double>(count) / elapsed;
}

Paired paired(const std::function<size_t()>& op, const std::function<size_t()>& bound_op, double secs, int rounds) {
  std::vector<double> values, bounds, ratios;
  for (int r = 0; r < rounds; ++r) {
    double v = rate(op, secs / rounds / 2), b = rate(bound_op, secs / rounds / 2);
    values.push_back(v);
    bounds.push_back(b);
    ratios.push_back(b > 0 ? v / b : 0);
  }
  auto median = [](std::vector<double> x) {
    std::sort(x.begin(), x.end());
    size_t n = x.size();
    return n == 0 ? 0.0 : n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
  };
  return {median(values), median(bounds), median(ratios)};
}

namespace {

void print(const std::string& name, double value, const std::string& unit, const std::string& bound_name,
           double bound, double ratio, double target, const std::string& note) {
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

}  // namespace

void report(const std::string& name, double value, const std::string& unit, const std::string& bound_name,
            double bound, double target, const std::string& note) {
  print(name, value, unit, bound_name, bound, bound > 0 ? value / bound : 0, target, note);
}

void report(const std::string& name, const Paired& figure, const std::string& unit, const std::string& bound_name,
            double target, const std::string& note) {
  print(name, figure.value, unit, bound_name, figure.bound, figure.ratio, target, note);
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

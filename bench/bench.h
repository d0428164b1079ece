// The benchmark driver: every figure is printed with the bound it is judged
// against, measured in the same run on the same cores, and their ratio, as
// text for people (stderr) and JSON Lines for tracking (stdout).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace hc::bench {

/// One benchmark: runs and reports through report().
struct Benchmark {
  std::string name;
  std::function<void()> run;
};

/// Registers a benchmark at static-initialisation time.
struct Register {
  Register(std::string name, std::function<void()> run);
};
std::vector<Benchmark>& registry();

/// Runs `op` repeatedly for at least `seconds` (after a short warm-up) and
/// returns operations per second; `op` returns how many operations it did.
/// Time is read with the clock that UseClock selects (wall by default).
double rate(const std::function<size_t()>& op, double seconds = 1.0);

/// A figure and its bound measured in turns: `rounds` rounds, each timing
/// `op` and then `bound_op` for seconds/rounds/2 each. On a shared machine
/// the speed of a core drifts over a run (other guests, frequency); in turns
/// the two see the same machine, and the medians drop rounds where either
/// was disturbed. `ratio` is the median of the rounds' ratios.
struct Paired {
  double value, bound, ratio;
};
Paired paired(const std::function<size_t()>& op, const std::function<size_t()>& bound_op, double seconds = 1.0,
              int rounds = 10);

/// The clock rate() measures with. `wall` counts everything, waiting for
/// I/O and for a core included; `thread_cpu` counts only the CPU time of
/// the thread that runs the operation, so that on a shared machine the
/// time other processes hold its core is not charged to it: the figure is
/// work per core-second, for CPU-bound work whose bound is measured the
/// same way.
enum class Clock { wall, thread_cpu };
/// Selects the clock of every rate() (on any thread) while it lives.
class UseClock {
 public:
  explicit UseClock(Clock clock);
  ~UseClock();
  UseClock(const UseClock&) = delete;
  UseClock& operator=(const UseClock&) = delete;

 private:
  Clock m_previous;
};

/// Prints one figure: `value` in `unit`, against `bound` (same unit), and the
/// ratio value/bound; `target` is the ratio the issue asks for (0 = none).
/// The Paired form prints the median of the rounds' ratios.
void report(const std::string& name, double value, const std::string& unit, const std::string& bound_name,
            double bound, double target = 0, const std::string& note = "");
void report(const std::string& name, const Paired& figure, const std::string& unit, const std::string& bound_name,
            double target = 0, const std::string& note = "");

/// Seconds to spend per measurement (HC_BENCH_SECONDS, default 1).
double seconds();

}  // namespace hc::bench

#define HC_BENCH_CONCAT2(a, b) a##b
#define HC_BENCH_CONCAT(a, b) HC_BENCH_CONCAT2(a, b)
/// HC_BENCHMARK("name") { ... } defines and registers a benchmark.
#define HC_BENCHMARK(name)                                                                 \
  static void HC_BENCH_CONCAT(hc_bench_fn_, __LINE__)();                                  \
  static ::hc::bench::Register HC_BENCH_CONCAT(hc_bench_reg_, __LINE__)(name,              \
                                                                        &HC_BENCH_CONCAT(hc_bench_fn_, __LINE__)); \
  static void HC_BENCH_CONCAT(hc_bench_fn_, __LINE__)()

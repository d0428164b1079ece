// The e-Health board, simulated: plausible vitals and waveforms for all ten
// sensors in either dialect, with optional injected faults, paced at a baud
// rate to a pseudo-terminal or written to a file descriptor.
#pragma once

#include <hc/sensor/reading.h>

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace hc::sensor {

/// Faults the simulator can inject, each deterministic (every Nth line).
enum class Fault : uint8_t { checksum, garbage, overlong, baud, split };
/// Parses "checksum", "garbage", "overlong", "baud", "split". Throws Error{usage}.
Fault parse_fault(const std::string& name);

struct SimOptions {
  Dialect dialect = Dialect::hc;
  std::vector<Kind> sensors;          ///< empty = all ten
  double ecg_rate = 250, emg_rate = 250, airflow_rate = 50;  ///< Hz
  size_t samples_per_line = 25;       ///< hc dialect waveform lines
  int64_t vitals_ms = 1000;           ///< one reading per vital sensor this often
  int64_t dump_ms = 10000;            ///< BP and glucometer dumps this often
  bool rpi = false;                   ///< e-Health: Raspberry Pi forms (6-decimal floats)
  std::vector<Fault> faults;          ///< injected in turn ...
  uint64_t fault_every = 0;           ///< ... on every Nth line (0 = none)
  uint64_t seed = 1;
};

/// Generates lines (each ending in "\r\n") in device time.
class Generator {
 public:
  explicit Generator(SimOptions opt);
  /// Appends every line due up to device time `t_ms` to `out`; returns how
  /// many lines were appended. `split_at` (if not null) receives offsets of
  /// "split" faults: the writer pauses there.
  size_t until(int64_t t_ms, std::string& out, std::vector<size_t>* split_at = nullptr);
  uint64_t lines() const { return m_lines; }
  /// Generates no more than `n` lines in all (0 = no limit).
  void set_max_lines(uint64_t n) { m_max = n; }
  uint64_t faults() const { return m_faults; }

 private:
  void line(std::string text, std::string& out, std::vector<size_t>* split_at);
  void vitals(int64_t t, std::string& out, std::vector<size_t>* split_at);
  void dump(int64_t t, std::string& out, std::vector<size_t>* split_at);
  double wave(Kind k, int64_t sample_index, double rate);
  bool wants(Kind k) const;
  std::string hc_line(Reading r);

  SimOptions m_opt;
  std::mt19937_64 m_rng;
  uint64_t m_lines = 0, m_faults = 0, m_fault_turn = 0, m_max = 0;
  uint32_t m_seq = 0;
  int64_t m_next_vitals = 0, m_next_dump = 0;
  int64_t m_wave_index[3] = {0, 0, 0};
  double m_hr = 72, m_spo2 = 97.5, m_temp = 36.6, m_gsr = 2.3;
  int m_position = 1;
};

/// Where the simulator writes and how fast.
struct SimRun {
  unsigned baud = 115200;      ///< pacing: baud/10 bytes per second (0 = unpaced)
  double duration = 0;         ///< seconds of device time (0 = until lines or a signal)
  uint64_t max_lines = 0;      ///< stop after this many lines (0 = no limit)
  bool flood = false;          ///< generate as fast as the line carries (benchmarks)
  uint64_t unplug_after = 0;   ///< close the pty after this many lines ...
  double replug_after = 1.0;   ///< ... and open a new one this many seconds later
  std::string link;            ///< keep a symlink to the current pty here
  int stop_fd = -1;            ///< readable = stop (signal pipe)
  /// Called with each new pty path (print it); nullptr = write to `out_fd`.
  std::function<void(const std::string&)> on_pty;
  int out_fd = 1;
  bool wait_reader = true;     ///< pty: start writing once a reader has it open
};

struct SimStats {
  uint64_t lines = 0, bytes = 0, faults = 0, unplugs = 0;
};

/// Runs the simulator until done or stopped. Throws Error{io} if writing fails.
SimStats run_sim(Generator& gen, const SimRun& run);

}  // namespace hc::sensor

// Sensor capture: parse throughput (both dialects, and the whole file path
// to FHIR as `hc-sensor-read --port FILE` runs it) against a plain memchr
// line split and SHA-256 of the same bytes; and zero-loss capture over a
// real pty at 115200 and 921600 baud with the reader's CPU use.
// HC_SENSOR_PTY_SECONDS sets each pty run (default 60 s).
#include "bench.h"
#include "bounds.h"

#include <hc/sensor/capture.h>
#include <hc/sensor/parse.h>
#include <hc/sensor/sim.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

namespace {

using namespace hc::sensor;

std::string stream(Dialect d, size_t bytes) {
  SimOptions o;
  o.dialect = d;
  o.dump_ms = 5000;
  if (d == Dialect::ehealth) o.ecg_rate = o.emg_rate = 50, o.airflow_rate = 25;
  Generator g(o);
  std::string out;
  int64_t t = 0;
  while (out.size() < bytes) g.until(t += 1000, out);
  return out;
}

size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

/// The bound: splitting the same bytes into lines with memchr, nothing else.
double memchr_split_bytes_per_second(const std::string& text) {
  volatile size_t sink = 0;
  double per_s = hc::bench::rate(
      [&]() -> size_t {
        const char* p = text.data();
        const char* end = p + text.size();
        size_t n = 0;
        while (const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) {
          n += static_cast<size_t>(nl - p);
          p = nl + 1;
        }
        sink = sink + n;
        return 1;
      },
      hc::bench::seconds());
  return per_s * static_cast<double>(text.size());
}

void parse_bench(Dialect d, const char* name) {
  std::string text = stream(d, 4u << 20);
  size_t lines = count_lines(text);
  double per_s = hc::bench::rate(
      [&]() -> size_t {
        Decoder dec;
        LineSplitter sp;
        std::vector<Reading> out;
        size_t readings = 0;
        sp.feed(
            text,
            [&](std::string_view l) {
              out.clear();
              dec.decode(l, 0, out);
              readings += out.size();
            },
            [] {});
        return readings > 0;
      },
      hc::bench::seconds());
  double bps = per_s * static_cast<double>(text.size());
  double split = memchr_split_bytes_per_second(text);
  hc::bench::report(fmt::format("sensor/parse {} (split+decode)", name), bps / 1e6, "MB/s", "memchr line split",
                    split / 1e6, 0,
                    fmt::format("{:.0f} lines/s; SHA-256 {:.0f} MB/s", per_s * static_cast<double>(lines),
                                hc::bench::sha256_bytes_per_second(1 << 20) / 1e6));
}

}  // namespace

HC_BENCHMARK("sensor/parse") {
  parse_bench(Dialect::hc, "hc protocol");
  parse_bench(Dialect::ehealth, "e-Health text");
}

HC_BENCHMARK("sensor/file") {
  // hc-sensor-read --port FILE: read, split, decode, map to FHIR, serialise.
  for (auto d : {Dialect::hc, Dialect::ehealth}) {
    std::string text = stream(d, 8u << 20);
    char path[] = "/tmp/hc-sensor-bench.XXXXXX";
    int fd = ::mkstemp(path);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::abort();
    ::close(fd);
    CaptureOptions o;
    o.port = path;
    o.fhir.patient = "0123456789abcdef";
    o.fhir.device = "bench";
    o.fhir.sample_rate = 50;
    size_t out_bytes = 0;
    auto start = std::chrono::steady_clock::now();
    auto st = capture(o, [&](std::string_view s) { out_bytes += s.size(); });
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ::unlink(path);
    double mbps = static_cast<double>(text.size()) / secs / 1e6;
    hc::bench::report(fmt::format("sensor/file {} to FHIR", d == Dialect::hc ? "hc protocol" : "e-Health text"), mbps,
                      "MB/s", "SHA-256 of same bytes", hc::bench::sha256_bytes_per_second(1 << 20) / 1e6, 0,
                      fmt::format("{:.0f} lines/s, {} observations, {:.1f} MB JSON out",
                                  static_cast<double>(st.lines) / secs, st.outputs,
                                  static_cast<double>(out_bytes) / 1e6));
  }
}

HC_BENCHMARK("sensor/pty") {
  const char* env = std::getenv("HC_SENSOR_PTY_SECONDS");
  double secs = env ? std::atof(env) : 60.0;
  for (unsigned baud : {115200u, 921600u}) {
    int sim_stop[2], read_stop[2];
    if (::pipe(sim_stop) != 0 || ::pipe(read_stop) != 0) std::abort();
    std::promise<std::string> path_promise;
    auto path_future = path_promise.get_future();
    SimOptions so;
    Generator gen(so);
    SimRun run;
    run.baud = baud;
    run.flood = true;  // as many lines as the line carries
    run.duration = 1e9;
    run.stop_fd = sim_stop[0];
    run.on_pty = [&](const std::string& p) { path_promise.set_value(p); };
    SimStats sent;
    std::thread sim([&] { sent = run_sim(gen, run); });

    CaptureOptions co;
    co.port = path_future.get();
    co.serial.baud = baud;
    co.fhir.patient = "0123456789abcdef";
    co.fhir.device = "bench";
    co.stop_fd = read_stop[0];
    CaptureStats got;
    double cpu = 0;
    std::thread reader([&] {
      auto cpu_of = [] {
        struct rusage ru {};
        ::getrusage(RUSAGE_THREAD, &ru);
        return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
      };
      double c0 = cpu_of();
      got = capture(co, [](std::string_view) {});
      cpu = cpu_of() - c0;
    });
    std::this_thread::sleep_for(std::chrono::duration<double>(secs));
    (void)!::write(sim_stop[1], "x", 1);  // the simulator drains the pty, then closes it
    sim.join();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    (void)!::write(read_stop[1], "x", 1);
    reader.join();
    for (int f : {sim_stop[0], sim_stop[1], read_stop[0], read_stop[1]}) ::close(f);
    uint64_t lost = sent.lines - std::min(sent.lines, got.readings);
    hc::bench::report(fmt::format("sensor/pty {} baud: lines received", baud), static_cast<double>(got.readings),
                      "lines", "lines sent", static_cast<double>(sent.lines), 1.0,
                      fmt::format("{:.0f} s; lost {} (sequence gaps {}), checksum errors {}, {:.0f} B/s of {:.0f}",
                                  secs, lost, got.seq_gaps, got.checksum,
                                  static_cast<double>(got.bytes) / got.seconds, baud / 10.0));
    if (baud == 115200)
      hc::bench::report("sensor/pty 115200 baud: reader CPU", 100.0 * cpu / got.seconds, "% core",
                        "budget 2% of a core", 2.0, 0, "ratio <= 1 is within the issue's budget");
  }
}

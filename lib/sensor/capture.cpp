#include <hc/sensor/capture.h>

#include <hc/core/error.h>
#include <hc/sensor/parse.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <poll.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

namespace hc::sensor {
namespace {

using clock = std::chrono::steady_clock;

double since(clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); }

bool stop_now(int fd, int timeout_ms) {
  if (fd < 0) {
    if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    return false;
  }
  struct pollfd p {fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) > 0 && (p.revents & (POLLIN | POLLHUP)) != 0;
}

}  // namespace

json::Value raw_json(const Reading& r) {
  json::Value v{{"sensor", kind_name(r.kind)},
                {"dialect", r.dialect == Dialect::hc ? "hc" : "e-health"},
                {"time", r.device_time.empty() ? rfc3339_ms(r.host_ms) : r.device_time},
                {"unit", kind_unit(r.kind)}};
  if (r.seq) v["seq"] = *r.seq;
  if (r.device_ms) v["device_ms"] = *r.device_ms;
  auto arr = [](const std::vector<double>& xs) {
    json::Value a = json::Value::array();
    for (double x : xs) {
      if (x == std::floor(x) && std::fabs(x) < 1e15) a.push_back(static_cast<int64_t>(x));
      else a.push_back(x);
    }
    return a;
  };
  if (is_waveform(r.kind)) {
    v["samples"] = arr(r.samples);
    if (r.rate_hz > 0) v["rate_hz"] = r.rate_hz;
  } else {
    v["values"] = arr(r.values);
  }
  return v;
}

json::Value CaptureStats::to_json() const {
  return json::Value{{"type", "hc-sensor-read-stats"},
                     {"bytes", bytes},
                     {"lines", lines},
                     {"readings", readings},
                     {"outputs", outputs},
                     {"filtered", filtered},
                     {"empty", empty},
                     {"recognised", recognised},
                     {"checksum_errors", checksum},
                     {"malformed", malformed},
                     {"unknown", unknown},
                     {"noise", noise},
                     {"overlong", overlong},
                     {"partial", partial},
                     {"lost", seq_gaps},
                     {"reconnects", reconnects},
                     {"signal", stopped_by_signal},
                     {"gave_up", gave_up},
                     {"seconds", std::round(seconds * 1000) / 1000}};
}

std::string CaptureStats::summary() const {
  std::string s = fmt::format("{} lines, {} readings, {} outputs", lines, readings, outputs);
  std::vector<std::string> faults;
  auto add = [&](uint64_t n, const char* what) {
    if (n) faults.push_back(fmt::format("{} {}", n, what));
  };
  add(checksum, "checksum errors");
  add(malformed, "malformed");
  add(unknown, "unknown");
  add(noise, "noise");
  add(overlong, "over-long");
  add(partial, "partial");
  add(seq_gaps, "lost (sequence gaps)");
  add(reconnects, "reconnects");
  if (!faults.empty()) {
    s += "; ";
    for (size_t i = 0; i < faults.size(); ++i) s += (i ? ", " : "") + faults[i];
  }
  return s;
}

CaptureStats capture(const CaptureOptions& opt, const std::function<void(std::string_view)>& write) {
  CaptureStats st;
  auto start = clock::now();
  auto warn = [&](const std::string& m) {
    if (opt.warn) opt.warn(m);
  };
  auto port = std::make_unique<SerialPort>(opt.port, opt.serial);
  std::string name = opt.port == "-" ? "<stdin>" : opt.port;
  Decoder decoder;
  LineSplitter splitter;
  Mapper mapper(opt.fhir);
  std::vector<Reading> readings;
  std::vector<Emitted> emitted;
  std::string out;
  uint64_t reports[8] = {};
  bool done = false;
  std::vector<char> buf(1 << 16);

  auto wanted = [&](Kind k) {
    return opt.sensors.empty() || std::find(opt.sensors.begin(), opt.sensors.end(), k) != opt.sensors.end();
  };
  auto report = [&](LineStatus s, const std::string& why) {
    auto& n = reports[static_cast<size_t>(s)];
    ++n;
    if (n <= opt.max_reports)
      warn(fmt::format("{}:{}: {}: {}", name, st.lines, status_name(s), why));
    if (n == opt.max_reports + 1) warn(fmt::format("further {} lines are counted, not shown", status_name(s)));
  };
  bool full = false;  // --count reached
  auto put = [&](const json::Value& v) {
    if (full) return;
    out += json::dump(v, false);  // ends with "\n"
    ++st.outputs;
    if (opt.count && st.outputs >= opt.count) full = done = true;
  };
  auto drain = [&] {
    for (auto& e : emitted) {
      if (wanted(e.kind)) put(e.observation);
      else ++st.filtered;
    }
    emitted.clear();
  };
  auto on_line = [&](std::string_view line) {
    ++st.lines;
    readings.clear();
    std::string why;
    LineStatus s = decoder.decode(line, now_ms(), readings, &why);
    switch (s) {
      case LineStatus::reading: break;
      case LineStatus::recognised: ++st.recognised; break;
      case LineStatus::empty: ++st.empty; break;
      case LineStatus::checksum: ++st.checksum; report(s, why); break;
      case LineStatus::malformed: ++st.malformed; report(s, why); break;
      case LineStatus::unknown: ++st.unknown; report(s, why); break;
      case LineStatus::noise: ++st.noise; report(s, why); break;
    }
    for (auto& r : readings) {
      ++st.readings;
      if (opt.raw) {
        if (wanted(r.kind)) put(raw_json(r));
        else ++st.filtered;
      } else {
        // Airflow feeds the respiratory rate even when only "resp" is wanted.
        if (!wanted(r.kind) && !(r.kind == Kind::airflow && wanted(Kind::resp))) {
          ++st.filtered;
          continue;
        }
        mapper.add(r, emitted);
        drain();
      }
    }
  };
  auto on_overlong = [&] {
    ++st.lines;
    ++st.overlong;
    report(LineStatus::malformed, fmt::format("line longer than {} bytes dropped", k_max_line));
  };
  auto flush_out = [&] {
    if (!out.empty()) {
      write(out);
      out.clear();
    }
  };

  while (!done) {
    if (opt.duration > 0 && since(start) >= opt.duration) break;
    int timeout = 1000;
    if (opt.duration > 0)
      timeout = std::clamp(static_cast<int>((opt.duration - since(start)) * 1000) + 1, 1, 1000);
    struct pollfd p[2] = {{port->fd(), POLLIN, 0}, {opt.stop_fd, POLLIN, 0}};
    int r = ::poll(p, opt.stop_fd >= 0 ? 2 : 1, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw Error(Exit::io, fmt::format("poll failed: {}", std::strerror(errno)));
    }
    if (opt.stop_fd >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
      st.stopped_by_signal = true;
      break;
    }
    if (r == 0) continue;
    bool gone = false;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(port->fd(), buf.data(), buf.size());
      if (n > 0) {
        st.bytes += static_cast<uint64_t>(n);
        splitter.feed(std::string_view(buf.data(), static_cast<size_t>(n)), on_line, on_overlong);
        flush_out();
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (!port->is_tty()) {  // end of a file, a pipe or stdin
        if (n < 0) throw Error(Exit::io, fmt::format("read failed: {}", std::strerror(errno))).file(name);
        if (!splitter.partial().empty()) {  // a last line without a line end
          std::string last(splitter.partial());
          splitter.drop_partial();
          on_line(last);
        }
        break;
      }
      gone = true;  // EIO or hang-up: the device went away
    }
    if (!gone) continue;
    // Keep everything already read: finish what can be finished, drop only
    // the unfinished line (its end will never come).
    if (splitter.drop_partial()) {
      ++st.partial;
      warn(fmt::format("{}: an unfinished line was dropped", name));
    }
    if (!opt.raw) {
      mapper.flush(emitted);
      drain();
    }
    flush_out();
    port.reset();
    warn(fmt::format("{}: device disconnected; reconnecting", name));
    auto lost_at = clock::now();
    double wait = 0.1;
    while (!port) {
      if (opt.give_up > 0 && since(lost_at) >= opt.give_up) {
        st.gave_up = true;
        done = true;
        break;
      }
      if (stop_now(opt.stop_fd, static_cast<int>(wait * 1000))) {
        st.stopped_by_signal = true;
        done = true;
        break;
      }
      if (opt.duration > 0 && since(start) >= opt.duration) {
        done = true;
        break;
      }
      try {
        port = std::make_unique<SerialPort>(opt.port, opt.serial);
      } catch (const Error&) {
        wait = std::min(wait * 2, opt.backoff_max);
      }
    }
    if (port) {
      ++st.reconnects;
      warn(fmt::format("{}: reconnected after {:.1f} s", name, since(lost_at)));
    }
  }
  if (splitter.drop_partial()) ++st.partial;
  if (!opt.raw) {  // waveform samples already read leave as a last, shorter batch
    mapper.flush(emitted);
    drain();
  }
  flush_out();
  st.seq_gaps = decoder.seq_gaps();
  st.seconds = since(start);
  return st;
}

}  // namespace hc::sensor

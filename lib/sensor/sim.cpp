#include <hc/sensor/sim.h>

#include <hc/core/error.h>
#include <hc/sensor/parse.h>
#include <hc/sensor/serial.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <poll.h>
#include <unistd.h>

#include <fmt/format.h>

namespace hc::sensor {
namespace {

constexpr double k_pi = 3.14159265358979323846;

const char* position_text(int p) {
  switch (p) {
    case 1: return "Supine position";
    case 2: return "Left lateral decubitus";
    case 3: return "Rigth lateral decubitus";  // sic: as the e-Health library prints it
    case 4: return "Prone position";
    default: return "Stand or sit position";
  }
}

const char* month_name(int m) {
  static const char* names[] = {"January", "February", "March",     "April",   "May",      "June",
                                "July",    "August",   "September", "October", "November", "December"};
  return names[(m - 1) % 12];
}

double gauss(double x, double mu, double sigma) { return std::exp(-0.5 * (x - mu) * (x - mu) / (sigma * sigma)); }

bool stop_requested(int fd, int timeout_ms) {
  if (fd < 0) {
    if (timeout_ms > 0) ::usleep(static_cast<useconds_t>(timeout_ms) * 1000);
    return false;
  }
  struct pollfd p {fd, POLLIN, 0};
  int r = ::poll(&p, 1, timeout_ms);
  return r > 0 && (p.revents & (POLLIN | POLLHUP)) != 0;
}

}  // namespace

Fault parse_fault(const std::string& name) {
  if (name == "checksum") return Fault::checksum;
  if (name == "garbage") return Fault::garbage;
  if (name == "overlong") return Fault::overlong;
  if (name == "baud") return Fault::baud;
  if (name == "split") return Fault::split;
  throw Error(Exit::usage, "unknown fault \"" + name + "\"").hint("faults: checksum, garbage, overlong, baud, split");
}

Generator::Generator(SimOptions opt) : m_opt(std::move(opt)), m_rng(m_opt.seed) {}

bool Generator::wants(Kind k) const {
  return m_opt.sensors.empty() || std::find(m_opt.sensors.begin(), m_opt.sensors.end(), k) != m_opt.sensors.end();
}

std::string Generator::hc_line(Reading r) {
  if (m_max && m_lines >= m_max) return {};  // line() drops it: keep the sequence unbroken
  r.seq = m_seq++;
  return format_hc_line(r);
}

void Generator::line(std::string text, std::string& out, std::vector<size_t>* split_at) {
  if (m_max && m_lines >= m_max) return;
  ++m_lines;
  bool fault = m_opt.fault_every > 0 && !m_opt.faults.empty() && m_lines % m_opt.fault_every == 0;
  if (!fault) {
    out += text;
    out += "\r\n";
    return;
  }
  ++m_faults;
  Fault f = m_opt.faults[m_fault_turn++ % m_opt.faults.size()];
  std::uniform_int_distribution<int> byte(0, 255);
  switch (f) {
    case Fault::checksum: {
      // Corruption on the wire: one character of the line changes. The
      // e-Health dialect has no checksum, so the line becomes unreadable.
      if (m_opt.dialect == Dialect::hc) {
        size_t star = text.rfind('*');
        size_t at = star > 6 ? star - 1 - (m_faults % (star - 6)) : 1;
        text[at] = text[at] == '7' ? '8' : '7';
      } else {
        text = "Tem\x7f" "erature";
      }
      out += text;
      out += "\r\n";
      return;
    }
    case Fault::garbage:
      out += "#!@ garbage on the line %% ";
      out += std::to_string(m_faults);
      out += "\r\n";
      break;
    case Fault::overlong:
      out += std::string(k_max_line + 200, 'A');
      out += "\r\n";
      break;
    case Fault::baud: {
      // What a reader at the wrong baud rate sees: high bytes and control codes.
      for (int i = 0; i < 24; ++i) {
        int b = byte(m_rng) | 0x80;
        out += static_cast<char>(b == 0x8a || b == 0x8d ? 0xfe : b);
      }
      out += "\r\n";
      break;
    }
    case Fault::split:
      // The line leaves in two writes with a pause between: a partial read.
      if (split_at) split_at->push_back(out.size() + text.size() / 2);
      break;
  }
  out += text;
  out += "\r\n";
}

double Generator::wave(Kind k, int64_t i, double rate) {
  double t = static_cast<double>(i) / rate;
  std::normal_distribution<double> noise(0, 1);
  if (k == Kind::ecg) {
    double ph = std::fmod(t * m_hr / 60.0, 1.0);
    double mv = 0.15 * gauss(ph, 0.2, 0.025) - 0.1 * gauss(ph, 0.35, 0.01) + 1.2 * gauss(ph, 0.375, 0.012) -
                0.25 * gauss(ph, 0.4, 0.012) + 0.3 * gauss(ph, 0.6, 0.05);
    return mv + 0.01 * noise(m_rng);
  }
  if (k == Kind::emg) {
    double env = 20 + 180 * std::pow(std::max(0.0, std::sin(2 * k_pi * t / 4.0)), 4);
    return std::clamp(std::round(512 + env * noise(m_rng)), 0.0, 1023.0);
  }
  return std::clamp(std::round(512 + 180 * std::sin(2 * k_pi * t * 15.0 / 60.0) + 4 * noise(m_rng)), 0.0, 1023.0);
}

void Generator::vitals(int64_t t, std::string& out, std::vector<size_t>* split_at) {
  std::normal_distribution<double> step(0, 1);
  m_hr = std::clamp(m_hr + 0.8 * step(m_rng), 55.0, 95.0);
  m_spo2 = std::clamp(m_spo2 + 0.3 * step(m_rng), 94.0, 99.0);
  m_temp = std::clamp(m_temp + 0.02 * step(m_rng), 36.2, 37.1);
  m_gsr = std::clamp(m_gsr + 0.05 * step(m_rng), 0.5, 10.0);
  if (std::uniform_int_distribution<int>(0, 9)(m_rng) == 0) m_position = m_position % 5 + 1;
  double hr = std::round(m_hr), spo2 = std::round(m_spo2);
  auto device = static_cast<uint64_t>(t);
  if (m_opt.dialect == Dialect::hc) {
    auto emit = [&](Kind k, std::vector<double> v) {
      if (!wants(k)) return;
      Reading r;
      r.kind = k;
      r.values = std::move(v);
      r.device_ms = device;
      line(hc_line(r), out, split_at);
    };
    emit(Kind::pulse, {hr});
    emit(Kind::spo2, {spo2});
    emit(Kind::temp, {std::round(m_temp * 100) / 100});
    emit(Kind::gsr, {std::round(m_gsr * 100) / 100});
    emit(Kind::position, {static_cast<double>(m_position)});
    return;
  }
  bool rpi = m_opt.rpi;
  if (wants(Kind::pulse) || wants(Kind::spo2)) {
    line(fmt::format("PRbpm : {}    %SPo2 : {}", hr, spo2), out, split_at);
    line("=============================", out, split_at);
  }
  if (wants(Kind::temp))
    line(rpi ? fmt::format("Temperature : {:.6f}", m_temp) : fmt::format("Temperature (\u00baC): {:.2f}", m_temp),
         out, split_at);
  if (wants(Kind::gsr)) {
    double res = 1e6 / m_gsr, volt = m_gsr * 0.1;
    int d = rpi ? 6 : 2;
    line(fmt::format("Conductance : {:.{}f}", m_gsr, d), out, split_at);
    line(fmt::format("Resistance : {:.{}f}", res, d), out, split_at);
    line(fmt::format("Conductance Voltage : {:.{}f}", volt, d), out, split_at);
  }
  if (wants(Kind::position)) line(fmt::format("Current position : {}", position_text(m_position)), out, split_at);
}

void Generator::dump(int64_t t, std::string& out, std::vector<size_t>* split_at) {
  std::normal_distribution<double> n(0, 1);
  double sys = std::round(118 + 6 * n(m_rng)), dia = std::round(77 + 4 * n(m_rng)), pul = std::round(m_hr);
  double glu = std::round(96 + 8 * n(m_rng));
  auto device = static_cast<uint64_t>(t);
  if (m_opt.dialect == Dialect::hc) {
    Reading r;
    r.device_ms = device;
    if (wants(Kind::bp)) {
      r.kind = Kind::bp;
      r.values = {sys, dia};
      line(hc_line(r), out, split_at);
      r.kind = Kind::pulse;
      r.values = {pul};
      if (wants(Kind::pulse)) line(hc_line(r), out, split_at);
    }
    if (wants(Kind::glucose)) {
      r.kind = Kind::glucose;
      r.values = {glu};
      line(hc_line(r), out, split_at);
    }
    return;
  }
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  std::string date = fmt::format("Date -> {} of {} of {} at {:02}:{:02}", tm.tm_mday, month_name(tm.tm_mon + 1),
                                 tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
  if (wants(Kind::bp)) {
    line("Number of measures : 1", out, split_at);
    line("Measure number 1", out, split_at);
    line(date, out, split_at);
    line(fmt::format("Systolic value : {} mmHg", sys), out, split_at);
    line(fmt::format("Diastolic value : {} mmHg", dia), out, split_at);
    line(fmt::format("Pulse value : {} bpm", pul), out, split_at);
  }
  if (wants(Kind::glucose)) {
    line("Number of measures : 1", out, split_at);
    line("Measure number 1", out, split_at);
    line(date, out, split_at);
    line(fmt::format("Glucose value : {} mg/dL", glu), out, split_at);
  }
}

size_t Generator::until(int64_t t_ms, std::string& out, std::vector<size_t>* split_at) {
  uint64_t before = m_lines;
  const Kind waves[3] = {Kind::ecg, Kind::emg, Kind::airflow};
  const double rates[3] = {m_opt.ecg_rate, m_opt.emg_rate, m_opt.airflow_rate};
  for (;;) {
    if (m_max && m_lines >= m_max) break;
    // The next event in device time: a vitals tick, a dump, or a waveform line.
    int64_t next = std::numeric_limits<int64_t>::max();
    int which = -1;
    if (m_opt.vitals_ms > 0 && m_next_vitals < next) next = m_next_vitals, which = 3;
    if (m_opt.dump_ms > 0 && m_next_dump < next) next = m_next_dump, which = 4;
    for (int w = 0; w < 3; ++w) {
      if (!wants(waves[w]) || rates[w] <= 0) continue;
      size_t per = m_opt.dialect == Dialect::hc ? m_opt.samples_per_line : 1;
      auto due = static_cast<int64_t>(std::ceil(static_cast<double>(m_wave_index[w] + static_cast<int64_t>(per)) *
                                                1000.0 / rates[w]));
      if (due < next) next = due, which = w;
    }
    if (which < 0 || next > t_ms) break;
    if (which == 3) {
      vitals(next, out, split_at);
      m_next_vitals += m_opt.vitals_ms;
    } else if (which == 4) {
      if (next > 0) dump(next, out, split_at);
      m_next_dump += m_opt.dump_ms;
    } else {
      Kind k = waves[which];
      double rate = rates[which];
      if (m_opt.dialect == Dialect::hc) {
        Reading r;
        r.kind = k;
        r.rate_hz = rate;
        r.device_ms = static_cast<uint64_t>(next);
        for (size_t i = 0; i < m_opt.samples_per_line; ++i) {
          double v = wave(k, m_wave_index[which]++, rate);
          r.samples.push_back(k == Kind::ecg ? std::round(v * 1000) / 1000 : v);
        }
        line(hc_line(r), out, split_at);
      } else {
        double v = wave(k, m_wave_index[which]++, rate);
        if (k == Kind::ecg)
          line(fmt::format("ECG value :  {:.{}f} V", 1.2 + 0.6 * v, m_opt.rpi ? 6 : 2), out, split_at);
        else if (k == Kind::emg)
          line(fmt::format("EMG value :  {}", v), out, split_at);
        else
          line(fmt::format("The Airflow Value is {}", v), out, split_at);
      }
    }
  }
  return static_cast<size_t>(m_lines - before);
}

SimStats run_sim(Generator& gen, const SimRun& run) {
  using clock = std::chrono::steady_clock;
  SimStats st;
  std::unique_ptr<Pty> pty;
  auto relink = [&](const std::string& target) {
    if (run.link.empty()) return;
    std::string tmp = run.link + ".tmp";
    ::unlink(tmp.c_str());
    if (::symlink(target.c_str(), tmp.c_str()) != 0 || ::rename(tmp.c_str(), run.link.c_str()) != 0)
      throw Error(Exit::cant_create, fmt::format("cannot link {}: {}", run.link, std::strerror(errno)));
  };
  auto open_pty = [&]() -> bool {
    pty = std::make_unique<Pty>(run.baud ? run.baud : 115200);
    relink(pty->slave_path());
    run.on_pty(pty->slave_path());
    while (run.wait_reader && !pty->reader_attached())
      if (stop_requested(run.stop_fd, 10)) return false;
    return true;
  };
  if (run.on_pty && !open_pty()) return st;
  int fd = pty ? pty->master() : run.out_fd;

  std::string pending;
  std::deque<uint64_t> splits;  // absolute offsets where a write pauses
  uint64_t written = 0;         // absolute offset of pending[0]
  std::vector<size_t> split_rel;
  auto start = clock::now();
  auto last = start;
  double tokens = 0;
  double bytes_per_ms = run.baud ? run.baud / 10.0 / 1000.0 : 0;
  int64_t virtual_ms = 0;
  bool unplugged_once = false;
  // Before an unplug, generation stops at the unplug point so the buffer
  // drains there; afterwards the overall limit applies.
  auto cap = [&]() -> uint64_t {
    if (run.unplug_after && !unplugged_once && pty && (!run.max_lines || run.unplug_after < run.max_lines))
      return run.unplug_after;
    return run.max_lines;
  };
  auto limit_reached = [&] {
    gen.set_max_lines(cap());
    return cap() && gen.lines() >= cap();
  };

  bool stopping = false;  // a signal: send what is generated, then stop
  for (;;) {
    auto now = clock::now();
    double dt = std::chrono::duration<double, std::milli>(now - last).count();
    last = now;
    int64_t elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - start).count();
    int64_t device_now = run.baud == 0 || run.flood ? virtual_ms : elapsed;
    bool time_up = run.duration > 0 && static_cast<double>(device_now) >= run.duration * 1000;
    // Generate.
    if (!stopping && !limit_reached() && !time_up) {
      split_rel.clear();
      size_t base = pending.size();
      if (run.flood) {
        size_t want = run.baud ? static_cast<size_t>(bytes_per_ms * 100) + 256 : 65536;
        while (pending.size() < want && !limit_reached()) {
          virtual_ms += 10;
          split_rel.clear();
          gen.until(virtual_ms, pending, &split_rel);  // offsets are into `pending`
          for (size_t s : split_rel) splits.push_back(written + s);
        }
        split_rel.clear();
      } else if (run.baud == 0) {
        // Unpaced: device time runs as fast as the output takes it.
        virtual_ms += 100;
        gen.until(virtual_ms, pending, &split_rel);
        split_rel.clear();  // nothing to pause for
      } else {
        std::string chunk;
        gen.until(elapsed, chunk, &split_rel);
        pending += chunk;
      }
      for (size_t s : split_rel) splits.push_back(written + base + s);
    }
    // Write, paced.
    if (!pending.empty()) {
      tokens = run.baud ? std::min(tokens + dt * bytes_per_ms, bytes_per_ms * 50 + 64) : 1e18;
      size_t n = std::min(pending.size(), static_cast<size_t>(tokens));
      bool pause = false;
      if (!splits.empty() && splits.front() < written + n) {
        n = static_cast<size_t>(splits.front() - written);
        splits.pop_front();
        pause = true;
      }
      if (n > 0) {
        ssize_t w = ::write(fd, pending.data(), n);
        if (w < 0 && errno != EINTR && errno != EAGAIN)
          throw Error(Exit::io, fmt::format("write failed: {}", std::strerror(errno)));
        if (w > 0) {
          pending.erase(0, static_cast<size_t>(w));
          written += static_cast<uint64_t>(w);
          st.bytes += static_cast<uint64_t>(w);
          tokens -= static_cast<double>(w);
        }
      }
      if (pause && stop_requested(run.stop_fd, 30)) stopping = true;
    }
    st.lines = gen.lines();
    bool finished = run.max_lines && gen.lines() >= run.max_lines;
    if (pending.empty() && (finished || time_up || stopping)) break;
    // Unplug: the device goes away mid-stream, then comes back on a new pty.
    if (pty && run.unplug_after && !unplugged_once && gen.lines() >= run.unplug_after && pending.empty()) {
      unplugged_once = true;
      pty->drain(15000);  // the last bytes reach the reader
      pty->close();
      if (!run.link.empty()) ::unlink(run.link.c_str());
      ++st.unplugs;
      if (stop_requested(run.stop_fd, static_cast<int>(run.replug_after * 1000))) break;
      if (!open_pty()) break;
      fd = pty->master();
      last = clock::now();
    }
    if (!stopping && stop_requested(run.stop_fd, run.baud == 0 ? 0 : pending.empty() ? 5 : 2)) stopping = true;
    else if (stopping && !pending.empty()) stop_requested(-1, 2);
  }
  st.lines = gen.lines();
  st.faults = gen.faults();
  if (pty) {
    pty->drain(15000);  // let the reader take the last bytes
    pty->close();
    if (!run.link.empty()) ::unlink(run.link.c_str());
  }
  return st;
}

}  // namespace hc::sensor

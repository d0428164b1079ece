// hc-sensor-sim: a simulated e-Health sensor board speaking either dialect on
// a pseudo-terminal or standard output (see hc-sensor-sim(1)).
#include "common/cli.h"

#include <hc/sensor/sim.h>
#include <hc/sensor/stop.h>

#include <fmt/format.h>

int main(int argc, char** argv) {
  CLI::App app{"Simulate the e-Health sensor board: plausible vitals and waveforms for all ten sensors, in the hc "
               "line protocol or the e-Health sketches' text, on a new pseudo-terminal or standard output."};
  hc::tool::setup(app, "hc-sensor-sim");
  hc::sensor::SimOptions g;
  hc::sensor::SimRun run;
  std::string dialect = "hc";
  std::vector<std::string> sensors, faults;
  bool pty = false, quiet = false, no_wait = false;
  double vitals_s = 1, dump_s = 10;
  app.add_flag("--pty", pty, "Create a pseudo-terminal and print its path (default: write to standard output)");
  app.add_option("--link", run.link, "With --pty: keep a symbolic link to the current pty at PATH");
  app.add_option("--dialect", dialect, "hc (default) or e-health")->check(CLI::IsMember({"hc", "e-health"}));
  app.add_flag("--rpi", g.rpi, "e-Health: the Raspberry Pi build's forms (6-decimal floats)");
  app.add_option("-s,--sensor", sensors, "Only these sensors (repeatable; default all ten)")->delimiter(',');
  app.add_option("-b,--baud", run.baud, "Pace output at this baud rate, 10 bits a byte (0 = unpaced; default 115200)");
  app.add_option("--ecg-rate", g.ecg_rate, "ECG samples per second (default 250; e-Health 50)");
  app.add_option("--emg-rate", g.emg_rate, "EMG samples per second (default 250; e-Health 50)");
  app.add_option("--airflow-rate", g.airflow_rate, "Airflow samples per second (default 50; e-Health 25)");
  app.add_option("--samples-per-line", g.samples_per_line, "hc dialect: samples per waveform line (default 25)")
      ->check(CLI::Range(1, 200));
  app.add_option("--vitals-interval", vitals_s, "Seconds between vital readings (default 1)")->check(CLI::PositiveNumber);
  app.add_option("--dump-interval", dump_s, "Seconds between BP/glucometer dumps (default 10)")->check(CLI::PositiveNumber);
  app.add_option("-d,--duration", run.duration, "Stop after S seconds");
  app.add_option("-n,--lines", run.max_lines, "Stop after N lines");
  app.add_flag("--flood", run.flood, "Send as fast as the baud rate allows (benchmarks)");
  app.add_option("--fault", faults, "Inject faults in turn: checksum garbage overlong baud split")->delimiter(',');
  app.add_option("--fault-every", g.fault_every, "Inject a fault on every Nth line (default 50 with --fault)");
  app.add_option("--unplug-after", run.unplug_after, "With --pty: close the pty after N lines, then open a new one");
  app.add_option("--replug-after", run.replug_after, "Seconds before the new pty appears (default 1)");
  app.add_flag("--no-wait", no_wait, "With --pty: start writing without waiting for a reader");
  app.add_option("--seed", g.seed, "Random seed (default 1)");
  app.add_flag("-q,--quiet", quiet, "Print nothing but data and errors");

  return hc::tool::run(app, argc, argv, [&]() -> int {
    hc::tool::set_quiet(quiet);
    bool ehealth = dialect == "e-health";
    g.dialect = ehealth ? hc::sensor::Dialect::ehealth : hc::sensor::Dialect::hc;
    if (ehealth) {  // one sample a line: the sketches' rates are low
      if (app.count("--ecg-rate") == 0) g.ecg_rate = 50;
      if (app.count("--emg-rate") == 0) g.emg_rate = 50;
      if (app.count("--airflow-rate") == 0) g.airflow_rate = 25;
    }
    g.vitals_ms = static_cast<int64_t>(vitals_s * 1000);
    g.dump_ms = static_cast<int64_t>(dump_s * 1000);
    for (auto& s : sensors) {
      auto k = hc::sensor::kind_from_name(s);
      if (!k || *k == hc::sensor::Kind::resp)
        throw hc::Error(hc::Exit::usage, "unknown sensor \"" + s + "\"").field("sensor");
      g.sensors.push_back(*k);
    }
    for (auto& f : faults) g.faults.push_back(hc::sensor::parse_fault(f));
    if (!g.faults.empty() && g.fault_every == 0) g.fault_every = 50;
    if (!pty && (run.unplug_after || !run.link.empty()))
      throw hc::Error(hc::Exit::usage, "--unplug-after and --link need --pty");
    run.wait_reader = !no_wait;
    run.stop_fd = hc::sensor::install_stop_signals();
    if (pty)
      run.on_pty = [](const std::string& path) {
        fmt::print("{}\n", path);
        std::fflush(stdout);
      };
    hc::sensor::Generator gen(g);
    auto st = hc::sensor::run_sim(gen, run);
    hc::tool::note(fmt::format("sent {} lines, {} bytes, {} faults, {} unplugs", st.lines, st.bytes, st.faults,
                               st.unplugs));
    return 0;
  });
}

// hc-sensor-read: capture an e-Health sensor board's serial stream as FHIR R4
// Observations, one JSON line each (see hc-sensor-read(1)).
#include "common/cli.h"

#include <hc/core/io.h>
#include <hc/keys/keys.h>
#include <hc/sensor/capture.h>
#include <hc/sensor/stop.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <unistd.h>

int main(int argc, char** argv) {
  CLI::App app{"Read e-Health sensor readings from a serial port (both the hc line protocol and the e-Health "
               "sketches' text) and print FHIR R4 Observations as JSON Lines."};
  hc::tool::setup(app, "hc-sensor-read");
  hc::sensor::CaptureOptions o;
  std::string patient, patient_key, format = "fhir", parity = "N", flow = "none", device;
  std::vector<std::string> sensors;
  bool stats = false, quiet = false;
  app.add_option("-p,--port", o.port, "Serial device or pty, a file, or - for standard input")->required();
  app.add_option("-b,--baud", o.serial.baud, "Baud rate (default 115200)");
  app.add_option("--data-bits", o.serial.data_bits, "Data bits, 5-8 (default 8)")->check(CLI::Range(5, 8));
  app.add_option("--parity", parity, "N, E or O (default N)")->check(CLI::IsMember({"N", "E", "O"}));
  app.add_option("--stop-bits", o.serial.stop_bits, "1 or 2 (default 1)")->check(CLI::IsMember({1, 2}));
  app.add_option("--flow", flow, "Flow control: none, rtscts, xonxoff")->check(CLI::IsMember({"none", "rtscts", "xonxoff"}));
  auto* pid = app.add_option("--patient", patient, "Patient public ID (hc-keygen id PATIENT.pub)");
  auto* pkey = app.add_option("--patient-key", patient_key, "Patient public key file; its key ID is the subject");
  pid->excludes(pkey);
  app.add_option("--format", format, "fhir (default) or raw")->check(CLI::IsMember({"fhir", "raw"}));
  app.add_option("--device", device, "Device text in each Observation (default: e-Health sensor platform on PORT)");
  app.add_option("-n,--count", o.count, "Stop after N outputs");
  app.add_option("-d,--duration", o.duration, "Stop after S seconds")->check(CLI::PositiveNumber);
  app.add_option("-s,--sensor", sensors, "Only these kinds (repeatable): pulse spo2 resp temp bp glucose gsr position ecg emg airflow")
      ->delimiter(',');
  app.add_option("--batch", o.fhir.batch, "Waveform samples per SampledData (default 250)")->check(CLI::Range(1, 100000));
  app.add_option("--sample-rate", o.fhir.sample_rate, "e-Health waveforms: sampling rate in Hz (default: measured)")
      ->check(CLI::Range(0.0, 10000.0));
  app.add_option("--backoff-max", o.backoff_max, "Longest wait between reconnection attempts, s (default 5)")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--give-up", o.give_up, "Fail if the port stays away this long, s (default: never)");
  app.add_flag("--stats", stats, "Print a JSON summary on standard error at the end");
  app.add_flag("-q,--quiet", quiet, "Print nothing but data and errors");

  return hc::tool::run(app, argc, argv, [&]() -> int {
    hc::tool::set_quiet(quiet);
    o.serial.parity = parity[0];
    o.serial.flow = hc::sensor::parse_flow(flow);
    o.raw = format == "raw";
    if (!patient_key.empty()) patient = hc::keys::load_public(patient_key).key_id;
    if (!o.raw) {
      if (patient.empty()) throw hc::Error(hc::Exit::usage, "FHIR output needs --patient ID or --patient-key FILE");
      hc::sensor::check_patient_id(patient);
    }
    o.fhir.patient = patient;
    o.fhir.device = device.empty() ? "e-Health sensor platform on " + (o.port == "-" ? "stdin" : o.port) : device;
    for (auto& s : sensors) {
      auto k = hc::sensor::kind_from_name(s);
      if (!k) throw hc::Error(hc::Exit::usage, "unknown sensor \"" + s + "\"").field("sensor");
      o.sensors.push_back(*k);
    }
    o.stop_fd = hc::sensor::install_stop_signals();
    o.warn = [](const std::string& m) { hc::tool::warn(m); };
    auto st = hc::sensor::capture(o, [](std::string_view data) {
      for (size_t off = 0; off < data.size();) {  // every chunk goes out at once: the pipe streams
        ssize_t n = ::write(1, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw hc::Error(hc::Exit::io, fmt::format("cannot write output: {}", std::strerror(errno)));
        off += static_cast<size_t>(n);
      }
    });
    if (stats) fmt::print(stderr, "{}\n", hc::json::dump(st.to_json(), false));
    hc::tool::note(st.summary());
    if (st.gave_up)
      throw hc::Error(hc::Exit::unavailable, fmt::format("{} did not come back within {} s", o.port, o.give_up))
          .file(o.port);
    return 0;
  });
}

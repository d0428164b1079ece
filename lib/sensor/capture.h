// hc-sensor-read's engine: read a port (reconnecting with backoff when it
// goes away), split and decode lines, map readings to Observations or raw
// JSON, count every fault, and stop cleanly on a count, a duration or a signal.
#pragma once

#include <hc/json/json.h>
#include <hc/sensor/fhir.h>
#include <hc/sensor/serial.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hc::sensor {

struct CaptureOptions {
  std::string port;               ///< device, pty, regular file, FIFO, or "-" (stdin)
  SerialConfig serial;
  bool raw = false;               ///< plain readings instead of FHIR
  FhirOptions fhir;
  uint64_t count = 0;             ///< stop after this many outputs (0 = no limit)
  double duration = 0;            ///< stop after this many seconds (0 = no limit)
  std::vector<Kind> sensors;      ///< output only these kinds (empty = all)
  double backoff_max = 5;         ///< reconnect: longest wait between attempts, seconds
  double give_up = 0;             ///< reconnect: give up after this many seconds (0 = never)
  int stop_fd = -1;               ///< readable = stop now (the tool's signal pipe)
  size_t max_reports = 10;        ///< fault messages per kind before going quiet
  std::function<void(const std::string&)> warn;  ///< messages for stderr
};

struct CaptureStats {
  uint64_t bytes = 0, lines = 0, readings = 0, outputs = 0, filtered = 0;
  uint64_t empty = 0, recognised = 0, checksum = 0, malformed = 0, unknown = 0, noise = 0, overlong = 0;
  uint64_t partial = 0, seq_gaps = 0, reconnects = 0;
  bool stopped_by_signal = false;
  bool gave_up = false;           ///< the port stayed away longer than give_up
  double seconds = 0;
  json::Value to_json() const;
  /// One line for people: "1200 lines, 1180 readings, 130 observations; 2 checksum errors, ...".
  std::string summary() const;
};

/// Runs a capture. `write` receives whole output lines (JSON + "\n"),
/// once per read chunk, and may throw (e.g. Error{io} on a closed pipe).
/// Throws Error{no_input}/{unavailable} if the port cannot be opened at the
/// start; when reconnecting gives up it returns with `gave_up` set.
CaptureStats capture(const CaptureOptions& opt, const std::function<void(std::string_view)>& write);

/// Plain JSON for one reading (--format raw).
json::Value raw_json(const Reading& r);

}  // namespace hc::sensor

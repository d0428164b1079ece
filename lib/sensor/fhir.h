// Sensor readings as FHIR R4 Observations following the vital-signs
// profiles: LOINC codes, UCUM units, SNOMED CT body positions, MDC 131328
// ECG waveforms as SampledData, and hc's local code system for the sensors
// that have no standard code (EMG, airflow, GSR). Out-of-range values are
// kept and flagged in `interpretation`.
#pragma once

#include <hc/json/json.h>
#include <hc/sensor/reading.h>

#include <array>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace hc::sensor {

/// hc's code system for sensors without a LOINC code (documented in hc-formats(5)).
inline constexpr const char* k_local_system = "urn:hc:fhir:CodeSystem:sensor";
inline constexpr const char* k_loinc = "http://loinc.org";
inline constexpr const char* k_ucum = "http://unitsofmeasure.org";
inline constexpr const char* k_snomed = "http://snomed.info/sct";
inline constexpr const char* k_mdc = "urn:oid:2.16.840.1.113883.6.24";

struct FhirOptions {
  std::string patient;        ///< patient public ID (key ID), required
  std::string device;         ///< device display text ("e-Health board on /dev/ttyUSB0")
  size_t batch = 250;         ///< samples per SampledData
  double sample_rate = 0;     ///< e-Health waveforms: Hz; 0 = estimate from arrival times
  bool derive_resp = true;    ///< respiratory rate from airflow
};

/// Checks a patient public ID (16 lower-case hex digits, as hc-keygen id
/// prints). Throws Error{usage}.
void check_patient_id(const std::string& id);

/// The Observation for one vital-sign reading (not a waveform).
json::Value observation(const Reading& r, const FhirOptions& opt);

/// The Observation for a run of waveform samples of one kind: `first_ms`
/// is the time of the first sample, `rate_hz` the sampling rate.
json::Value waveform_observation(Kind kind, const std::vector<double>& samples, double rate_hz, int64_t first_ms,
                                 const FhirOptions& opt);

/// Breath detection on the airflow signal: rising crossings of a running
/// baseline with hysteresis; the rate is taken over the last 60 s.
class BreathCounter {
 public:
  /// Feeds samples starting at `first_ms` at `rate_hz`. Returns breaths per
  /// minute once at least three breaths are in the window.
  std::optional<double> feed(const std::vector<double>& samples, double rate_hz, int64_t first_ms);

 private:
  bool m_init = false;
  double m_base = 0, m_amp = 0;
  bool m_high = false;
  std::deque<double> m_onsets;  // ms
};

/// One Observation and the sensor kind it came from.
struct Emitted {
  Kind kind;
  json::Value observation;
};

/// Turns a stream of readings into Observations: vitals at once, waveform
/// samples batched `batch` at a time per kind (a gap in the hc sequence
/// numbers or a rate change ends a batch early).
class Mapper {
 public:
  explicit Mapper(FhirOptions opt) : m_opt(std::move(opt)) {}
  void add(const Reading& r, std::vector<Emitted>& out);
  /// Emits what is left in the waveform batches.
  void flush(std::vector<Emitted>& out);

 private:
  struct Batch {
    std::vector<double> samples;
    std::vector<int64_t> arrivals;  // e-Health: host time per sample
    double rate = 0;
    int64_t first_ms = 0;
    std::optional<uint64_t> last_device_ms;
  };
  static bool continues(const Batch& b, const Reading& r);
  void emit(Kind kind, Batch& b, size_t count, std::vector<Emitted>& out);

  FhirOptions m_opt;
  std::array<Batch, k_kind_count> m_batches{};
  BreathCounter m_breaths;
  std::optional<int64_t> m_anchor;
  int64_t m_last_device = 0;
};

}  // namespace hc::sensor

// Sensor readings as hc understands them, whatever dialect they arrived in:
// the ten e-Health sensors plus the respiratory rate derived from airflow.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hc::sensor {

/// What was measured. Waveforms (ecg, emg, airflow) carry samples; the rest
/// carry one or two values.
enum class Kind : uint8_t { pulse, spo2, resp, temp, bp, glucose, gsr, position, ecg, emg, airflow };
inline constexpr int k_kind_count = 11;

/// The line dialect a reading came in.
enum class Dialect : uint8_t { hc, ehealth };

/// Lower-case name ("pulse", "spo2", ..., "airflow"), used by --sensor and raw output.
const char* kind_name(Kind k) noexcept;
/// The hc line protocol tag ("PULSE", ..., "AIR").
const char* kind_tag(Kind k) noexcept;
/// Kind from a name as kind_name() prints it; nullopt if unknown.
std::optional<Kind> kind_from_name(std::string_view name) noexcept;
/// Kind from an hc protocol tag; nullopt if unknown.
std::optional<Kind> kind_from_tag(std::string_view tag) noexcept;
bool is_waveform(Kind k) noexcept;
/// UCUM unit of the values (waveforms: of the samples).
const char* kind_unit(Kind k) noexcept;

/// Body positions, numbered as the e-Health library numbers them.
enum class Position : uint8_t { supine = 1, left_lateral = 2, right_lateral = 3, prone = 4, upright = 5 };

/// One reading. `values`: pulse/spo2/resp/temp/glucose/gsr one value in
/// kind_unit(); bp systolic and diastolic; position the Position number.
/// Waveforms: `samples` in kind_unit() and `rate_hz` (0 = not stated).
struct Reading {
  Kind kind = Kind::pulse;
  Dialect dialect = Dialect::hc;
  std::vector<double> values;
  std::vector<double> samples;
  double rate_hz = 0;
  int64_t host_ms = 0;                  ///< host clock (Unix ms) when the line ended
  std::optional<uint64_t> device_ms;    ///< device clock (hc protocol)
  std::optional<uint32_t> seq;          ///< sequence number (hc protocol)
  std::string device_time;              ///< RFC 3339 time from a device memory dump, or ""
};

/// Unix time in milliseconds now.
int64_t now_ms();
/// RFC 3339 UTC text with milliseconds ("2026-11-26T10:15:00.123Z").
std::string rfc3339_ms(int64_t unix_ms);

}  // namespace hc::sensor

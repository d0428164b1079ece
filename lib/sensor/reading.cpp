#include <hc/sensor/reading.h>

#include <array>
#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace hc::sensor {
namespace {

struct KindInfo {
  const char* name;
  const char* tag;
  const char* unit;
};
constexpr std::array<KindInfo, k_kind_count> k_kinds{{
    {"pulse", "PULSE", "/min"},
    {"spo2", "SPO2", "%"},
    {"resp", "RESP", "/min"},
    {"temp", "TEMP", "Cel"},
    {"bp", "BP", "mm[Hg]"},
    {"glucose", "GLU", "mg/dL"},
    {"gsr", "GSR", "uS"},
    {"position", "POS", "1"},
    {"ecg", "ECG", "mV"},
    {"emg", "EMG", "{ADC}"},
    {"airflow", "AIR", "{ADC}"},
}};

}  // namespace

const char* kind_name(Kind k) noexcept { return k_kinds[static_cast<size_t>(k)].name; }
const char* kind_tag(Kind k) noexcept { return k_kinds[static_cast<size_t>(k)].tag; }
const char* kind_unit(Kind k) noexcept { return k_kinds[static_cast<size_t>(k)].unit; }

std::optional<Kind> kind_from_name(std::string_view name) noexcept {
  for (size_t i = 0; i < k_kinds.size(); ++i)
    if (name == k_kinds[i].name) return static_cast<Kind>(i);
  return std::nullopt;
}

std::optional<Kind> kind_from_tag(std::string_view tag) noexcept {
  for (size_t i = 0; i < k_kinds.size(); ++i)
    if (tag == k_kinds[i].tag) return static_cast<Kind>(i);
  return std::nullopt;
}

bool is_waveform(Kind k) noexcept { return k == Kind::ecg || k == Kind::emg || k == Kind::airflow; }

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string rfc3339_ms(int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  int ms = static_cast<int>(unix_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

}  // namespace hc::sensor

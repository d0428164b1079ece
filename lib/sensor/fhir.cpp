#include <hc/sensor/fhir.h>

#include <hc/core/error.h>

#include <cmath>

#include <fmt/format.h>

namespace hc::sensor {
namespace {

using json::Value;

/// Integral values as JSON integers ("72", not "72.0").
Value num(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) return static_cast<int64_t>(v);
  return v;
}

Value coding(const char* system, const char* code, const char* display) {
  return Value{{"system", system}, {"code", code}, {"display", display}};
}

Value quantity(double v, const char* ucum, const char* unit_text = nullptr) {
  return Value{{"value", num(v)}, {"unit", unit_text ? unit_text : ucum}, {"system", k_ucum}, {"code", ucum}};
}

Value category(bool laboratory) {
  return Value::array({Value{{"coding", Value::array({laboratory ? coding("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")
                                                            : coding("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")})}}});
}

/// Reference (normal) range and critical limits per quantity; NaN = none.
struct Range {
  double low, high, crit_low, crit_high;
};
constexpr double k_none = std::numeric_limits<double>::quiet_NaN();

/// Adult resting ranges, stated in hc-formats(5).
Range range_of(Kind k, int component = 0) {
  switch (k) {
    case Kind::pulse: return {60, 100, 40, 130};
    case Kind::spo2: return {95, 100, 90, 100};
    case Kind::resp: return {12, 20, 8, 30};
    case Kind::temp: return {36.1, 37.2, 35.0, 39.5};
    case Kind::bp: return component == 0 ? Range{90, 139, 70, 180} : Range{60, 89, 40, 120};
    case Kind::glucose: return {70, 140, 54, 250};
    default: return {k_none, k_none, k_none, k_none};
  }
}

/// Adds referenceRange and, if the value is outside it, interpretation
/// (v3-ObservationInterpretation L/H, or LL/HH beyond the critical limits).
void flag(Value& target, double v, Range rg, const char* ucum) {
  if (std::isnan(rg.low)) return;
  target["referenceRange"] = Value::array({Value{{"low", quantity(rg.low, ucum)}, {"high", quantity(rg.high, ucum)}}});
  const char* code = nullptr;
  const char* display = nullptr;
  if (v < rg.crit_low) code = "LL", display = "Critical low";
  else if (v > rg.crit_high) code = "HH", display = "Critical high";
  else if (v < rg.low) code = "L", display = "Low";
  else if (v > rg.high) code = "H", display = "High";
  if (code)
    target["interpretation"] = Value::array(
        {Value{{"coding", Value::array({coding("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                                               code, display)})},
               {"text", display}}});
}

Value base(const FhirOptions& opt, const char* profile, bool laboratory, const std::string& when) {
  Value o{{"resourceType", "Observation"},
          {"status", "final"},
          {"category", category(laboratory)},
          {"subject", Value{{"reference", "Patient/" + opt.patient}}},
          {"effectiveDateTime", when}};
  if (profile) o["meta"] = Value{{"profile", Value::array({profile})}};
  if (!opt.device.empty()) o["device"] = Value{{"display", opt.device}};
  return o;
}

Value code_of(std::initializer_list<Value> codings, const char* text) {
  Value arr = Value::array();
  for (const auto& c : codings) arr.push_back(c);
  return Value{{"coding", arr}, {"text", text}};
}

std::string format_sample(double v) {
  double r = std::nearbyint(v);
  if (!std::isfinite(r)) return "E";
  return fmt::format("{}", static_cast<int64_t>(r));
}

}  // namespace

void check_patient_id(const std::string& id) {
  bool ok = id.size() == 16;
  for (char c : id) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok)
    throw Error(Exit::usage, "a patient ID is 16 lower-case hex digits, not \"" + id.substr(0, 40) + "\"")
        .field("patient")
        .hint("use the output of `hc-keygen id PATIENT.pub`, or --patient-key PATIENT.pub");
}

json::Value observation(const Reading& r, const FhirOptions& opt) {
  std::string when = !r.device_time.empty() ? r.device_time : rfc3339_ms(r.host_ms);
  double v = r.values.empty() ? 0 : r.values[0];
  Value o;
  switch (r.kind) {
    case Kind::pulse:
      o = base(opt, "http://hl7.org/fhir/StructureDefinition/heartrate", false, when);
      o["code"] = code_of({coding(k_loinc, "8867-4", "Heart rate")}, "Heart rate");
      o["valueQuantity"] = quantity(v, "/min", "beats/minute");
      flag(o, v, range_of(r.kind), "/min");
      break;
    case Kind::spo2:
      o = base(opt, "http://hl7.org/fhir/StructureDefinition/oxygensat", false, when);
      o["code"] = code_of({coding(k_loinc, "2708-6", "Oxygen saturation in Arterial blood"),
                           coding(k_loinc, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")},
                          "SpO2");
      o["valueQuantity"] = quantity(v, "%");
      flag(o, v, range_of(r.kind), "%");
      break;
    case Kind::resp:
      o = base(opt, "http://hl7.org/fhir/StructureDefinition/resprate", false, when);
      o["code"] = code_of({coding(k_loinc, "9279-1", "Respiratory rate")}, "Respiratory rate");
      o["valueQuantity"] = quantity(v, "/min", "breaths/minute");
      flag(o, v, range_of(r.kind), "/min");
      break;
    case Kind::temp:
      o = base(opt, "http://hl7.org/fhir/StructureDefinition/bodytemp", false, when);
      o["code"] = code_of({coding(k_loinc, "8310-5", "Body temperature")}, "Body temperature");
      o["valueQuantity"] = quantity(v, "Cel", "C");
      flag(o, v, range_of(r.kind), "Cel");
      break;
    case Kind::bp: {
      o = base(opt, "http://hl7.org/fhir/StructureDefinition/bp", false, when);
      o["code"] = code_of({coding(k_loinc, "85354-9", "Blood pressure panel with all children optional")},
                          "Blood pressure");
      Value sys{{"code", code_of({coding(k_loinc, "8480-6", "Systolic blood pressure")}, "Systolic")},
                {"valueQuantity", quantity(v, "mm[Hg]", "mmHg")}};
      double d = r.values.size() > 1 ? r.values[1] : 0;
      Value dia{{"code", code_of({coding(k_loinc, "8462-4", "Diastolic blood pressure")}, "Diastolic")},
                {"valueQuantity", quantity(d, "mm[Hg]", "mmHg")}};
      flag(sys, v, range_of(Kind::bp, 0), "mm[Hg]");
      flag(dia, d, range_of(Kind::bp, 1), "mm[Hg]");
      o["component"] = Value::array({sys, dia});
      break;
    }
    case Kind::glucose:
      o = base(opt, nullptr, true, when);
      o["code"] = code_of({coding(k_loinc, "2339-0", "Glucose [Mass/volume] in Blood")}, "Blood glucose");
      o["valueQuantity"] = quantity(v, "mg/dL");
      flag(o, v, range_of(r.kind), "mg/dL");
      break;
    case Kind::gsr:
      o = base(opt, nullptr, false, when);
      o["code"] = code_of({coding(k_local_system, "gsr", "Galvanic skin response (skin conductance)")},
                          "Skin conductance");
      o["valueQuantity"] = quantity(v, "uS", "microsiemens");
      break;
    case Kind::position: {
      o = base(opt, nullptr, false, when);
      o["code"] = code_of({coding(k_loinc, "8361-8", "Body position with respect to gravity")}, "Body position");
      switch (static_cast<Position>(static_cast<int>(v))) {
        case Position::supine:
          o["valueCodeableConcept"] = code_of({coding(k_snomed, "40199007", "Supine body position")}, "Supine");
          break;
        case Position::left_lateral:
          o["valueCodeableConcept"] = code_of({coding(k_snomed, "102536004", "Left lateral decubitus position")},
                                              "Left lateral decubitus");
          break;
        case Position::right_lateral:
          o["valueCodeableConcept"] = code_of({coding(k_snomed, "102535000", "Right lateral decubitus position")},
                                              "Right lateral decubitus");
          break;
        case Position::prone:
          o["valueCodeableConcept"] = code_of({coding(k_snomed, "1240000", "Prone body position")}, "Prone");
          break;
        default:
          // The accelerometer cannot tell standing (10904000) from sitting
          // (33586001); claiming either would be false, so text only.
          o["valueCodeableConcept"] = Value{{"text", "Standing or sitting (upright)"}};
          break;
      }
      break;
    }
    case Kind::ecg:
    case Kind::emg:
    case Kind::airflow:
      return waveform_observation(r.kind, r.samples, r.rate_hz > 0 ? r.rate_hz : 100, r.host_ms, opt);
  }
  return o;
}

json::Value waveform_observation(Kind kind, const std::vector<double>& samples, double rate_hz, int64_t first_ms,
                                 const FhirOptions& opt) {
  Value o = base(opt, nullptr, false, rfc3339_ms(first_ms));
  double factor = 1;
  Value origin;
  if (kind == Kind::ecg) {
    o["code"] = code_of({coding(k_mdc, "131328", "MDC_ECG_ELEC_POTL")}, "ECG");
    factor = 0.001;  // data in microvolts, origin in millivolts
    origin = quantity(0, "mV");
  } else if (kind == Kind::emg) {
    o["code"] = code_of({coding(k_local_system, "emg", "Electromyogram (surface EMG, ADC counts)")}, "EMG");
    origin = quantity(0, "{ADC}", "ADC counts");
  } else {
    o["code"] = code_of({coding(k_local_system, "airflow", "Nasal/oral airflow (ADC counts)")}, "Airflow");
    origin = quantity(0, "{ADC}", "ADC counts");
  }
  std::string data;
  data.reserve(samples.size() * 6);
  for (double s : samples) {
    if (!data.empty()) data += ' ';
    data += format_sample(s / factor);
  }
  double period = 1000.0 / rate_hz;
  o["valueSampledData"] = Value{{"origin", origin},
                                {"period", num(std::round(period * 1e6) / 1e6)},
                                {"factor", num(factor)},
                                {"dimensions", 1},
                                {"data", data}};
  return o;
}

std::optional<double> BreathCounter::feed(const std::vector<double>& samples, double rate_hz, int64_t first_ms) {
  double dt = 1000.0 / rate_hz;
  // Time constants: baseline 8 s, amplitude 8 s.
  double a = 1.0 - std::exp(-dt / 8000.0);
  for (size_t i = 0; i < samples.size(); ++i) {
    double x = samples[i];
    if (!m_init) {
      m_base = x;
      m_amp = 0;
      m_init = true;
    }
    m_base += a * (x - m_base);
    m_amp += a * (std::fabs(x - m_base) - m_amp);
    double h = 0.5 * m_amp;
    double t = static_cast<double>(first_ms) + static_cast<double>(i) * dt;
    if (!m_high && x > m_base + h && m_amp > 0) {
      m_high = true;
      // At most 60 breaths a minute: ignore onsets closer than 1 s.
      if (m_onsets.empty() || t - m_onsets.back() >= 1000) m_onsets.push_back(t);
    } else if (m_high && x < m_base - h) {
      m_high = false;
    }
  }
  double now = static_cast<double>(first_ms) + static_cast<double>(samples.size()) * dt;
  while (!m_onsets.empty() && now - m_onsets.front() > 60000) m_onsets.pop_front();
  if (m_onsets.size() < 3) return std::nullopt;
  double span = m_onsets.back() - m_onsets.front();
  if (span <= 0) return std::nullopt;
  return std::round(60000.0 * static_cast<double>(m_onsets.size() - 1) / span * 10) / 10;
}

void Mapper::emit(Kind kind, Batch& b, size_t count, std::vector<Emitted>& out) {
  if (count == 0) return;
  double rate = b.rate;
  int64_t first = b.first_ms;
  if (!b.arrivals.empty()) {  // e-Health: no rate on the wire
    first = b.arrivals.front();
    if (m_opt.sample_rate > 0) {
      rate = m_opt.sample_rate;
    } else {
      int64_t span = b.arrivals[count - 1] - b.arrivals.front();
      rate = count > 1 && span > 0 ? 1000.0 * static_cast<double>(count - 1) / static_cast<double>(span) : 100.0;
      rate = std::round(rate * 100) / 100;
    }
  }
  std::vector<double> part(b.samples.begin(), b.samples.begin() + static_cast<ptrdiff_t>(count));
  out.push_back({kind, waveform_observation(kind, part, rate, first, m_opt)});
  if (kind == Kind::airflow && m_opt.derive_resp) {
    if (auto bpm = m_breaths.feed(part, rate, first)) {
      Reading resp;
      resp.kind = Kind::resp;
      resp.values = {*bpm};
      resp.host_ms = first + static_cast<int64_t>(static_cast<double>(count) * 1000.0 / rate);
      out.push_back({Kind::resp, observation(resp, m_opt)});
    }
  }
  b.samples.erase(b.samples.begin(), b.samples.begin() + static_cast<ptrdiff_t>(count));
  if (!b.arrivals.empty())
    b.arrivals.erase(b.arrivals.begin(), b.arrivals.begin() + static_cast<ptrdiff_t>(count));
  b.first_ms = first + static_cast<int64_t>(std::llround(static_cast<double>(count) * 1000.0 / rate));
}

bool Mapper::continues(const Batch& b, const Reading& r) {
  // The device clock of consecutive lines of one waveform advances by the
  // samples of the newer line; more than two sample periods off is a gap.
  double period = 1000.0 / r.rate_hz;
  double expected = static_cast<double>(*b.last_device_ms) + static_cast<double>(r.samples.size()) * period;
  return std::fabs(static_cast<double>(*r.device_ms) - expected) <= 2 * period + 1;
}

void Mapper::add(const Reading& in, std::vector<Emitted>& out) {
  Reading r = in;
  if (r.device_ms) {
    // hc protocol: time readings by the device clock, anchored to the host
    // clock at the first line (and again if the device restarts).
    auto dev = static_cast<int64_t>(*r.device_ms);
    if (!m_anchor || dev < m_last_device) m_anchor = r.host_ms - dev;
    m_last_device = dev;
    r.host_ms = *m_anchor + dev;
  }
  if (!is_waveform(r.kind)) {
    out.push_back({r.kind, observation(r, m_opt)});
    return;
  }
  Batch& b = m_batches[static_cast<size_t>(r.kind)];
  bool ehealth = r.dialect == Dialect::ehealth;
  bool cont = !ehealth && b.arrivals.empty() && b.rate == r.rate_hz && r.device_ms && b.last_device_ms &&
              continues(b, r);
  if (!b.samples.empty() && !cont && !(ehealth && !b.arrivals.empty())) emit(r.kind, b, b.samples.size(), out);
  if (!ehealth && b.samples.empty() && !cont) {
    b.rate = r.rate_hz;
    b.first_ms = r.host_ms - std::llround(static_cast<double>(r.samples.size() - 1) * 1000.0 / r.rate_hz);
  }
  b.last_device_ms = r.device_ms;
  for (double s : r.samples) {
    b.samples.push_back(s);
    if (ehealth) b.arrivals.push_back(r.host_ms);
    if (b.samples.size() >= m_opt.batch) emit(r.kind, b, b.samples.size(), out);
  }
}

void Mapper::flush(std::vector<Emitted>& out) {
  for (size_t k = 0; k < m_batches.size(); ++k)
    if (!m_batches[k].samples.empty()) emit(static_cast<Kind>(k), m_batches[k], m_batches[k].samples.size(), out);
}

}  // namespace hc::sensor

// FHIR R4 Observations: the vital-signs profiles' fixed values (category,
// LOINC code, UCUM unit), SNOMED CT positions, SampledData, flags.
#include <catch2/catch.hpp>

#include <hc/core/error.h>
#include <hc/sensor/fhir.h>

#include <sstream>

using namespace hc::sensor;
using hc::json::Value;

namespace {

FhirOptions opts() {
  FhirOptions o;
  o.patient = "0123456789abcdef";
  o.device = "test board";
  o.batch = 10;
  return o;
}

Reading vital(Kind k, std::vector<double> v) {
  Reading r;
  r.kind = k;
  r.values = std::move(v);
  r.host_ms = 1795700000123;
  return r;
}

void check_common(const Value& o, const char* category = "vital-signs") {
  CHECK(o["resourceType"] == "Observation");
  CHECK(o["status"] == "final");
  CHECK(o["subject"]["reference"] == "Patient/0123456789abcdef");
  CHECK(o["device"]["display"] == "test board");
  CHECK(o["category"][0]["coding"][0]["system"] == "http://terminology.hl7.org/CodeSystem/observation-category");
  CHECK(o["category"][0]["coding"][0]["code"] == category);
  CHECK(o.contains("effectiveDateTime"));
}

void check_quantity(const Value& q, double v, const char* ucum) {
  CHECK(q["value"].get<double>() == Approx(v));
  CHECK(q["system"] == "http://unitsofmeasure.org");
  CHECK(q["code"] == ucum);
}

void check_loinc(const Value& o, const char* code, size_t index = 0) {
  CHECK(o["code"]["coding"][index]["system"] == "http://loinc.org");
  CHECK(o["code"]["coding"][index]["code"] == code);
}

std::string flag_of(const Value& o) {
  if (!o.contains("interpretation")) return "";
  return o["interpretation"][0]["coding"][0]["code"].get<std::string>();
}

}  // namespace

TEST_CASE("vital signs follow the profiles' fixed values") {
  auto o = opts();
  auto hr = observation(vital(Kind::pulse, {72}), o);
  check_common(hr);
  check_loinc(hr, "8867-4");
  check_quantity(hr["valueQuantity"], 72, "/min");
  CHECK(hr["meta"]["profile"][0] == "http://hl7.org/fhir/StructureDefinition/heartrate");
  CHECK(hr["effectiveDateTime"] == "2026-11-26T13:33:20.123Z");
  CHECK(hc::json::dump(hr["valueQuantity"]["value"], false) == "72\n");  // integral values stay integers

  auto sp = observation(vital(Kind::spo2, {97}), o);
  check_common(sp);
  check_loinc(sp, "2708-6", 0);
  check_loinc(sp, "59408-5", 1);
  check_quantity(sp["valueQuantity"], 97, "%");

  auto rr = observation(vital(Kind::resp, {15}), o);
  check_loinc(rr, "9279-1");
  check_quantity(rr["valueQuantity"], 15, "/min");

  auto t = observation(vital(Kind::temp, {36.52}), o);
  check_loinc(t, "8310-5");
  check_quantity(t["valueQuantity"], 36.52, "Cel");

  auto bp = observation(vital(Kind::bp, {120, 80}), o);
  check_common(bp);
  check_loinc(bp, "85354-9");
  CHECK_FALSE(bp.contains("valueQuantity"));
  REQUIRE(bp["component"].size() == 2);
  CHECK(bp["component"][0]["code"]["coding"][0]["code"] == "8480-6");
  check_quantity(bp["component"][0]["valueQuantity"], 120, "mm[Hg]");
  CHECK(bp["component"][1]["code"]["coding"][0]["code"] == "8462-4");
  check_quantity(bp["component"][1]["valueQuantity"], 80, "mm[Hg]");

  auto glu = observation(vital(Kind::glucose, {95}), o);
  check_common(glu, "laboratory");
  check_loinc(glu, "2339-0");
  check_quantity(glu["valueQuantity"], 95, "mg/dL");

  auto gsr = observation(vital(Kind::gsr, {2.31}), o);
  check_common(gsr);
  CHECK(gsr["code"]["coding"][0]["system"] == k_local_system);
  CHECK(gsr["code"]["coding"][0]["code"] == "gsr");
  check_quantity(gsr["valueQuantity"], 2.31, "uS");
}

TEST_CASE("body positions are SNOMED CT") {
  auto o = opts();
  std::vector<std::pair<int, const char*>> codes = {{1, "40199007"}, {2, "102536004"}, {3, "102535000"}, {4, "1240000"}};
  for (auto& [p, code] : codes) {
    auto obs = observation(vital(Kind::position, {static_cast<double>(p)}), o);
    check_loinc(obs, "8361-8");
    CHECK(obs["valueCodeableConcept"]["coding"][0]["system"] == "http://snomed.info/sct");
    CHECK(obs["valueCodeableConcept"]["coding"][0]["code"] == code);
  }
  auto upright = observation(vital(Kind::position, {5}), o);
  CHECK_FALSE(upright["valueCodeableConcept"].contains("coding"));
  CHECK(upright["valueCodeableConcept"]["text"] == "Standing or sitting (upright)");
}

TEST_CASE("out-of-range values are kept and flagged") {
  auto o = opts();
  CHECK(flag_of(observation(vital(Kind::pulse, {72}), o)) == "");
  CHECK(flag_of(observation(vital(Kind::pulse, {110}), o)) == "H");
  CHECK(flag_of(observation(vital(Kind::pulse, {250}), o)) == "HH");
  CHECK(flag_of(observation(vital(Kind::pulse, {50}), o)) == "L");
  CHECK(flag_of(observation(vital(Kind::pulse, {0}), o)) == "LL");
  auto hh = observation(vital(Kind::pulse, {250}), o);
  CHECK(hh["valueQuantity"]["value"] == 250);
  CHECK(hh["interpretation"][0]["coding"][0]["system"] ==
        "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation");
  CHECK(flag_of(observation(vital(Kind::spo2, {85}), o)) == "LL");
  CHECK(flag_of(observation(vital(Kind::temp, {38.2}), o)) == "H");
  CHECK(flag_of(observation(vital(Kind::glucose, {40}), o)) == "LL");
  auto bp = observation(vital(Kind::bp, {190, 80}), o);
  CHECK(flag_of(bp["component"][0]) == "HH");
  CHECK(flag_of(bp["component"][1]) == "");
}

TEST_CASE("waveforms leave as SampledData in batches") {
  auto o = opts();
  Mapper m(o);
  std::vector<Emitted> out;
  Reading r;
  r.kind = Kind::ecg;
  r.dialect = Dialect::hc;
  r.rate_hz = 250;
  r.host_ms = 1795700000000;
  r.device_ms = 100;
  r.samples = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
  m.add(r, out);
  CHECK(out.empty());
  r.device_ms = 124;  // next 6 samples, 24 ms later at 250 Hz
  r.samples = {1.2, -0.25, 0, 0, 0, 0};
  m.add(r, out);
  REQUIRE(out.size() == 1);  // batch of 10
  const Value& ecg = out[0].observation;
  check_common(ecg);
  CHECK(ecg["code"]["coding"][0]["system"] == "urn:oid:2.16.840.1.113883.6.24");
  CHECK(ecg["code"]["coding"][0]["code"] == "131328");
  const Value& sd = ecg["valueSampledData"];
  CHECK(sd["period"].get<double>() == Approx(4));
  CHECK(sd["factor"].get<double>() == Approx(0.001));
  CHECK(sd["dimensions"] == 1);
  CHECK(sd["origin"]["code"] == "mV");
  CHECK(sd["origin"]["system"] == "http://unitsofmeasure.org");
  CHECK(sd["data"] == "100 200 300 400 500 600 1200 -250 0 0");
  // A gap in the device clock ends the batch early.
  r.device_ms = 5000;
  r.samples = {0.1};
  m.add(r, out);
  REQUIRE(out.size() == 2);
  CHECK(out[1].observation["valueSampledData"]["data"] == "0 0");
  m.flush(out);
  REQUIRE(out.size() == 3);
  CHECK(out[2].observation["valueSampledData"]["data"] == "100");

  // EMG and airflow: local codes, ADC counts.
  auto emg = waveform_observation(Kind::emg, {412, 500}, 500, 0, o);
  CHECK(emg["code"]["coding"][0]["system"] == k_local_system);
  CHECK(emg["code"]["coding"][0]["code"] == "emg");
  CHECK(emg["valueSampledData"]["period"] == 2);
  CHECK(emg["valueSampledData"]["data"] == "412 500");
  auto air = waveform_observation(Kind::airflow, {512}, 50, 0, o);
  CHECK(air["code"]["coding"][0]["code"] == "airflow");
  CHECK(air["valueSampledData"]["period"] == 20);
}

TEST_CASE("e-Health waveforms: the rate is given or measured") {
  auto o = opts();
  o.batch = 5;
  o.sample_rate = 125;
  Mapper m(o);
  std::vector<Emitted> out;
  for (int i = 0; i < 5; ++i) {
    Reading r;
    r.kind = Kind::emg;
    r.dialect = Dialect::ehealth;
    r.host_ms = 1000 + i * 8;
    r.samples = {400.0 + i};
    m.add(r, out);
  }
  REQUIRE(out.size() == 1);
  CHECK(out[0].observation["valueSampledData"]["period"] == 8);
  o.sample_rate = 0;
  Mapper measured(o);
  out.clear();
  for (int i = 0; i < 5; ++i) {
    Reading r;
    r.kind = Kind::emg;
    r.dialect = Dialect::ehealth;
    r.host_ms = 1000 + i * 20;  // arrivals 20 ms apart: 50 Hz
    r.samples = {400.0};
    measured.add(r, out);
  }
  REQUIRE(out.size() == 1);
  CHECK(out[0].observation["valueSampledData"]["period"].get<double>() == Approx(20));
}

TEST_CASE("respiratory rate is derived from airflow") {
  auto o = opts();
  o.batch = 100;
  Mapper m(o);
  std::vector<Emitted> out;
  const double rate = 50;
  uint64_t t = 0;
  for (int line = 0; line < 60 * 50 / 25; ++line) {  // 60 s at 50 Hz, 25 samples a line
    Reading r;
    r.kind = Kind::airflow;
    r.rate_hz = rate;
    r.host_ms = 1795700000000 + static_cast<int64_t>(t);
    for (int i = 0; i < 25; ++i) {
      double s = static_cast<double>(line * 25 + i) / rate;
      r.samples.push_back(512 + 150 * std::sin(2 * 3.14159265358979 * s * 18.0 / 60.0));
    }
    t += 500;
    r.device_ms = t;
    m.add(r, out);
  }
  std::optional<double> last;
  for (auto& e : out)
    if (e.kind == Kind::resp) last = e.observation["valueQuantity"]["value"].get<double>();
  REQUIRE(last);
  CHECK(*last == Approx(18).margin(0.5));
}

TEST_CASE("patient IDs are checked") {
  CHECK_NOTHROW(check_patient_id("0123456789abcdef"));
  CHECK_THROWS_AS(check_patient_id("0123456789ABCDEF"), hc::Error);
  CHECK_THROWS_AS(check_patient_id("0123"), hc::Error);
  CHECK_THROWS_AS(check_patient_id("Patient/0123456789abcdef"), hc::Error);
}

// JSON layer: RFC 8785 canonicalisation and strict parsing, against SHA-256
// of the same bytes (the cheapest thing any tool does with them).
#include "bench.h"
#include "bounds.h"

#include <hc/json/json.h>

#include <string>

namespace {

/// A ~1 KB FHIR Observation with components, the kind of document hc signs.
std::string sample_observation() {
  return R"({"resourceType":"Observation","id":"bp-1","status":"final",
  "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"Vital Signs"}]}],
  "code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood pressure panel with all children optional"}],"text":"Blood pressure"},
  "subject":{"reference":"Patient/3f2a9c1d0b7e4a55"},"effectiveDateTime":"2026-11-26T10:15:00Z",
  "performer":[{"reference":"Practitioner/9a8b7c6d5e4f3a2b","display":"Dr Alice Example"}],
  "interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"N","display":"normal"}]}],
  "bodySite":{"coding":[{"system":"http://snomed.info/sct","code":"368209003","display":"Right arm"}]},
  "component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic blood pressure"}]},"valueQuantity":{"value":118.5,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
  {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4","display":"Diastolic blood pressure"}]},"valueQuantity":{"value":76.25,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}],
  "note":[{"text":"Patient seated, \u00e9 rested five minutes."}]})";
}

}  // namespace

HC_BENCHMARK("json/canonicalize") {
  auto text = sample_observation();
  auto value = hc::json::parse(text);
  size_t bytes = hc::json::canonical(value).size();
  double per_s = hc::bench::rate([&]() -> size_t { return hc::json::canonical(value).size() > 0; },
                                 hc::bench::seconds());
  hc::bench::report("json/canonicalize (1 KB Observation)", per_s * bytes / 1e6, "MB/s", "SHA-256 of same bytes",
                    hc::bench::sha256_bytes_per_second(bytes) / 1e6);
}

HC_BENCHMARK("json/parse") {
  auto text = sample_observation();
  double per_s = hc::bench::rate([&]() -> size_t { return hc::json::parse(text).size() > 0; },
                                 hc::bench::seconds());
  hc::bench::report("json/parse strict (1 KB Observation)", per_s * text.size() / 1e6, "MB/s",
                    "SHA-256 of same bytes", hc::bench::sha256_bytes_per_second(text.size()) / 1e6);
}

// The parser choice (issue 3): simdjson's DOM parse of the same document, for
// comparison. hc keeps nlohmann behind hc::json because a 1 KB document costs
// ~10 us to parse against ~50 us for the Ed25519 check every document needs,
// and hc's parser must also reject duplicate names and bound depth, which the
// comparison does not do. If parsing ever dominates, hc::json::parse is the
// one place to swap.
#include <simdjson.h>

namespace {

/// simdjson DOM parses of `text` per second.
double simdjson_rate(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  return hc::bench::rate([&]() -> size_t {
    simdjson::dom::element doc;
    return parser.parse(padded).get(doc) == simdjson::SUCCESS;
  }, hc::bench::seconds());
}

}  // namespace

HC_BENCHMARK("json/parse-vs-simdjson") {
  auto text = sample_observation();
  double hc_rate = hc::bench::rate([&]() -> size_t { return hc::json::parse(text).size() > 0; },
                                   hc::bench::seconds());
  double simd_rate = simdjson_rate(text);
  hc::bench::report("json/parse strict vs simdjson DOM", hc_rate * text.size() / 1e6, "MB/s", "simdjson DOM parse",
                    simd_rate * text.size() / 1e6);
}

// hc-sign's reader (json::Tape: the same strictness as parse(), no DOM, every
// leaf in canonical form and every object's members sorted), against
// simdjson's DOM parse of the same text, which checks neither duplicate names
// nor canonical order.
#include <hc/json/tape.h>

HC_BENCHMARK("json/tape-vs-simdjson") {
  hc::bench::UseClock cpu(hc::bench::Clock::thread_cpu);
  auto text = sample_observation();
  hc::json::Tape tape;
  double tape_rate = hc::bench::rate([&]() -> size_t { return tape.read(text) ? 1 : 0; }, hc::bench::seconds());
  double simd_rate = simdjson_rate(text);
  hc::bench::report("json/Tape::read vs simdjson DOM", tape_rate * text.size() / 1e6, "MB/s", "simdjson DOM parse",
                    simd_rate * text.size() / 1e6);
}

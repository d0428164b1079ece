// Content extraction signatures: hc-sign (stream mode), hc-verify and
// hc-extract on a ~1 KB FHIR Observation with about 40 disclosable parts,
// against the work the format cannot avoid: one Ed25519 signature (or
// verification) of the JWS signing input, at its real length, plus one
// SHA-256 per disclosure, timed with the same libraries in the same run
// (bench/bounds.h), in turns with the figure (hc::bench::paired).
#include "bench.h"
#include "bounds.h"

#include <hc/ces/ces.h>
#include <hc/core/error.h>

#include <sys/resource.h>

#include <functional>

#include <fmt/format.h>

namespace {

std::string observation_line() {
  return R"({"resourceType":"Observation","id":"bp-1","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"Vital Signs"}]}],"code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood pressure panel with all children optional"}],"text":"Blood pressure"},"subject":{"reference":"Patient/3f2a9c1d0b7e4a55"},"effectiveDateTime":"2026-11-26T10:15:00Z","performer":[{"reference":"Practitioner/9a8b7c6d5e4f3a2b","display":"Dr Alice Example"}],"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"N","display":"normal"}]}],"bodySite":{"coding":[{"system":"http://snomed.info/sct","code":"368209003","display":"Right arm"}]},"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic blood pressure"}]},"valueQuantity":{"value":118.5,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4","display":"Diastolic blood pressure"}]},"valueQuantity":{"value":76.25,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}],"note":[{"text":"Patient seated, \u00e9 rested five minutes."}]})";
}

/// Every part disclosable on its own except the five that must stay: about
/// 40 disclosures for the sample, as the issue's speed section assumes.
hc::ces::Policy fine_policy() {
  hc::ces::Policy p = hc::ces::default_policy();
  auto& r = p.resources["Observation"];
  r.together = {"/component/*/valueQuantity"};
  r.requires_.clear();
  return p;
}

struct Fixture {
  hc::keys::SecretKey doctor = hc::keys::generate(hc::keys::Role::doctor, "Dr Bench", "2026-11-26T00:00:00Z");
  hc::ces::Policy policy = fine_policy();
  std::string line = observation_line();
  hc::ces::SignOptions options() {
    hc::ces::SignOptions o;
    o.policy = &policy;
    return o;
  }
};

/// The JWS signing input's length (header.payload), which Ed25519 hashes:
/// the bound signs and verifies messages of this size.
size_t signing_input_size(const hc::ces::SdJwt& sd) { return sd.protected_b64.size() + 1 + sd.payload_b64.size(); }

double avg_disclosure_size(const hc::ces::SdJwt& sd) {
  size_t total = 0;
  for (const auto& d : sd.disclosures) total += d.size();
  return sd.disclosures.empty() ? 0 : static_cast<double>(total) / static_cast<double>(sd.disclosures.size());
}

/// The unavoidable work of one document, as one operation: one signature
/// (or verification) of the JWS signing input, at its real length, and `n`
/// SHA-256 of disclosures of the average real length.
std::function<size_t()> bound_op(std::function<size_t()> signature, size_t n, size_t disclosure_bytes) {
  auto hash = hc::bench::sha256_op(disclosure_bytes);
  return [signature = std::move(signature), hash, n]() -> size_t {
    size_t ok = signature();
    for (size_t k = 0; k < n; ++k) hash();
    return ok;
  };
}

long max_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

HC_BENCHMARK("ces/sign-stream") {
  // CPU-bound, figure and bound alike: per core-second (see UseClock).
  hc::bench::UseClock cpu(hc::bench::Clock::thread_cpu);
  Fixture f;
  hc::ces::Signer signer(f.doctor, f.options());
  auto sample = signer.sign(hc::json::parse(f.line));
  size_t n = sample.disclosures.size();
  // What hc-sign --stream does per line: read, sign, serialize one line
  // (hc-sign appends it to a batch it writes every 64 KiB).
  std::string out;
  auto one = [&]() -> size_t {
    out.clear();
    signer.sign_line(f.line, "bench", hc::ces::Serialization::json, out);
    return !out.empty();
  };
  for (int i = 0; i < 2000; ++i) one();
  long rss_before = max_rss_kib();
  auto figure = hc::bench::paired(
      one,
      bound_op(hc::bench::sodium_ed25519_sign_op(signing_input_size(sample)), n,
               static_cast<size_t>(avg_disclosure_size(sample))),
      hc::bench::seconds());
  for (int i = 0; i < 20000; ++i) one();
  long rss_after = max_rss_kib();
  hc::bench::report(fmt::format("ces/hc-sign stream ({} B, {} disclosures)", f.line.size(), n), figure, "docs/s",
                    "1 Ed25519 sign + 1 SHA-256/disclosure", 0.70);
  hc::bench::report("ces/hc-sign stream peak RSS growth after 20k docs", static_cast<double>(rss_after - rss_before),
                    "KiB", "none", 0, 0, fmt::format("peak RSS {} KiB", rss_after));
}

HC_BENCHMARK("ces/verify") {
  // CPU-bound, figure and bound alike: per core-second (see UseClock).
  hc::bench::UseClock cpu(hc::bench::Clock::thread_cpu);
  Fixture f;
  hc::ces::Signer signer(f.doctor, f.options());
  auto sd = signer.sign(hc::json::parse(f.line));
  std::string text = sd.json_line();
  hc::ces::VerifyOptions vo;
  vo.trusted.push_back(f.doctor.pub);
  size_t n = sd.disclosures.size();
  auto figure = hc::bench::paired(
      [&]() -> size_t { return hc::ces::verify(hc::ces::parse_sd_jwt(text, "bench"), vo).disclosed == n; },
      bound_op(hc::bench::sodium_ed25519_verify_op(signing_input_size(sd)), n,
               static_cast<size_t>(avg_disclosure_size(sd))),
      hc::bench::seconds());
  hc::bench::report(fmt::format("ces/hc-verify ({} disclosures)", n), figure, "docs/s",
                    "1 Ed25519 verify + 1 SHA-256/disclosure", 0.70);
}

HC_BENCHMARK("ces/extract") {
  // CPU-bound, figure and bound alike: per core-second (see UseClock).
  hc::bench::UseClock cpu(hc::bench::Clock::thread_cpu);
  Fixture f;
  hc::ces::Signer signer(f.doctor, f.options());
  auto sd = signer.sign(hc::json::parse(f.line));
  std::string text = sd.json_line();
  hc::ces::ExtractOptions o;
  o.remove = {"/note", "/component/1", "/performer/0/display"};
  double rate = hc::bench::rate([&]() -> size_t {
    // What hc-extract does: open, extract (the document is not needed after).
    return hc::ces::extract(hc::ces::open_document(text, "bench"), o).json_line().size() > 0;
  }, hc::bench::seconds());
  hc::bench::report(fmt::format("ces/hc-extract ({} disclosures, 3 removals)", sd.disclosures.size()), rate, "docs/s",
                    "issue target", 20000, 1.0);
}

// Fuzzes hc-sign's input path: a FHIR resource as text, read into a
// json::Tape and framed from it (Signer::sign_text, and Signer::sign_line,
// which writes hc-sign's output lines). Whatever it signs must verify and
// give back exactly what json::parse reads from the same text; whatever it
// refuses, signing parse()'s DOM refuses with the same words. sign_line's
// lines must be exactly the serializations of what they hold, and it
// must write nothing when it refuses.
#include <hc/ces/ces.h>
#include <hc/core/error.h>

#include <cstdlib>
#include <optional>

namespace {

/// The default policy, plus "everything disclosable" for any other type, so
/// that inputs of every type reach the framer.
const hc::ces::Policy& policy() {
  static const hc::ces::Policy p = [] {
    hc::ces::Policy q = hc::ces::default_policy();
    if (!q.resources.count("*")) q.resources["*"] = hc::ces::TypeRules{};
    return q;
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const auto key = hc::keys::generate(hc::keys::Role::doctor, "fuzz", "2026-11-26T00:00:00Z");
  static const hc::ces::Signer signer = [] {
    hc::ces::SignOptions so;
    so.policy = &policy();
    return hc::ces::Signer(key, so);
  }();
  const hc::json::Limits limits{.max_bytes = 1u << 20, .max_depth = 64};
  std::optional<hc::ces::SdJwt> by_text;
  std::string text_error;
  try {
    by_text = signer.sign_text(text, "fuzz", limits);
  } catch (const hc::Error& e) {
    text_error = e.message() + "|" + e.field();
  }
  // sign_line refuses what sign_text refuses, and writes nothing then.
  auto refuses_cleanly = [&] {
    std::string line = "x";
    try {
      signer.sign_line(text, "fuzz", hc::ces::Serialization::json, line, limits);
    } catch (const hc::Error&) {
      if (line == "x") return;
    }
    std::abort();
  };
  std::optional<hc::json::Value> dom;
  try {
    dom = hc::json::parse(text, "fuzz", limits);
  } catch (const hc::Error& e) {
    if (by_text) std::abort();  // signed a text that is not JSON
    if (text_error != e.message() + "|" + e.field()) std::abort();
    refuses_cleanly();
    return 0;
  }
  std::string dom_error;
  try {
    signer.sign(*dom);
  } catch (const hc::Error& e) {
    dom_error = e.message() + "|" + e.field();
  }
  if (text_error != dom_error) std::abort();
  if (!by_text) {
    refuses_cleanly();
    return 0;
  }
  hc::ces::VerifyOptions vo;
  vo.trusted.push_back(key.pub);
  auto verdict = hc::ces::verify(*by_text, vo);  // throws (and the fuzzer reports it) if invalid
  if (hc::json::canonical(verdict.resource) != hc::json::canonical(*dom)) std::abort();
  for (auto form : {hc::ces::Serialization::json, hc::ces::Serialization::compact}) {
    std::string line = "x";
    signer.sign_line(text, "fuzz", form, line, limits);
    if (line.size() < 2 || line[0] != 'x' || line.back() != '\n') std::abort();
    std::string_view body = std::string_view(line).substr(1, line.size() - 2);
    auto sd = hc::ces::parse_sd_jwt(body, "fuzz");
    std::string again = form == hc::ces::Serialization::json ? sd.json_line() : sd.compact() + "\n";
    if (again != line.substr(1)) std::abort();
    if (hc::json::canonical(hc::ces::verify(sd, vo).resource) != hc::json::canonical(*dom)) std::abort();
  }
  return 0;
}

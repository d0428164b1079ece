// Fuzzes everything hc-verify and hc-extract do with untrusted SD-JWT text:
// both serializations, disclosure processing (nesting, digests, salts), the
// signed policy claim, policy checks and extraction. Any input must either be
// refused with hc::Error or give a document that round-trips.
#include <hc/ces/ces.h>
#include <hc/core/error.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hc::ces::SdJwtLimits limits;
  limits.max_bytes = 1u << 20;
  hc::ces::SdJwt sd;
  try {
    sd = hc::ces::parse_sd_jwt(text, "fuzz", limits);
  } catch (const hc::Error&) {
    return 0;
  }
  // What was parsed serializes back to something that parses the same.
  auto again = hc::ces::parse_sd_jwt(sd.compact(), "again", limits);
  if (again.compact() != sd.compact()) std::abort();
  auto json_again = hc::ces::parse_sd_jwt(hc::json::dump(sd.to_json(), false), "again", limits);
  if (json_again.compact() != sd.compact()) std::abort();
  try {
    // A fixed, unrelated trusted key: exercises the header and claim checks
    // up to the signature, which no fuzzer input can pass.
    static const auto key = hc::keys::generate(hc::keys::Role::doctor, "fuzz", "2026-11-26T00:00:00Z");
    hc::ces::VerifyOptions vo;
    vo.trusted.push_back(key.pub);
    vo.limits = limits;
    hc::ces::verify(sd, vo);
    std::abort();  // cannot be validly signed by that key
  } catch (const hc::Error&) {
  }
  try {
    auto doc = hc::ces::open_document(sd, limits);
    (void)hc::ces::policy_problems(doc);
    hc::ces::ExtractOptions o;
    if (!doc.processed.parts.empty()) o.remove.push_back(doc.processed.parts.back().pointer.substr(5));
    o.remove_patterns.push_back("/*");
    auto out = hc::ces::extract(doc, o);
    if (out.disclosures.size() > sd.disclosures.size()) std::abort();
    // The in-place path (a Document given up) must give the same result.
    std::string again;
    try {
      again = hc::ces::extract(hc::ces::open_document(sd, limits), o).compact();
    } catch (const hc::Error&) {
      std::abort();
    }
    if (again != out.compact()) std::abort();
  } catch (const hc::Error&) {
  }
  return 0;
}

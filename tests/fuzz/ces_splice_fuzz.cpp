// Differential fuzzing of disclosure processing: the text path
// (process_text, which splices disclosures into the payload's text) must
// decide only payloads the DOM path (process) accepts, and decide them
// alike: the same claims, parts and hidden count. With a claim set aside
// (SetAside, as hc-verify does with "hc_policy"), what it decides must be
// the same again, the claim's text parsing to the claim.
//
// Input: lines. The first is the payload's JSON text, the others are the
// disclosures' JSON texts (base64url-encoded here). In the payload, "@N"
// (N a digit) is replaced by the digest of disclosure N, so that mutations
// reach real references, not only digests nothing matches.
#include <hc/ces/sdjwt.h>
#include <hc/core/error.h>
#include <hc/json/json.h>

#include <cstdlib>

namespace {
void check_aside(const std::string& payload, const std::vector<std::string>& disclosures,
                 const hc::ces::SdJwtLimits& limits);

/// The same claims, hidden count and parts (pointer, parent, kind).
bool same(const hc::ces::Processed& a, const hc::ces::Processed& b) {
  if (a.claims != b.claims || a.hidden != b.hidden || a.parts.size() != b.parts.size()) return false;
  for (size_t i = 0; i < a.parts.size(); ++i)
    if (a.parts[i].pointer != b.parts[i].pointer || a.parts[i].parent != b.parts[i].parent ||
        a.parts[i].is_array_element != b.parts[i].is_array_element)
      return false;
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos <= in.size();) {
    size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) nl = in.size();
    lines.push_back(in.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (lines.empty() || lines.size() > 64) return 0;
  std::vector<std::string> disclosures;
  for (size_t i = 1; i < lines.size(); ++i) disclosures.push_back(hc::ces::b64(lines[i]));
  std::string payload;
  std::string_view p = lines[0];
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '@' && i + 1 < p.size() && p[i + 1] >= '0' && p[i + 1] <= '9' &&
        static_cast<size_t>(p[i + 1] - '0') < disclosures.size()) {
      payload += hc::ces::disclosure_digest(disclosures[static_cast<size_t>(p[i + 1] - '0')]);
      ++i;
    } else {
      payload += p[i];
    }
  }
  hc::ces::SdJwtLimits limits;
  limits.max_bytes = 1u << 20;
  limits.max_depth = 24;  // small enough that the fuzzer reaches it
  check_aside(payload, disclosures, limits);
  hc::ces::Processed fast;
  if (!hc::ces::process_text(payload, disclosures, limits, fast)) return 0;
  hc::ces::Processed slow;
  try {
    slow = hc::ces::process(
        hc::json::parse(payload, "fuzz", {.max_bytes = limits.max_bytes, .max_depth = limits.max_depth}),
        disclosures, limits);
  } catch (const hc::Error&) {
    std::abort();  // the text path accepted what the DOM path refuses
  }
  if (!same(fast, slow)) std::abort();
  return 0;
}

namespace {

/// process_text with "hc_policy" set aside, against process_text without.
void check_aside(const std::string& payload, const std::vector<std::string>& disclosures,
                 const hc::ces::SdJwtLimits& limits) {
  hc::ces::SetAside aside;
  aside.name = "hc_policy";
  hc::ces::Processed with;
  if (!hc::ces::process_text(payload, disclosures, limits, with, aside)) return;
  hc::json::Value claim;
  if (aside.found) {
    try {
      claim = hc::json::parse(aside.text, "fuzz", {.max_bytes = limits.max_bytes, .max_depth = limits.max_depth});
    } catch (const hc::Error&) {
      return;  // (as if process_text had returned false)
    }
  }
  hc::ces::Processed whole;
  if (!hc::ces::process_text(payload, disclosures, limits, whole)) std::abort();  // decided what it leaves
  auto it = whole.claims.find("hc_policy");
  if ((it != whole.claims.end()) != aside.found) std::abort();
  if (aside.found) {
    if (*it != claim || hc::json::dump(*it, false) != hc::json::dump(claim, false)) std::abort();
    whole.claims.erase(it);
  }
  if (!same(with, whole)) std::abort();
}

}  // namespace

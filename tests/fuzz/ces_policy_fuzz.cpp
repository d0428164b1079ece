// Fuzzes the extraction policy parser (policy files given to hc-sign and the
// signed hc_policy claim read by hc-extract and hc-verify) and the policy
// checks and framing that use what it accepts.
#include <hc/ces/ces.h>
#include <hc/core/error.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hc::ces::Policy policy;
  try {
    policy = hc::ces::Policy::from_json(hc::json::parse(text, "fuzz", {.max_bytes = 1u << 20, .max_depth = 16}),
                                        "fuzz", hc::Exit::invalid);
  } catch (const hc::Error&) {
    return 0;
  }
  // What it accepts round-trips.
  auto again = hc::ces::Policy::from_json(policy.to_json(), "again", hc::Exit::invalid);
  if (again.to_json() != policy.to_json()) std::abort();
  static const auto key = hc::keys::generate(hc::keys::Role::doctor, "fuzz", "2026-11-26T00:00:00Z");
  static const auto resource = hc::json::parse(
      R"({"resourceType":"Observation","id":"o","status":"final","code":{"text":"x"},
          "component":[{"code":{"text":"a"},"valueQuantity":{"value":1,"unit":"u"}},{"code":{"text":"b"}}],
          "note":[{"text":"n"}],"x/y":{"t~0":[1,[2,{"z":null}]]}})");
  try {
    hc::ces::SignOptions so;
    so.policy = &policy;
    auto sd = hc::ces::Signer(key, so).sign(resource);
    hc::ces::VerifyOptions vo;
    vo.trusted.push_back(key.pub);
    auto v = hc::ces::verify(sd, vo);
    if (v.resource != resource) std::abort();  // signed in full, it comes back unchanged
  } catch (const hc::Error&) {
  }
  return 0;
}

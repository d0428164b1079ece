// Fuzzes the evidence.double_vote data parser (hc-formats(5), LEDGER, Kinds):
// any JSON either yields two messages for one validator, height, round and
// step with different values, or throws hc::Error; the decoded messages
// re-encode to the bytes they came from.
#include <hc/consensus/evidence.h>
#include <hc/core/error.h>
#include <hc/ledger/format.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hc::json::Value v;
  try {
    v = hc::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  } catch (const hc::Error&) {
    return 0;
  }
  try {
    auto ev = hc::ledger::double_vote_of(v);
    if (!ev.a.same_slot(ev.b) || ev.a.value == ev.b.value) std::abort();
    auto a = hc::consensus::encode(ev.a);
    if (hc::crypto::base64url(a.data(), a.size()) != v.at("a").get<std::string>()) std::abort();
    (void)ev.a.sign_bytes("chain");
  } catch (const hc::Error&) {
  }
  return 0;
}

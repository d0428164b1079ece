// Fuzzes consent grant, revoke and request bodies (untrusted: they arrive in
// ledger transactions). Any input either fails with hc::Error or parses to a
// rule whose canonical form parses back to the same id, and evaluation of
// what was applied is deterministic.
#include <hc/consent/consent.h>
#include <hc/core/error.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hc::consent;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  hc::json::Value v;
  try {
    v = hc::json::parse(text, "fuzz", {.max_bytes = 1 << 20, .max_depth = 16});
  } catch (const hc::Error&) {
    return 0;
  }
  static State state;  // grows across inputs, like a ledger
  try {
    Grant g = parse_grant(v, "fuzz");
    if (parse_grant(hc::json::parse(g.canonical), "again").id != g.id) std::abort();
    if (g.end <= g.start || format_time(g.start).size() != 20) std::abort();
    if (state.size() < 10000) state.apply(g);
    Request r{g.grantor, g.grantee == "*" ? std::string(16, 'a') : g.grantee,
              g.scope.emrs.empty() ? std::string(64, '0') : g.scope.emrs[0],
              g.scope.resource_types.empty() ? "Observation" : g.scope.resource_types[0],
              g.scope.pointers.empty() ? "" : g.scope.pointers[0],
              g.purposes[0] == "*" ? "TREAT" : g.purposes[0], g.start};
    auto d1 = state.evaluate(r), d2 = state.evaluate(r);
    if (d1.permit != d2.permit || d1.rule != d2.rule) std::abort();
    if (d1.permit && (state.revoked(d1.rule) || !state.find(d1.rule))) std::abort();
  } catch (const hc::Error&) {
  }
  try {
    Revoke rv = parse_revoke(v, "fuzz");
    state.apply(rv);
    if (state.find(rv.grant) && !state.revoked(rv.grant)) std::abort();
  } catch (const hc::Error&) {
  }
  try {
    Request r = parse_request(v, "fuzz");
    auto d = state.evaluate(r);
    if (d.permit && d.reason != Reason::permitted) std::abort();
  } catch (const hc::Error&) {
  }
  return 0;
}

// Fuzzes the transaction parser (text → Tx), as append, import and the node
// see untrusted transactions. Must refuse with hc::Error or give a Tx whose
// canonical bytes re-parse to the same ID. Also holds the one-pass canonical
// check (certainly_canonical) to its promise: whenever it says yes for text
// the JSON parser accepts, re-encoding gives the same bytes.
#include <hc/core/error.h>
#include <hc/json/json.h>
#include <hc/ledger/canonical.h>
#include <hc/ledger/format.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto v = hc::json::parse(text, "fuzz", {.max_bytes = 1u << 20, .max_depth = 32});
    if (hc::ledger::certainly_canonical(text) && hc::json::canonical(v) != text) std::abort();
  } catch (const hc::Error&) {
  }
  try {
    auto tx = hc::ledger::parse_tx(text, "fuzz", 1);
    auto again = hc::ledger::parse_tx(tx.bytes, "fuzz", 1, true);
    if (again.id != tx.id || again.bytes != tx.bytes) std::abort();
    (void)tx.signature_valid();
  } catch (const hc::Error&) {
  }
  return 0;
}

// Fuzzes the transaction parser (text → Tx), as append, import and the node
// see untrusted transactions. Must refuse with hc::Error or give a Tx whose
// canonical bytes re-parse to the same ID.
#include <hc/core/error.h>
#include <hc/ledger/format.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto tx = hc::ledger::parse_tx(text, "fuzz", 1);
    auto again = hc::ledger::parse_tx(tx.bytes, "fuzz", 1, true);
    if (again.id != tx.id || again.bytes != tx.bytes) std::abort();
    (void)tx.signature_valid();
  } catch (const hc::Error&) {
  }
  return 0;
}

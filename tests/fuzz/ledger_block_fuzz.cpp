// Fuzzes the block-line parser (exports, the network) and the header and
// genesis parsers. Must refuse with hc::Error or round-trip exactly.
#include <hc/core/error.h>
#include <hc/ledger/format.h>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto b = hc::ledger::Block::parse(text, "fuzz", 1);
    auto again = hc::ledger::Block::parse(b.to_line(), "fuzz", 1);
    if (again.hash() != b.hash() || again.to_line() != b.to_line()) std::abort();
    (void)hc::ledger::Block::tx_root(b.txs);
  } catch (const hc::Error&) {
  }
  try {
    auto v = hc::json::parse(text, "fuzz");
    auto g = hc::ledger::Genesis::parse(v, "fuzz");
    (void)g.header().hash();
  } catch (const hc::Error&) {
  }
  return 0;
}

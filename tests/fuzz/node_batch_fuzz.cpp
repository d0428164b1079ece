// Fuzzes the body of hc-node's POST /v1/txs (hc-node(1), HTTP API): any bytes
// split into at most the allowed number of non-blank lines, each line a
// substring of the body with increasing line numbers, or Error{data}; every
// line then parses as a transaction or throws hc::Error, as the node does.
#include <hc/core/error.h>
#include <hc/ledger/format.h>
#include <hc/node/admission.h>

#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  constexpr size_t k_max = 64;
  std::vector<hc::node::BatchLine> lines;
  try {
    lines = hc::node::split_batch(body, k_max);
  } catch (const hc::Error& e) {
    if (e.code() != hc::Exit::data) std::abort();
    return 0;
  }
  if (lines.size() > k_max) std::abort();
  size_t last = 0;
  for (const auto& l : lines) {
    if (l.line <= last || l.text.empty() || l.text.find('\n') != std::string_view::npos) std::abort();
    if (l.text.data() < body.data() || l.text.data() + l.text.size() > body.data() + body.size()) std::abort();
    last = l.line;
    try {
      auto tx = hc::ledger::parse_tx(l.text, "request", l.line, false);
      if (tx.bytes.empty()) std::abort();
    } catch (const hc::Error&) {
    }
  }
  return 0;
}

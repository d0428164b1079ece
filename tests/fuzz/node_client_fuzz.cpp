// Fuzzes what hc-ledger --node parses from a node (lib/node/client.cpp) and
// the node's stored DPoS record (lib/node/dpos_view.cpp): the first byte
// picks the parser and the HTTP status; anything either parses within the
// bounds or throws hc::Error.
#include <hc/core/error.h>
#include <hc/node/client.h>
#include <hc/node/dpos_view.h>

#include <cstdlib>

using namespace hc::node;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const int statuses[] = {200, 202, 400, 404, 422, 500, 503, 301};
  uint8_t sel = data[0];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  int status = statuses[(sel >> 2) % 8];
  try {
    switch (sel & 3) {
      case 0: {
        auto v = parse_answer(status, body, "fuzz");
        if (!v.is_object() || status >= 300) std::abort();
        break;
      }
      case 1: {
        auto lines = parse_answer_lines(status, body, "fuzz");
        for (const auto& v : lines)
          if (!v.is_object()) std::abort();
        break;
      }
      case 2: {
        auto u = NodeUrl::parse(body);
        if (u.port == 0 || u.host.empty()) std::abort();
        break;
      }
      case 3: {
        auto view = DposView::from_json(hc::json::parse(body, "fuzz"), "fuzz");
        auto again = DposView::from_json(view.to_json(), "again");
        if (hc::json::canonical(again.to_json()) != hc::json::canonical(view.to_json())) std::abort();
        break;
      }
    }
  } catch (const hc::Error&) {
  }
  return 0;
}

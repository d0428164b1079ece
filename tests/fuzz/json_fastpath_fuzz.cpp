// Differential fuzzing of hc::json::parse's fast path against the reference
// path (nlohmann's lexer under the strict handler): for every input both give
// the same error (message, file, line) or the same value, type for type.
#include <hc/core/error.h>
#include <hc/json/json.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace {

bool same(const hc::json::Value& a, const hc::json::Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case hc::json::Value::value_t::number_float: {
      double x = a.get<double>(), y = b.get<double>();
      return std::memcmp(&x, &y, sizeof x) == 0;
    }
    case hc::json::Value::value_t::array:
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
      return true;
    case hc::json::Value::value_t::object: {
      if (a.size() != b.size()) return false;
      auto ib = b.items().begin();
      for (const auto& [k, v] : a.items()) {
        if (k != ib.key() || !same(v, ib.value())) return false;
        ++ib;
      }
      return true;
    }
    default: return a == b;
  }
}

struct Outcome {
  std::optional<hc::json::Value> value;
  std::string error;
};

template <class F>
Outcome run(F parse) {
  Outcome o;
  try {
    o.value = parse();
  } catch (const hc::Error& e) {
    o.error = std::to_string(static_cast<int>(e.code())) + "|" + e.file() + "|" + std::to_string(e.line()) + "|" +
              e.message();
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // A small depth limit too, so the fuzzer reaches it.
  for (unsigned depth : {64u, 3u}) {
    hc::json::Limits limits{.max_bytes = 1 << 20, .max_depth = depth};
    auto fast = run([&] { return hc::json::parse(text, "fuzz", limits); });
    auto ref = run([&] { return hc::json::parse_reference(text, "fuzz", limits); });
    if (fast.error != ref.error) std::abort();
    if (fast.value.has_value() != ref.value.has_value()) std::abort();
    if (fast.value && !same(*fast.value, *ref.value)) std::abort();
  }
  return 0;
}

// Queries over non-identifying fields, with small-cell suppression.
#include <hc/ledger/ledger.h>

#include <hc/core/error.h>

#include <cstring>
#include <map>

#include <fmt/format.h>

namespace hc::ledger {
namespace {

const char* k_fields[] = {"age", "age_band", "gender", "condition", "procedure", "care_plan"};

/// [lo, hi] of an age band ("40-49" or "90+"); false if absent.
bool band(const json::Value& f, int& lo, int& hi) {
  auto it = f.find("age_band");
  if (it == f.end() || !it->is_string()) return false;
  const auto& s = it->get_ref<const std::string&>();
  try {  // validated when the transaction was accepted; a damaged table just does not match
    if (!s.empty() && s.back() == '+') {
      lo = std::stoi(s.substr(0, s.size() - 1));
      hi = 1000;
    } else {
      auto d = s.find('-');
      if (d == std::string::npos) return false;
      lo = std::stoi(s.substr(0, d));
      hi = std::stoi(s.substr(d + 1));
    }
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

bool matches(const json::Value& f, const Query::Where& w) {
  if (w.field == "age") {
    int lo, hi;
    if (!band(f, lo, hi)) return false;
    int x = std::stoi(w.value);
    // A band matches only if every age in it satisfies the condition.
    if (w.op == ">=") return lo >= x;
    if (w.op == ">") return lo > x;
    if (w.op == "<=") return hi <= x;
    if (w.op == "<") return hi < x;
    if (w.op == "=") return lo <= x && x <= hi;
    if (w.op == "!=") return x < lo || x > hi;
    return false;
  }
  auto it = f.find(w.field);
  if (it == f.end()) return w.op == "!=";
  const auto& v = it->get_ref<const std::string&>();
  if (w.op == "=") return v == w.value;
  if (w.op == "!=") return v != w.value;
  if (w.op == "<") return v < w.value;
  if (w.op == "<=") return v <= w.value;
  if (w.op == ">") return v > w.value;
  if (w.op == ">=") return v >= w.value;
  return false;
}

}  // namespace

Query::Where Query::parse_where(std::string_view text) {
  static const char* ops[] = {">=", "<=", "!=", "=", "<", ">"};
  for (const char* op : ops) {
    auto at = text.find(op);
    if (at == std::string_view::npos || at == 0) continue;
    Where w{std::string(text.substr(0, at)), op, std::string(text.substr(at + std::strlen(op)))};
    bool known = false;
    for (auto* f : k_fields) known = known || w.field == f;
    if (!known)
      throw Error(Exit::usage, "cannot filter on \"" + w.field + "\"")
          .hint("fields: age, age_band, gender, condition, procedure, care_plan");
    if (w.field == "age") {
      if (w.value.empty() || w.value.size() > 3 || w.value.find_first_not_of("0123456789") != std::string::npos)
        throw Error(Exit::usage, "age must be compared with a whole number of years, not \"" + w.value + "\"");
    }
    return w;
  }
  throw Error(Exit::usage, "a filter must look like FIELD=VALUE, FIELD>=N, ... (got \"" + std::string(text) + "\")");
}

bool query_matches(const json::Value& fields, const Query& q) {
  for (auto& w : q.where)
    if (!matches(fields, w)) return false;
  return true;
}

}  // namespace hc::ledger

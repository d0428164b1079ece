// Strict bounded parsing (a SAX handler over nlohmann's lexer) and RFC 8785.
#include <hc/json/json.h>

#include <hc/core/error.h>

#include "lexer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include <fmt/format.h>

namespace hc::json {
namespace {

/// Builds the DOM while enforcing depth, duplicate names and finite numbers;
/// nlohmann's own DOM parser silently keeps the last of duplicate names.
class StrictBuilder : public nlohmann::json_sax<Value> {
 public:
  explicit StrictBuilder(unsigned max_depth) : m_max_depth(max_depth) {}

  Value root;
  std::string problem;  // set when the handler itself rejects the input

  bool null() override { return put(Value(nullptr)); }
  bool boolean(bool v) override { return put(Value(v)); }
  bool number_integer(number_integer_t v) override { return put(Value(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(Value(v)); }
  bool number_float(number_float_t v, const string_t&) override {
    if (!std::isfinite(v)) return fail("number is out of the range of IEEE-754 doubles");
    return put(Value(v));
  }
  bool string(string_t& v) override { return put(Value(std::move(v))); }
  bool binary(binary_t&) override { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) override {
    if (m_stack.size() >= m_max_depth) return fail(fmt::format("nesting deeper than {} levels", m_max_depth));
    Value* v = place(Value::object());
    if (!v) return false;
    m_stack.push_back(v);
    return true;
  }
  bool key(string_t& k) override {
    Value& obj = *m_stack.back();
    auto [it, inserted] = obj.get_ref<Value::object_t&>().emplace(k, nullptr);
    if (!inserted) return fail(fmt::format("duplicate member name \"{}\"", k));
    m_slot = &it->second;
    return true;
  }
  bool end_object() override {
    m_stack.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    if (m_stack.size() >= m_max_depth) return fail(fmt::format("nesting deeper than {} levels", m_max_depth));
    Value* v = place(Value::array());
    if (!v) return false;
    m_stack.push_back(v);
    return true;
  }
  bool end_array() override {
    m_stack.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    error_position = position;
    // nlohmann's text reads "[json.exception.parse_error.101] parse error at
    // line 3, column 9: syntax error while parsing value - invalid literal;
    // last read: 'tru<U+000A>'"; keep the position and the reason.
    std::string m = ex.what();
    if (ex.id == 406) {
      problem = "number is out of the range of IEEE-754 doubles";
      return false;
    }
    unsigned long l = 0, c = 0;
    auto at = m.find(" at line ");
    if (at != std::string::npos && std::sscanf(m.c_str() + at, " at line %lu, column %lu", &l, &c) == 2) {
      error_line = l;
      error_column = c;
    }
    auto dash = m.find(" - ");
    if (dash != std::string::npos) m = m.substr(dash + 3);
    else if (auto close = m.find("] "); close != std::string::npos) m = m.substr(close + 2);
    problem = m;
    return false;
  }

  uint64_t error_line = 0, error_column = 0;
  size_t error_position = 0;

 private:
  bool fail(std::string why) {
    problem = std::move(why);
    return false;
  }
  bool put(Value&& v) { return place(std::move(v)) != nullptr; }
  Value* place(Value&& v) {
    if (m_stack.empty()) {
      root = std::move(v);
      return &root;
    }
    Value& top = *m_stack.back();
    if (top.is_array()) {
      top.get_ref<Value::array_t&>().push_back(std::move(v));
      return &top.get_ref<Value::array_t&>().back();
    }
    *m_slot = std::move(v);
    return m_slot;
  }

  unsigned m_max_depth;
  std::vector<Value*> m_stack;
  Value* m_slot = nullptr;
};

/// The fast path of parse(): a recursive-descent parser for the texts hc
/// exchanges. It accepts only texts the reference path (nlohmann's lexer with
/// StrictBuilder) accepts and builds the identical Value; on anything else —
/// every error, a duplicate name, the depth limit, a byte-order mark, numbers
/// it does not convert itself — it gives up and the reference path decides
/// and words the error, so behaviour and messages stay exactly as they were.
class FastParser : detail::Lexer {
 public:
  FastParser(std::string_view text, unsigned max_depth) : Lexer(text), m_max_depth(std::min(max_depth, 256u)) {}

  bool run(Value& out) {
    ws();
    if (!value(out, 0)) return false;
    ws();
    return m_p == m_end;
  }

 private:
  bool value(Value& out, unsigned depth) {
    if (m_p == m_end) return false;
    switch (*m_p) {
      case '{': return object(out, depth);
      case '[': return array(out, depth);
      case '"': {
        std::string s;
        bool escaped;
        if (!string(s, escaped)) return false;
        out = Value(std::move(s));
        return true;
      }
      case 't': return literal("true", 4) && (out = Value(true), true);
      case 'f': return literal("false", 5) && (out = Value(false), true);
      case 'n': return literal("null", 4) && (out = Value(nullptr), true);
      default: return number(out);
    }
  }

  bool object(Value& out, unsigned depth) {
    if (depth >= m_max_depth) return false;
    out = Value::object();
    auto& obj = out.get_ref<Value::object_t&>();
    return object_body([&] {
      std::string key;
      bool escaped;
      if (!string(key, escaped) || !colon()) return false;
      auto [it, inserted] = obj.emplace(std::move(key), nullptr);
      // A duplicate name: the reference path reports it.
      return inserted && value(it->second, depth + 1);
    });
  }

  bool array(Value& out, unsigned depth) {
    if (depth >= m_max_depth) return false;
    out = Value::array();
    auto& arr = out.get_ref<Value::array_t&>();
    return array_body([&] { return value(arr.emplace_back(), depth + 1); });
  }

  /// Integers of up to 18 digits are converted here (they cannot overflow);
  /// longer ones, and fractions or exponents to_double declines, go to the
  /// reference path.
  bool number(Value& out) {
    Number n;
    if (!Lexer::number(n)) return false;
    if (!n.is_float) {
      if (n.int_digits > 18) return false;
      uint64_t v = n.magnitude();
      if (n.negative) out = Value(static_cast<int64_t>(-static_cast<int64_t>(v)));
      else out = Value(v);
      return true;
    }
    double d;
    if (!to_double(n, d)) return false;
    out = Value(d);
    return true;
  }

  unsigned m_max_depth;
};

void line_column(std::string_view text, size_t pos, uint64_t& line, uint64_t& column) {
  line = 1;
  column = 1;
  pos = std::min(pos, text.size());
  for (size_t i = 0; i < pos; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

}  // namespace

namespace detail {

void append_string(std::string& out, std::string_view s) {
  static const char* k_hex = "0123456789abcdef";
  out.push_back('"');
  // Runs of characters that need no escape are appended whole.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!escaped_in_json(c)) continue;
    out.append(s.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(k_hex[c >> 4]);
          out.push_back(k_hex[c & 15]);
        }
    }
  }
  out.append(s.substr(run));
  out.push_back('"');
}

namespace {

/// Decodes the next code point of valid UTF-8 (the parser has checked it).
char32_t next_code_point(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
  char32_t cp = b & (0x3F >> extra);
  for (int k = 0; k < extra && i < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return cp;
}

}  // namespace

bool utf16_less(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    char32_t ca = next_code_point(a, i), cb = next_code_point(b, j);
    if (ca == cb) continue;
    auto unit = [](char32_t c) -> uint32_t { return c >= 0x10000 ? 0xD800 + ((c - 0x10000) >> 10) : c; };
    uint32_t ua = unit(ca), ub = unit(cb);
    if (ua != ub) return ua < ub;
    auto low = [](char32_t c) -> uint32_t { return 0xDC00 + ((c - 0x10000) & 0x3FF); };
    return low(ca) < low(cb);
  }
  return a.size() - i < b.size() - j;
}

void append_integer(std::string& out, int64_t i) {
  // Integers within ±2^53 print exactly as ECMAScript would; beyond that
  // RFC 8785 requires the double's form.
  if (i > -(int64_t(1) << 53) && i < (int64_t(1) << 53)) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, i);
    out.append(buf, r.ptr);
  } else {
    out += format_number(static_cast<double>(i));
  }
}

void append_unsigned(std::string& out, uint64_t u) {
  if (u < (uint64_t(1) << 53)) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, u);
    out.append(buf, r.ptr);
  } else {
    out += format_number(static_cast<double>(u));
  }
}

}  // namespace detail

namespace {

using detail::append_string;
using detail::utf16_less;

/// Whether the map's order (UTF-8 bytes) may differ from UTF-16 order.
bool needs_utf16_sort(const Value::object_t& obj) {
  return std::any_of(obj.begin(), obj.end(), [](const auto& kv) { return detail::sorts_differently_in_utf16(kv.first); });
}

}  // namespace

Value parse(std::string_view text, const std::string& source, const Limits& limits) {
  if (text.size() > limits.max_bytes)
    throw Error(Exit::data, fmt::format("JSON text is larger than the limit of {} bytes", limits.max_bytes))
        .file(source);
  {
    Value fast;
    if (FastParser(text, limits.max_depth).run(fast)) return fast;
  }
  return parse_reference(text, source, limits);
}

Value parse_reference(std::string_view text, const std::string& source, const Limits& limits) {
  if (text.size() > limits.max_bytes)
    throw Error(Exit::data, fmt::format("JSON text is larger than the limit of {} bytes", limits.max_bytes))
        .file(source);
  // nlohmann's lexer takes a NUL byte for the end of the input and would
  // read "1\0garbage" as 1. No JSON text has one (not even in a string,
  // where it must be escaped), so any NUL is refused where it stands.
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    uint64_t line, column;
    line_column(text, nul, line, column);
    throw Error(Exit::data, fmt::format("column {}: a NUL byte is not allowed in JSON text", column))
        .file(source.empty() ? std::string("<input>") : source)
        .line(line);
  }
  StrictBuilder builder(limits.max_depth);
  bool ok = false;
  try {
    ok = Value::sax_parse(text.begin(), text.end(), &builder, nlohmann::json::input_format_t::json, true);
  } catch (const nlohmann::json::exception& e) {
    builder.problem = e.what();
  }
  if (!ok) {
    uint64_t line = builder.error_line, column = builder.error_column;
    // Rejections by the handler itself (duplicates, depth) carry no position.
    if (!line && builder.error_position) line_column(text, builder.error_position, line, column);
    std::string msg = builder.problem.empty() ? "invalid JSON" : builder.problem;
    if (column) msg = fmt::format("column {}: {}", column, msg);
    Error e(Exit::data, msg);
    e.file(source.empty() ? std::string("<input>") : source);
    if (line) e.line(line);
    throw e;
  }
  return std::move(builder.root);
}

std::string format_number(double v) {
  if (!std::isfinite(v)) throw Error(Exit::data, "NaN and Infinity cannot be represented in JSON");
  if (v == 0) return "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  std::string out;
  if (sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  auto epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos))
    if (c != '.') digits.push_back(c);
  int exp10 = 0;
  std::from_chars(sci.data() + epos + (sci[epos + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp10);
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;  // ECMA-262 Number::toString: value = digits × 10^(n−k)
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<size_t>(n));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out += fmt::format("e{}{}", n - 1 >= 0 ? "+" : "-", std::abs(n - 1));
  }
  return out;
}

void canonical_append(std::string& out, const Value& v) {
  switch (v.type()) {
    case Value::value_t::null: out += "null"; return;
    case Value::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case Value::value_t::number_integer: detail::append_integer(out, v.get<int64_t>()); return;
    case Value::value_t::number_unsigned: detail::append_unsigned(out, v.get<uint64_t>()); return;
    case Value::value_t::number_float: out += format_number(v.get<double>()); return;
    case Value::value_t::string: append_string(out, v.get_ref<const std::string&>()); return;
    case Value::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v) {
        if (!first) out.push_back(',');
        first = false;
        canonical_append(out, e);
      }
      out.push_back(']');
      return;
    }
    case Value::value_t::object: {
      const auto& obj = v.get_ref<const Value::object_t&>();
      out.push_back('{');
      bool first = true;
      auto emit = [&](const std::string& k, const Value& e) {
        if (!first) out.push_back(',');
        first = false;
        append_string(out, k);
        out.push_back(':');
        canonical_append(out, e);
      };
      if (!needs_utf16_sort(obj)) {
        for (const auto& [k, e] : obj) emit(k, e);
      } else {
        std::vector<const Value::object_t::value_type*> members;
        members.reserve(obj.size());
        for (const auto& m : obj) members.push_back(&m);
        std::sort(members.begin(), members.end(),
                  [](auto* a, auto* b) { return utf16_less(a->first, b->first); });
        for (auto* m : members) emit(m->first, m->second);
      }
      out.push_back('}');
      return;
    }
    case Value::value_t::binary:
    case Value::value_t::discarded: break;
  }
  throw Error(Exit::data, "value cannot be represented in JSON");
}

std::string canonical(const Value& v) {
  std::string out;
  canonical_append(out, v);
  return out;
}

std::string dump(const Value& v, bool pretty) {
  std::string s = v.dump(pretty ? 2 : -1, ' ', false, Value::error_handler_t::strict);
  s.push_back('\n');
  return s;
}

const Value* find(const Value& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;  // missing and null mean the same
  return &*it;
}

const Value& require(const Value& object, std::string_view key, std::string_view context) {
  const Value* v = find(object, key);
  if (!v) {
    std::string f = context.empty() ? std::string(key) : fmt::format("{}.{}", context, key);
    throw Error(Exit::data, "missing").field(f);
  }
  return *v;
}

std::string require_string(const Value& object, std::string_view key, std::string_view context) {
  const Value& v = require(object, key, context);
  if (!v.is_string()) {
    std::string f = context.empty() ? std::string(key) : fmt::format("{}.{}", context, key);
    throw Error(Exit::data, "must be a string").field(f);
  }
  return v.get<std::string>();
}

}  // namespace hc::json

// The JSON layer: a bounded, strict (I-JSON) parser and the RFC 8785 canonical
// form. Every hc format goes through here, so it is kept small and measured.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hc::json {

/// A parsed JSON value. nlohmann's DOM: objects are sorted maps, integers keep
/// their exact value, other numbers are IEEE-754 doubles.
using Value = nlohmann::json;

/// Bounds applied while parsing untrusted text.
struct Limits {
  size_t max_bytes = 64u << 20;  ///< whole document
  unsigned max_depth = 64;       ///< nesting of arrays and objects
};

/// Parses one JSON text strictly: RFC 8259 syntax, valid UTF-8, no lone
/// surrogates, no duplicate member names, finite numbers (I-JSON, RFC 7493),
/// depth and size within `limits`. Throws Error{data} naming `source`, the
/// line and the column.
Value parse(std::string_view text, const std::string& source = "", const Limits& limits = {});
/// parse() without its fast path: nlohmann's lexer under the strict handler.
/// parse() gives the same value or the same error for every input; this is
/// here so that tests and the json_fastpath fuzz target can check that.
Value parse_reference(std::string_view text, const std::string& source = "", const Limits& limits = {});

/// The RFC 8785 (JCS) canonical form: members sorted by UTF-16 code units,
/// ECMAScript number form, minimal escapes, no whitespace. Throws Error{data}
/// for values I-JSON cannot carry.
std::string canonical(const Value& value);
/// Appends the canonical form of `value` to `out`.
void canonical_append(std::string& out, const Value& value);

/// ECMAScript Number.prototype.toString of a finite double (RFC 8785 §3.2.2.3);
/// -0 gives "0". Throws Error{data} for NaN and infinities.
std::string format_number(double value);

/// Text for people (`pretty`, two-space indent) or compact text, with a
/// trailing newline. UTF-8 is kept as is.
std::string dump(const Value& value, bool pretty);

/// Accessors that name the field in their error (Error{data}).
const Value& require(const Value& object, std::string_view key, std::string_view context = "");
const Value* find(const Value& object, std::string_view key);
std::string require_string(const Value& object, std::string_view key, std::string_view context = "");

}  // namespace hc::json

// Command-line values (see args.h).
#include <hc/share/args.h>

#include <hc/consent/consent.h>
#include <hc/core/error.h>
#include <hc/ledger/format.h>

#include <cstdlib>
#include <filesystem>

namespace hc::share {

int64_t parse_when(const std::string& t, int64_t now, const std::string& option) {
  if (t == "now") return now;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    size_t i = 1;
    int64_t n = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9' && i < 10) n = n * 10 + (t[i++] - '0');
    int64_t unit = 0;
    if (i + 1 == t.size() && i > 1) {
      switch (t[i]) {
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = 86400; break;
        default: break;
      }
    }
    if (!unit)
      throw Error(Exit::usage, "\"" + t + "\" is not a time offset like +10m, -1h, +30d").field(option);
    return t[0] == '+' ? now + n * unit : now - n * unit;
  }
  try {
    return consent::parse_time(t, option);
  } catch (const Error&) {
    throw Error(Exit::usage, "\"" + t.substr(0, 40) + "\" is not a time: give now, +N[smhd], -N[smhd] or YYYY-MM-DDTHH:MM:SSZ")
        .field(option);
  }
}

std::string party_id(const std::string& text, const std::string& option, bool allow_any) {
  if (allow_any && text == "*") return text;
  if (ledger::is_key_id(text) && !std::filesystem::exists(text)) return text;
  if (!std::filesystem::exists(text))
    throw Error(Exit::usage, "\"" + text + "\" is neither a key file nor a key ID (16 lowercase hex digits)")
        .field(option);
  return keys::load_public(text).key_id;
}

std::string check_context(const std::string& c) {
  if (c.empty() || c.size() > 128)
    throw Error(Exit::usage, "a context names one relationship in 1-128 characters").field("context");
  for (char ch : c)
    if (ch < 0x20 || ch > 0x7e) throw Error(Exit::usage, "a context must be printable ASCII").field("context");
  return c;
}

}  // namespace hc::share

// See canonical.h. The rules mirror hc::json::canonical_append: no
// whitespace; strings escape exactly " \ and the control characters (\b \f
// \n \r \t, else \u00xx in lowercase hex) and nothing else; integers in
// ECMAScript form; members sorted (for ASCII names without escapes, byte
// order is UTF-16 order) and never repeated.
#include <hc/ledger/canonical.h>

#include <cstddef>
#include <cstdint>

namespace hc::ledger {
namespace {

class Walker {
 public:
  explicit Walker(std::string_view t) : m_t(t) {}

  bool run() { return value(0) && m_i == m_t.size(); }

 private:
  std::string_view m_t;
  size_t m_i = 0;

  bool at(char c) const { return m_i < m_t.size() && m_t[m_i] == c; }
  bool literal(std::string_view w) {
    if (m_t.substr(m_i, w.size()) != w) return false;
    m_i += w.size();
    return true;
  }

  bool value(unsigned depth) {
    if (depth > 64 || m_i >= m_t.size()) return false;
    switch (m_t[m_i]) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string(nullptr);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  /// A string token; `simple` (if given) tells whether it is ASCII without escapes.
  bool string(bool* simple) {
    ++m_i;  // opening quote
    bool plain = true;
    while (m_i < m_t.size()) {
      auto c = static_cast<unsigned char>(m_t[m_i]);
      if (c == '"') {
        ++m_i;
        if (simple) *simple = plain;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) plain = false;
      if (c == '\\') {
        plain = false;
        if (m_i + 1 >= m_t.size()) return false;
        char e = m_t[m_i + 1];
        if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
          m_i += 2;
          continue;
        }
        if (e != 'u' || m_i + 6 > m_t.size() || m_t[m_i + 2] != '0' || m_t[m_i + 3] != '0') return false;
        auto hex = [](char h) { return (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : -1; };
        int hi = hex(m_t[m_i + 4]), lo = hex(m_t[m_i + 5]);
        if (hi < 0 || lo < 0) return false;
        int cp = hi * 16 + lo;
        // Only control characters without a short escape take \u00xx.
        if (cp >= 0x20 || cp == 0x08 || cp == 0x09 || cp == 0x0a || cp == 0x0c || cp == 0x0d) return false;
        m_i += 6;
        continue;
      }
      ++m_i;
    }
    return false;
  }

  /// -?(0|[1-9][0-9]*) with magnitude below 2^53, and not -0.
  bool number() {
    size_t start = m_i;
    bool neg = at('-');
    if (neg) ++m_i;
    if (m_i >= m_t.size() || m_t[m_i] < '0' || m_t[m_i] > '9') return false;
    if (m_t[m_i] == '0') {
      ++m_i;
      if (neg) return false;  // -0 is written 0
    } else {
      uint64_t v = 0;
      size_t digits = 0;
      while (m_i < m_t.size() && m_t[m_i] >= '0' && m_t[m_i] <= '9') {
        if (++digits > 16) return false;
        v = v * 10 + uint64_t(m_t[m_i] - '0');
        ++m_i;
      }
      if (v >= (uint64_t(1) << 53)) return false;
    }
    if (m_i < m_t.size() && (m_t[m_i] == '.' || m_t[m_i] == 'e' || m_t[m_i] == 'E')) return false;
    return m_i > start;
  }

  bool array(unsigned depth) {
    ++m_i;
    if (at(']')) {
      ++m_i;
      return true;
    }
    for (;;) {
      if (!value(depth + 1)) return false;
      if (at(',')) {
        ++m_i;
        continue;
      }
      if (at(']')) {
        ++m_i;
        return true;
      }
      return false;
    }
  }

  bool object(unsigned depth) {
    ++m_i;
    if (at('}')) {
      ++m_i;
      return true;
    }
    std::string_view prev;
    bool first = true;
    for (;;) {
      if (!at('"')) return false;
      size_t k0 = m_i + 1;
      bool simple = false;
      if (!string(&simple) || !simple) return false;
      std::string_view key = m_t.substr(k0, m_i - 1 - k0);
      if (!first && !(prev < key)) return false;  // sorted and unique
      prev = key;
      first = false;
      if (!at(':')) return false;
      ++m_i;
      if (!value(depth + 1)) return false;
      if (at(',')) {
        ++m_i;
        continue;
      }
      if (at('}')) {
        ++m_i;
        return true;
      }
      return false;
    }
  }
};

}  // namespace

bool certainly_canonical(std::string_view text) { return Walker(text).run(); }

}  // namespace hc::ledger

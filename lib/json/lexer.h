// The strict token readers shared by the json area's two fast readers
// (FastParser, which builds a DOM, and TapeReader, which builds a Tape).
// Internal to lib/json: both must accept exactly the same texts, so the
// grammar of whitespace, literals, strings and numbers lives here once.
#pragma once

#include <hc/core/byte_scan.h>

#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hc::json::detail {

/// The length of the leading run of [p, end) that a JSON string holds as it
/// is: no '"', '\\', control character or byte from 0x80. It may stop
/// early, at 0x7F (the scalar route); the caller steps over what it accepts.
/// SSE2 is part of x86-64, so that route needs no check at run time.
inline size_t string_run(const char* p, const char* end) {
#if defined(__SSE2__)
  const char* start = p;
  const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  for (; end - p >= 16; p += 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // A signed compare: bytes from 0x80 are negative, so below ' ' too.
    __m128i stop = _mm_or_si128(_mm_cmplt_epi8(x, space),
                                _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
    if (int m = _mm_movemask_epi8(stop))
      return static_cast<size_t>(p - start) + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(m)));
  }
  return static_cast<size_t>(p - start) + scan::plain_ascii_prefix(p, static_cast<size_t>(end - p));
#else
  return scan::plain_ascii_prefix(p, static_cast<size_t>(end - p));
#endif
}

/// Reads RFC 8259 tokens from [m_p, m_end). Every reader returns false on
/// anything it does not accept; the caller then gives up on the fast path
/// and nlohmann's lexer under the strict handler decides and words the error.
class Lexer {
 protected:
  explicit Lexer(std::string_view text) : m_p(text.data()), m_end(text.data() + text.size()) {}

  /// Skips whitespace. Every whitespace byte is at most ' ', so the byte
  /// that ends the run (most often the only one looked at) costs one compare.
  void ws() {
    while (m_p != m_end && static_cast<unsigned char>(*m_p) <= ' ' &&
           (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
      ++m_p;
  }

  bool literal(const char* word, size_t n) {
    if (static_cast<size_t>(m_end - m_p) < n || std::memcmp(m_p, word, n) != 0) return false;
    m_p += n;
    return true;
  }

  /// At '{': calls `member()` with m_p at each member's opening quote (it
  /// reads the name, colon(), then the value); true after the closing '}'.
  template <class Member>
  bool object_body(Member&& member) {
    ++m_p;
    ws();
    if (m_p != m_end && *m_p == '}') {
      ++m_p;
      return true;
    }
    for (;;) {
      if (m_p == m_end || *m_p != '"') return false;
      if (!member()) return false;
      Next n = next_item('}');
      if (n != Next::more) return n == Next::closed;
    }
  }

  /// At '[': calls `element()` with m_p at each element; true after the ']'.
  template <class Element>
  bool array_body(Element&& element) {
    ++m_p;
    ws();
    if (m_p != m_end && *m_p == ']') {
      ++m_p;
      return true;
    }
    for (;;) {
      if (!element()) return false;
      Next n = next_item(']');
      if (n != Next::more) return n == Next::closed;
    }
  }

  /// Between a member's name and its value.
  bool colon() {
    ws();
    if (m_p == m_end || *m_p != ':') return false;
    ++m_p;
    ws();
    return true;
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool hex4(uint32_t& v) {
    if (m_end - m_p < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      int d = hex_digit(m_p[i]);
      if (d < 0) return false;
      v = (v << 4) | static_cast<uint32_t>(d);
    }
    m_p += 4;
    return true;
  }

  static void put_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  /// Well-formed UTF-8 (RFC 3629 table 3-7, as nlohmann's lexer checks it)
  /// starting at the lead byte m_p[0] >= 0x80; returns its length or 0.
  size_t utf8_length() const {
    auto b = [&](ptrdiff_t i) { return static_cast<unsigned char>(m_p[i]); };
    auto cont = [&](ptrdiff_t i, unsigned lo, unsigned hi) { return i < m_end - m_p && b(i) >= lo && b(i) <= hi; };
    unsigned c = b(0);
    if (c >= 0xC2 && c <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
    if (c == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
    if (c == 0xF0) return cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    return 0;
  }

  /// At the opening quote: appends the decoded string to `out`. Runs of
  /// plain ASCII are skipped sixteen bytes at a time (string_run); the byte
  /// that ends a run is looked at here. `escaped` is set when the text had an escape,
  /// `high` when it had a character from U+E000 (raw or escaped), the only
  /// ones whose UTF-8 byte order may differ from UTF-16 order.
  bool string(std::string& out, bool& escaped) {
    bool high;
    return string(out, escaped, high);
  }
  bool string(std::string& out, bool& escaped, bool& high) {
    ++m_p;
    escaped = false;
    high = false;
    // Most strings are one plain run: that case inline, the rest not.
    const char* run = m_p;
    m_p += string_run(m_p, m_end);
    if (m_p != m_end && *m_p == '"') [[likely]] {
      out.append(run, static_cast<size_t>(m_p - run));
      ++m_p;
      return true;
    }
    return string_rest(out, run, escaped, high);
  }

  /// string() after its first run, which ended at m_p (not at a quote).
  [[gnu::noinline]] bool string_rest(std::string& out, const char* run, bool& escaped, bool& high) {
    for (;; m_p += string_run(m_p, m_end)) {
      if (m_p == m_end) return false;
      auto c = static_cast<unsigned char>(*m_p);
      if (c == '"') {
        out.append(run, static_cast<size_t>(m_p - run));
        ++m_p;
        return true;
      }
      if (c < 0x20) return false;
      if (c < 0x80 && c != '\\') {
        ++m_p;
        continue;
      }
      if (c >= 0x80) {
        size_t n = utf8_length();
        if (!n) return false;
        high |= c >= 0xEE;
        m_p += n;
        continue;
      }
      // An escape.
      escaped = true;
      out.append(run, static_cast<size_t>(m_p - run));
      ++m_p;
      if (m_p == m_end) return false;
      char e = *m_p++;
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // lone low surrogate
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (m_end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u') return false;
            m_p += 2;
            if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          high |= cp >= 0xE000;
          put_utf8(out, cp);
          break;
        }
        default: return false;
      }
      run = m_p;
    }
  }

  /// An RFC 8259 number token, read but not converted.
  struct Number {
    const char* start;   ///< the token, sign included
    const char* end;
    const char* digits;  ///< its integer digits
    size_t int_digits;
    bool negative, is_float;  ///< is_float: a fraction or an exponent
    size_t size() const { return static_cast<size_t>(end - start); }
    /// The value of an integer token of up to 18 digits (it cannot overflow).
    uint64_t magnitude() const {
      uint64_t v = 0;
      for (const char* d = digits; d != digits + int_digits; ++d) v = v * 10 + static_cast<uint64_t>(*d - '0');
      return v;
    }
  };

  bool number(Number& n) {
    n.start = m_p;
    n.negative = false;
    n.is_float = false;
    if (*m_p == '-') {
      n.negative = true;
      ++m_p;
    }
    if (m_p == m_end || *m_p < '0' || *m_p > '9') return false;
    n.digits = m_p;
    if (*m_p == '0') {
      ++m_p;
      if (m_p != m_end && *m_p >= '0' && *m_p <= '9') return false;
    } else {
      while (m_p != m_end && *m_p >= '0' && *m_p <= '9') ++m_p;
    }
    n.int_digits = static_cast<size_t>(m_p - n.digits);
    if (m_p != m_end && *m_p == '.') {
      n.is_float = true;
      ++m_p;
      if (m_p == m_end || *m_p < '0' || *m_p > '9') return false;
      while (m_p != m_end && *m_p >= '0' && *m_p <= '9') ++m_p;
    }
    if (m_p != m_end && (*m_p == 'e' || *m_p == 'E')) {
      n.is_float = true;
      ++m_p;
      if (m_p != m_end && (*m_p == '+' || *m_p == '-')) ++m_p;
      if (m_p == m_end || *m_p < '0' || *m_p > '9') return false;
      while (m_p != m_end && *m_p >= '0' && *m_p <= '9') ++m_p;
    }
    n.end = m_p;
    return true;
  }

  /// The token as nlohmann converts it (std::strtod, after putting in the
  /// locale's decimal point: the same call on the same token gives the same
  /// double). False for a token longer than `max` characters, a locale whose
  /// decimal point is not '.', or a value that is not finite.
  static bool to_double(const Number& n, double& out) {
    constexpr size_t max = 63;
    size_t len = n.size();
    char buf[max + 1];
    if (len > max || std::localeconv()->decimal_point[0] != '.' || std::localeconv()->decimal_point[1]) return false;
    std::memcpy(buf, n.start, len);
    buf[len] = '\0';
    char* endp = nullptr;
    out = std::strtod(buf, &endp);
    return endp == buf + len && std::isfinite(out);
  }

  const char* m_p;
  const char* m_end;

 private:
  enum class Next { more, closed, bad };
  /// After an item: a ',' (and the whitespace after it), or `close`.
  Next next_item(char close) {
    ws();
    if (m_p == m_end) return Next::bad;
    if (*m_p == ',') {
      ++m_p;
      ws();
      return Next::more;
    }
    if (*m_p != close) return Next::bad;
    ++m_p;
    return Next::closed;
  }
};

// The pieces of the RFC 8785 writer that the Tape's writer uses too
// (defined in json.cpp).

/// A character RFC 8785 writes escaped in a string: a control character,
/// '"' or '\\'.
inline bool escaped_in_json(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }
/// Whether UTF-8 byte order may differ from RFC 8785's UTF-16 order for a
/// member name: only for code points from U+E000 (lead byte 0xEE or more).
inline bool sorts_differently_in_utf16(std::string_view name) {
  for (unsigned char c : name)
    if (c >= 0xEE) return true;
  return false;
}
/// `s` as a JSON string with the minimal escapes.
void append_string(std::string& out, std::string_view s);
/// RFC 8785 §3.2.3: names compare as arrays of UTF-16 code units.
bool utf16_less(std::string_view a, std::string_view b);
/// An integer: exact within ±2^53, beyond that the double's form.
void append_integer(std::string& out, int64_t i);
void append_unsigned(std::string& out, uint64_t u);

}  // namespace hc::json::detail

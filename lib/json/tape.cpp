// Reading a JSON text into a Tape (see tape.h), with parse()'s strictness:
// the grammar comes from the same Lexer as parse()'s fast path.
#include <hc/json/tape.h>

#include "lexer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

namespace hc::json {

class TapeReader : detail::Lexer {
 public:
  TapeReader(std::string_view text, unsigned max_depth, Tape& tape)
      : Lexer(text), m_max_depth(std::min(max_depth, 256u)), m_tape(tape) {}

  bool run() {
    ws();
    if (!value(0)) return false;
    ws();
    return m_p == m_end;
  }

 private:
  using Node = Tape::Node;
  using Kind = Tape::Kind;

  /// A new node. The node array only grows (by doubling, out of line), so
  /// that a push is a compare and a store.
  Tape::Index push(Kind kind) {
    Tape::Index i = m_tape.m_used;
    if (i == m_tape.m_nodes.size()) [[unlikely]]
      grow();
    m_tape.m_nodes[i] = Node{kind, false, 0, 0, 0, 0};
    m_tape.m_used = i + 1;
    return i;
  }
  [[gnu::noinline]] void grow() { m_tape.m_nodes.resize(std::max<size_t>(64, 2 * m_tape.m_nodes.size())); }
  void close(Tape::Index i) { m_tape.m_nodes[i].next = m_tape.m_used; }
  /// Makes [off, end of arena) node i's text.
  void set_text(Tape::Index i, size_t off) {
    m_tape.m_nodes[i].off = static_cast<uint32_t>(off);
    m_tape.m_nodes[i].len = static_cast<uint32_t>(m_tape.m_arena.size() - off);
  }
  void leaf(Kind kind, std::string_view text) {
    Tape::Index i = push(kind);
    size_t off = m_tape.m_arena.size();
    m_tape.m_arena += text;
    set_text(i, off);
    close(i);
  }

  bool value(unsigned depth) {
    if (m_p == m_end) return false;
    switch (*m_p) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string_node();
      case 't': return literal("true", 4) && (leaf(Kind::boolean, "true"), true);
      case 'f': return literal("false", 5) && (leaf(Kind::boolean, "false"), true);
      case 'n': return literal("null", 4) && (leaf(Kind::null, "null"), true);
      default: return number_node();
    }
  }

  bool string_node() {
    bool escaped, high;
    return string_node(escaped, high);
  }
  bool string_node(bool& escaped, bool& high) {
    Tape::Index i = push(Kind::string);
    size_t off = m_tape.m_arena.size();
    if (!string(m_tape.m_arena, escaped, high)) return false;
    set_text(i, off);
    // Without an escape in the text, no character of it needs one (the
    // lexer refuses raw controls, and '"' and '\' only come escaped).
    auto s = m_tape.text(i);
    m_tape.m_nodes[i].plain =
        !escaped || std::none_of(s.begin(), s.end(), [](char c) { return detail::escaped_in_json(static_cast<unsigned char>(c)); });
    close(i);
    return true;
  }

  /// A fraction already in the form format_number gives its double: no
  /// exponent, no trailing zero, at most 15 significant digits, and at
  /// least 1e-6 (ECMAScript writes smaller values with an exponent). Two
  /// decimals of at most 15 significant digits lie further apart than a
  /// double's precision (DBL_DIG is 15), so the shortest text that reads
  /// back as the token's double is the token's own digits.
  static bool already_canonical(const Number& n) {
    const char* frac = n.digits + n.int_digits;
    if (frac == n.end || *frac != '.' || n.end[-1] == '0') return false;
    ++frac;
    size_t frac_digits = 0;
    for (const char* p = frac; p != n.end; ++p, ++frac_digits)
      if (*p < '0' || *p > '9') return false;  // an exponent
    size_t significant = n.int_digits + frac_digits;
    if (n.int_digits == 1 && n.digits[0] == '0') {
      size_t zeros = 0;
      while (frac[zeros] == '0') ++zeros;  // (the last digit is not '0')
      if (zeros > 5) return false;
      significant = frac_digits - zeros;
    }
    return significant <= 15;
  }

  /// The canonical text of a number: what canonical_append writes for the
  /// Value that parse() (its fast path, or nlohmann's lexer) makes of it.
  bool number_node() {
    Number n;
    if (!number(n)) return false;
    Tape::Index i = push(Kind::number);
    size_t off = m_tape.m_arena.size();
    if (!n.is_float && n.int_digits <= 18) {
      uint64_t v = n.magnitude();
      if (n.negative) detail::append_integer(m_tape.m_arena, -static_cast<int64_t>(v));
      else detail::append_unsigned(m_tape.m_arena, v);
    } else if (already_canonical(n)) {
      m_tape.m_arena.append(n.start, n.end);
    } else {
      // A fraction, an exponent, or an integer too long for 18 digits:
      // nlohmann stores the last as an integer when it fits 64 bits, whose
      // canonical form (beyond 2^53) is that of the double nearest to it,
      // which is the double strtod gives for the same digits.
      double d;
      if (!to_double(n, d)) return false;
      m_tape.m_arena += format_number(d);
    }
    set_text(i, off);
    close(i);
    return true;
  }

  bool object(unsigned depth) {
    if (depth >= m_max_depth) return false;
    Tape::Index self = push(Kind::object);
    const size_t base = m_tape.m_open.size();
    bool utf16 = false;
    return object_body([&] { return name(utf16) && colon() && value(depth + 1); }) &&
           finish_object(self, base, utf16);
  }

  /// A member's name: its string node, and its entry in m_open. `utf16` is
  /// set when the name's UTF-8 byte order may differ from UTF-16 order.
  bool name(bool& utf16) {
    const char* quoted = m_p + 1;
    Tape::Index node = m_tape.m_used;
    bool escaped, high;
    if (!string_node(escaped, high)) return false;
    utf16 |= high;
    const size_t n = m_tape.m_nodes[node].len;
    uint64_t key = 0;
    if (n) {
      // Without an escape the name's bytes are the text's, which goes on
      // past its closing quote; the bytes after the name are masked off.
      unsigned char b[8] = {};
      const char* from = quoted;
      if (escaped || m_end - quoted < 8) {
        std::memcpy(b, m_tape.text(node).data(), std::min<size_t>(n, 8));
        from = reinterpret_cast<const char*>(b);
      }
      std::memcpy(&key, from, 8);
      if constexpr (std::endian::native == std::endian::little) key = __builtin_bswap64(key);
      if (n < 8) key &= ~uint64_t{0} << (64 - 8 * n);
    }
    m_tape.m_open.push_back({key, node});
    return true;
  }

  /// Names in byte order, as a three-way compare: the keys decide unless
  /// they are equal (the first eight bytes tie, or a name is shorter and
  /// the other has NULs after it).
  int compare(const Tape::OpenName& a, const Tape::OpenName& b) const {
    if (a.key != b.key) return a.key < b.key ? -1 : 1;
    return m_tape.text(a.node).compare(m_tape.text(b.node));
  }

  /// Sorts the object's names into RFC 8785 order and moves them to the
  /// member list; false on a duplicate name (parse() refuses those).
  bool finish_object(Tape::Index self, size_t base, bool utf16) {
    auto& open = m_tape.m_open;
    Tape::OpenName* f = open.data() + base;
    const size_t n = open.size() - base;
    if (utf16) {
      const Tape& t = m_tape;
      std::sort(f, f + n, [&t](const Tape::OpenName& a, const Tape::OpenName& b) {
        return detail::utf16_less(t.text(a.node), t.text(b.node));
      });
      if (std::adjacent_find(f, f + n, [&t](const Tape::OpenName& a, const Tape::OpenName& b) {
            return t.text(a.node) == t.text(b.node);
          }) != f + n)
        return false;
    } else {
      // Byte order: an insertion sort, which costs one compare per member
      // when the members arrive in order and finds a duplicate where it
      // would insert it (the names before it are sorted and distinct).
      for (size_t k = 1; k < n; ++k) {
        int c = compare(f[k - 1], f[k]);
        if (c < 0) continue;
        if (c == 0) return false;
        Tape::OpenName x = f[k];
        size_t j = k;
        do {
          f[j] = f[j - 1];
          --j;
        } while (j > 0 && (c = compare(x, f[j - 1])) < 0);
        if (j > 0 && c == 0) return false;
        f[j] = x;
      }
    }
    Node& node = m_tape.m_nodes[self];
    auto& members = m_tape.m_members;
    node.off = static_cast<uint32_t>(members.size());
    node.size = static_cast<uint32_t>(n);
    for (size_t k = 0; k < n; ++k) members.push_back(f[k].node);
    open.resize(base);
    close(self);
    return true;
  }

  bool array(unsigned depth) {
    if (depth >= m_max_depth) return false;
    Tape::Index self = push(Kind::array);
    uint32_t count = 0;
    if (!array_body([&] { return ++count, value(depth + 1); })) return false;
    m_tape.m_nodes[self].size = count;
    close(self);
    return true;
  }

  unsigned m_max_depth;
  Tape& m_tape;
};

bool Tape::read(std::string_view text, const Limits& limits) {
  m_used = 0;
  m_members.clear();
  m_arena.clear();
  m_open.clear();
  // Offsets are 32-bit: the arena never holds more than the text's strings
  // plus the canonical numbers, a few times the text at most.
  if (text.size() > limits.max_bytes || text.size() > std::numeric_limits<uint32_t>::max() / 8) return false;
  return TapeReader(text, limits.max_depth, *this).run();
}

Tape::Index Tape::find(Index object, std::string_view name) const {
  for (uint32_t k = 0; k < size(object); ++k) {
    Index n = member(object, k);
    if (text(n) == name) return n + 1;
  }
  return npos;
}

void canonical_append(std::string& out, const Tape& tape, Tape::Index i) {
  switch (tape.kind(i)) {
    case Tape::Kind::string:
      if (tape.plain(i)) {
        out += '"';
        out += tape.text(i);
        out += '"';
      } else {
        detail::append_string(out, tape.text(i));
      }
      return;
    case Tape::Kind::array: {
      out += '[';
      Tape::Index e = i + 1;
      for (uint32_t k = 0; k < tape.size(i); ++k, e = tape.next(e)) {
        if (k) out += ',';
        canonical_append(out, tape, e);
      }
      out += ']';
      return;
    }
    case Tape::Kind::object:
      out += '{';
      for (uint32_t k = 0; k < tape.size(i); ++k) {
        if (k) out += ',';
        Tape::Index name = tape.member(i, k);
        canonical_append(out, tape, name);
        out += ':';
        canonical_append(out, tape, name + 1);
      }
      out += '}';
      return;
    default: out += tape.text(i); return;
  }
}

}  // namespace hc::json

// A JSON text read into flat arrays instead of a DOM, for code that walks a
// document once and writes it out again in RFC 8785 form (hc-sign's framer).
// parse() allocates a map per object and a string per name and value; a
// Tape is three buffers that a reader reuses from one document to the next,
// with every leaf already in its canonical form and every object's members
// already in canonical order.
#pragma once

#include <hc/json/json.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hc::json {

class Tape {
 public:
  enum class Kind : uint8_t { null, boolean, number, string, array, object };
  /// A node: the root is node 0; an array's elements follow it in order; an
  /// object's members follow it as name, value, name, value... in the
  /// text's order (member() gives them in canonical order).
  using Index = uint32_t;
  static constexpr Index npos = UINT32_MAX;

  /// Reads `text`. True when it is one JSON text that parse() accepts with
  /// the same limits: the same grammar, UTF-8 and surrogate rules, no
  /// duplicate member names, finite numbers, depth and size. False for
  /// every text parse() refuses, and for the few it accepts that this reader
  /// leaves to it (a byte-order mark; a number token over 63 characters; a
  /// number when the C locale's decimal point is not '.'): call parse()
  /// then, for its error or its value.
  bool read(std::string_view text, const Limits& limits = {});

  Kind kind(Index i) const { return m_nodes[i].kind; }
  /// Strings and member names: the decoded text. Numbers, true, false and
  /// null: their RFC 8785 form ("1e+21", "0" for -0, ...).
  std::string_view text(Index i) const { return {m_arena.data() + m_nodes[i].off, m_nodes[i].len}; }
  /// Strings and names: whether the RFC 8785 form is text() in quotes (no
  /// character of it needs an escape).
  bool plain(Index i) const { return m_nodes[i].plain; }
  /// Arrays: the number of elements; objects: of members.
  uint32_t size(Index i) const { return m_nodes[i].size; }
  /// The node after i's subtree (i's next sibling, when it has one).
  Index next(Index i) const { return m_nodes[i].next; }
  /// Objects: the name node of member k (0 <= k < size) in RFC 8785 order
  /// (UTF-16 code units); the member's value is the node after it.
  Index member(Index object, uint32_t k) const { return m_members[m_nodes[object].off + k]; }
  /// Objects: the value of the member named `name`, or npos.
  Index find(Index object, std::string_view name) const;

 private:
  friend class TapeReader;
  struct Node {
    Kind kind;
    bool plain;
    uint32_t size;  ///< containers: elements or members
    uint32_t next;  ///< one past the subtree
    uint32_t off;   ///< leaves: text in m_arena; objects: first slot in m_members
    uint32_t len;
  };
  std::vector<Node> m_nodes;     ///< the first m_used; the rest is room kept from text to text
  Index m_used = 0;
  std::vector<Index> m_members;  ///< every object's name nodes, sorted, one run per object
  std::string m_arena;           ///< decoded strings and canonical number text
  /// While reading: the names of the objects not yet closed, each with its
  /// first eight bytes as a big-endian number (zero-padded), which orders
  /// two names as their bytes do whenever the two numbers differ.
  struct OpenName {
    uint64_t key;
    Index node;
  };
  std::vector<OpenName> m_open;
};

/// Appends the RFC 8785 form of node `i` (what canonical_append writes for
/// the Value that parse() gives for the same text).
void canonical_append(std::string& out, const Tape& tape, Tape::Index i);

}  // namespace hc::json

// hc's SD-JWT profile for FHIR records: signing with a policy-driven
// disclosure frame, extraction and strict verification.
#include <hc/ces/ces.h>
#include <hc/json/tape.h>

#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/crypto/base64url_simd.h>
#include <hc/crypto/random_stream.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

namespace hc::ces {
namespace {

Error invalid(std::string msg) { return Error(Exit::invalid, std::move(msg)); }

std::vector<std::string> tokens_of(const std::string& pointer) { return pointer_split(pointer); }

std::string join(const std::vector<std::string>& tokens, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < tokens.size(); ++i) {
    out += '/';
    out += pointer_escape(tokens[i]);
  }
  return out;
}

/// A pointer token as an array index: decimal, no leading zero, at most 9
/// digits (RFC 6901 §4); nothing for any other token.
std::optional<size_t> array_index(const std::string& t) {
  if (t.empty() || t.size() > 9 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      (t.size() > 1 && t[0] == '0'))
    return std::nullopt;
  return std::stoul(t);
}

const json::Value* at(const json::Value& root, const std::vector<std::string>& tokens, size_t from = 0) {
  const json::Value* v = &root;
  for (size_t i = from; i < tokens.size(); ++i) {
    const auto& t = tokens[i];
    if (v->is_object()) {
      auto it = v->find(t);
      if (it == v->end()) return nullptr;
      v = &*it;
    } else if (v->is_array()) {
      auto idx = array_index(t);
      if (!idx || *idx >= v->size()) return nullptr;
      v = &(*v)[*idx];
    } else {
      return nullptr;
    }
  }
  return v;
}

/// Every concrete match of `pattern` under `node`, with the tokens the "*"s took.
void matches(const json::Value& node, const std::vector<std::string>& pattern, size_t i,
             std::vector<std::string>& bound, std::vector<std::vector<std::string>>& out) {
  if (i == pattern.size()) {
    out.push_back(bound);
    return;
  }
  const auto& t = pattern[i];
  if (t == "*") {
    if (node.is_object()) {
      for (const auto& [k, child] : node.items()) {
        bound.push_back(k);
        matches(child, pattern, i + 1, bound, out);
        bound.pop_back();
      }
    } else if (node.is_array()) {
      for (size_t k = 0; k < node.size(); ++k) {
        bound.push_back(std::to_string(k));
        matches(node[k], pattern, i + 1, bound, out);
        bound.pop_back();
      }
    }
    return;
  }
  std::vector<std::string> one{t};
  if (const json::Value* child = at(node, one)) matches(*child, pattern, i + 1, bound, out);
}

std::vector<std::string> substitute(const std::vector<std::string>& pattern, const std::vector<std::string>& bound) {
  std::vector<std::string> out;
  size_t b = 0;
  for (const auto& t : pattern) out.push_back(t == "*" && b < bound.size() ? bound[b++] : t);
  return out;
}

struct CompiledRules {
  std::vector<std::vector<std::string>> plain, together;
};

CompiledRules compile(const TypeRules& r) {
  CompiledRules c;
  for (const auto& p : r.plain) c.plain.push_back(tokens_of(p));
  for (const auto& p : r.together) c.together.push_back(tokens_of(p));
  return c;
}

}  // namespace

namespace detail {

/// One token of a policy pattern, compared with a path's tokens without
/// writing them as strings (pattern_match's rule: "*" matches any token,
/// any other token only an equal one; an array index is the token that
/// std::to_string writes for it).
struct PatternToken {
  std::string text;
  bool any = false;
  bool index = false;  ///< `text` is the decimal form of `value`, as std::to_string writes it
  size_t value = 0;
  bool matches(std::string_view key) const { return any || text == key; }
  bool matches(size_t i) const { return any || (index && value == i); }
};

struct FramePattern {
  std::vector<PatternToken> tokens;
  bool together = false;  ///< a "together" pattern, else a "plain" one
};

/// A resource type's rules as the framer uses them.
struct FrameRules {
  std::vector<FramePattern> patterns;
  std::vector<std::pair<std::string, std::vector<std::string>>> required;  ///< pointer and its tokens
  /// "requires" rules: the tokens of the "if" and "then" patterns.
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> requires_;
};

FrameRules compile_frame_rules(const TypeRules& r) {
  FrameRules c;
  for (const auto& req : r.required) c.required.emplace_back(req, tokens_of(req));
  for (const auto& [if_p, then_p] : r.requires_) c.requires_.emplace_back(tokens_of(if_p), tokens_of(then_p));
  auto add = [&](const std::string& pointer, bool together) {
    FramePattern p;
    p.together = together;
    for (auto& t : tokens_of(pointer)) {
      PatternToken tok;
      tok.any = t == "*";
      if (!t.empty() && t.size() <= 19 && std::all_of(t.begin(), t.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
          (t.size() == 1 || t[0] != '0')) {
        tok.value = std::stoull(t);
        tok.index = std::to_string(tok.value) == t;
      }
      tok.text = std::move(t);
      p.tokens.push_back(std::move(tok));
    }
    // An empty pattern matches only the resource itself, never a part of it.
    if (!p.tokens.empty()) c.patterns.push_back(std::move(p));
  };
  for (const auto& p : r.plain) add(p, false);
  for (const auto& p : r.together) add(p, true);
  return c;
}

/// What a Signer computes once: its policy compiled, and the payload texts
/// that are the same for every document.
struct SignPlan {
  std::map<const TypeRules*, FrameRules> rules;  ///< every type of the policy that compiles
  std::string head;  ///< payload up to "fhir": {"_sd_alg":"sha-256",("cnf":...,)("exp":...,)"fhir":
  std::string iss;   ///< ,"iss":"<key id>"}
  mutable std::atomic<size_t> disclosures{16};  ///< how many the last document had (a capacity hint)
};

/// Text being written by the signer: a std::string whose size runs ahead of
/// the text, up to what it has held before, so that appending never
/// zero-fills (std::string::resize does) and small pieces of known size are
/// plain stores; [0, size()) is the text.
class Text {
 public:
  void clear() { m_n = 0; }
  size_t size() const { return m_n; }
  bool empty() const { return m_n == 0; }
  std::string_view view() const { return {m_s.data(), m_n}; }
  /// The text from `offset` (below size()), to fill in what was reserved.
  char* at(size_t offset) { return m_s.data() + offset; }
  /// Room for `k` more characters at the end; returns where they go.
  [[gnu::always_inline]] char* grow(size_t k) {
    if (m_s.size() - m_n < k) expand(k);
    char* p = m_s.data() + m_n;
    m_n += k;
    return p;
  }
  void put(char c) { *grow(1) = c; }
  void put(std::string_view v) {
    if (!v.empty()) std::memcpy(grow(v.size()), v.data(), v.size());
  }
  template <size_t N>
  void lit(const char (&text)[N]) {
    std::memcpy(grow(N - 1), text, N - 1);
  }
  /// What json::canonical_append writes for `v`.
  void canonical(const json::Value& v) {
    thread_local std::string scratch;
    scratch.clear();
    json::canonical_append(scratch, v);
    put(scratch);
  }
  /// What json::canonical_append writes for node `i` of `tape`: leaves
  /// straight from the tape, containers through a scratch string.
  void canonical(const json::Tape& tape, json::Tape::Index i) {
    switch (tape.kind(i)) {
      case json::Tape::Kind::string:
        if (!tape.plain(i)) break;
        {
          auto s = tape.text(i);
          char* o = grow(s.size() + 2);
          o[0] = '"';
          std::memcpy(o + 1, s.data(), s.size());
          o[s.size() + 1] = '"';
        }
        return;
      case json::Tape::Kind::array:
      case json::Tape::Kind::object: break;
      default: put(tape.text(i)); return;
    }
    thread_local std::string scratch;
    scratch.clear();
    json::canonical_append(scratch, tape, i);
    put(scratch);
  }

 private:
  [[gnu::noinline]] void expand(size_t k) { m_s.resize(std::max(m_s.size() * 2, m_n + k + 256)); }

  std::string m_s;
  size_t m_n = 0;
};

/// One signed document, in buffers a thread reuses from one document to the
/// next: the disclosures, the JWS signing input, the signature. The
/// disclosures are written with the separator of the serialization to come
/// between them (`","` for JSON, `~` for compact), so that Signer::sign_line
/// copies them into its line in one piece.
struct Signed {
  Text disclosures;            ///< base64url disclosures, `separator` between them
  std::string_view separator;  ///< set before signing
  std::vector<size_t> ends;    ///< where each disclosure ends in `disclosures`
  std::string input;           ///< the JWS signing input: protected "." payload
  size_t payload_at = 0;       ///< where the payload starts in `input`
  std::string signature;       ///< base64url

  void clear(std::string_view sep) {
    disclosures.clear();
    separator = sep;
    ends.clear();
    input.clear();
    signature.clear();
  }
  size_t count() const { return ends.size(); }
  std::string_view disclosure(size_t i) const {
    size_t begin = i ? ends[i - 1] + separator.size() : 0;
    return disclosures.view().substr(begin, ends[i] - begin);
  }
  std::string_view protected_b64() const { return std::string_view(input).substr(0, payload_at - 1); }
  std::string_view payload_b64() const { return std::string_view(input).substr(payload_at); }
};

}  // namespace detail

namespace {

using detail::Signed;
using detail::Text;
using json::Tape;

Signed& thread_signed() {
  thread_local Signed s;
  return s;
}

/// at() on a Tape: the node `tokens` lead to from `i`, or Tape::npos.
Tape::Index at(const Tape& t, Tape::Index i, const std::vector<std::string>& tokens) {
  for (const auto& tok : tokens) {
    if (t.kind(i) == Tape::Kind::object) {
      i = t.find(i, tok);
      if (i == Tape::npos) return i;
    } else if (t.kind(i) == Tape::Kind::array) {
      auto idx = array_index(tok);
      if (!idx || *idx >= t.size(i)) return Tape::npos;
      Tape::Index e = i + 1;
      for (size_t k = 0; k < *idx; ++k) e = t.next(e);
      i = e;
    } else {
      return Tape::npos;
    }
  }
  return i;
}

/// matches() on a Tape: calls `found(bound)` for every concrete match of
/// `pattern` under node `i`, with the tokens the "*"s took.
template <class Found>
void matches(const Tape& t, Tape::Index i, const std::vector<std::string>& pattern, size_t k,
             std::vector<std::string>& bound, const Found& found) {
  if (k == pattern.size()) return found(bound);
  if (pattern[k] != "*") {
    Tape::Index child = at(t, i, {pattern[k]});
    if (child != Tape::npos) matches(t, child, pattern, k + 1, bound, found);
    return;
  }
  if (t.kind(i) == Tape::Kind::object) {
    for (uint32_t m = 0; m < t.size(i); ++m) {
      Tape::Index name = t.member(i, m);
      bound.emplace_back(t.text(name));
      matches(t, name + 1, pattern, k + 1, bound, found);
      bound.pop_back();
    }
  } else if (t.kind(i) == Tape::Kind::array) {
    Tape::Index e = i + 1;
    for (uint32_t m = 0; m < t.size(i); ++m, e = t.next(e)) {
      bound.push_back(std::to_string(m));
      matches(t, e, pattern, k + 1, bound, found);
      bound.pop_back();
    }
  }
}

/// A token of the path being framed: a member name, or an array index when
/// `member` is false.
struct PathToken {
  std::string_view key;
  size_t index;
  bool member;
};

std::string join(const std::vector<PathToken>& path) {
  std::string out;
  for (const auto& t : path) {
    out += '/';
    out += t.member ? pointer_escape(t.key) : std::to_string(t.index);
  }
  return out;
}

/// Builds the disclosure frame of one document, writing the canonical
/// (RFC 8785) text of the framed resource and of every disclosure directly
/// from the input's Tape: the same bytes json::canonical gives for the frame
/// as a DOM, without building one and copying every value into it.
class Framer {
 public:
  Framer(const Policy& policy, const detail::SignPlan& plan, const Tape& tape, Signed& out)
      : m_policy(policy), m_plan(plan), m_tape(tape), m_out(out) {}
  Framer(const Framer&) = delete;
  Framer& operator=(const Framer&) = delete;

  /// Appends the canonical text of the framed resource (node `resource`) to `out`.
  void frame_resource(Tape::Index resource, const std::string& where, Text& out) {
    const Tape& t = m_tape;
    if (t.kind(resource) != Tape::Kind::object)
      throw Error(Exit::data, "a FHIR resource must be a JSON object").field(where);
    Tape::Index rt = t.find(resource, "resourceType");
    if (rt == Tape::npos || t.kind(rt) != Tape::Kind::string || t.text(rt).empty())
      throw Error(Exit::data, "missing or not a string: not a FHIR resource").field(where + "/resourceType");
    std::string_view type = t.text(rt);
    const TypeRules* rules = m_policy.rules_for(std::string(type));
    if (!rules)
      throw Error(Exit::data, fmt::format("the policy \"{}\" has no rules for resource type {}", m_policy.name, type))
          .field(where + "/resourceType");
    // Compiled with the Signer; a policy that changed since is compiled here.
    std::optional<detail::FrameRules> own;
    auto cached = m_plan.rules.find(rules);
    const detail::FrameRules& compiled = cached != m_plan.rules.end() ? cached->second : own.emplace(detail::compile_frame_rules(*rules));
    for (const auto& [req, tokens] : compiled.required)
      if (at(t, resource, tokens) == Tape::npos)
        throw Error(Exit::data, fmt::format("{} {} lacks {}, which the policy requires", type,
                                            where.empty() ? "resource" : where, req))
            .field(where + req);
    // A part whose "requires" partner is missing from the whole document
    // could never verify (hc-verify checks the same rule): refuse it here.
    for (size_t k = 0; k < compiled.requires_.size(); ++k) {
      const auto& if_t = compiled.requires_[k].first;
      const auto& then_t = compiled.requires_[k].second;
      std::vector<std::string> bound;
      matches(t, resource, if_t, 0, bound, [&](const std::vector<std::string>& b) {
        auto then_at = substitute(then_t, b);
        if (at(t, resource, then_at) != Tape::npos) return;
        throw Error(Exit::data, fmt::format("{} {} has {} without {}, which the policy requires ({} requires {})", type,
                                            where.empty() ? "resource" : where, join(substitute(if_t, b)),
                                            join(then_at), rules->requires_[k].first, rules->requires_[k].second))
            .field(where + join(substitute(if_t, b)));
      });
    }
    if (std::find(m_types.begin(), m_types.end(), type) == m_types.end()) m_types.push_back(type);
    Ctx ctx{compiled, type == "Bundle", where, {}};
    // Every pattern can match below the root (none is empty).
    Span all{static_cast<uint32_t>(m_alive.size()), 0};
    for (uint32_t i = 0; i < compiled.patterns.size(); ++i) m_alive.push_back(i);
    all.end = static_cast<uint32_t>(m_alive.size());
    frame(resource, all, ctx, 0, out);
    m_alive.resize(all.begin);
  }

  /// The resource types framed, in order of first appearance (views into the tape).
  const std::vector<std::string_view>& types() const { return m_types; }

 private:
  /// Indices into m_alive: the patterns whose first tokens match a node's
  /// path and that are longer than it (they may match below it).
  struct Span {
    uint32_t begin, end;
  };
  /// What the patterns say of one child: its span, and whether a pattern
  /// ends on it.
  struct Child {
    Span alive;
    bool plain = false, together = false;
  };
  struct Ctx {
    const detail::FrameRules& rules;
    bool bundle;
    std::string base;
    std::vector<PathToken> path;
  };

  /// A digest as base64url text (always 43 characters).
  using Digest = detail::DigestText;

  /// Per-depth buffers, kept across documents on this thread so that
  /// framing allocates only the disclosures it returns.
  struct Level {
    Text after;                 ///< members that sort after "_sd"
    Text disclosure;            ///< the disclosure being written
    /// The digests of the disclosures and decoys, as SHA-256 output: they
    /// are encoded once all are made (reading a digest just written would
    /// wait for its stores), into `digests` for an object.
    std::vector<crypto::Hash256> hashes;
    std::vector<Digest> digests;
    std::vector<uint64_t> keys;   ///< scratch of detail::digest_text_order
    std::vector<uint32_t> order;  ///< the digests' indices in text order
    /// Array: where each {"...": } reference's digest goes in the text, and
    /// the index of that digest in `hashes`.
    std::vector<std::pair<size_t, uint32_t>> slots;
    std::vector<char> marks;    ///< array layout: 1 = real element, 0 = decoy
    std::vector<char> plain;    ///< per array element: signed in the clear
  };
  /// The buffers of the object or array being framed: one Level per nesting
  /// (counted across the resources of a Bundle, which restart `depth`).
  struct Nest {
    explicit Nest(unsigned& n) : m_n(n), lv(level(n)) { ++m_n; }
    ~Nest() { --m_n; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
    unsigned& m_n;
    Level& lv;
  };
  static Level& level(unsigned depth) {
    thread_local std::vector<std::unique_ptr<Level>> levels;
    while (levels.size() <= depth) levels.push_back(std::make_unique<Level>());
    return *levels[depth];
  }

  /// The child `key` (a member name or an array index) of a node whose path
  /// has `depth` tokens and whose live patterns are `parent`: pushes the
  /// child's live patterns on m_alive (pop with m_alive.resize(c.alive.begin)).
  template <class Key>
  Child child(const Ctx& ctx, Span parent, size_t depth, const Key& key) {
    Child c;
    c.alive.begin = static_cast<uint32_t>(m_alive.size());
    for (uint32_t i = parent.begin; i < parent.end; ++i) {
      uint32_t id = m_alive[i];
      const auto& p = ctx.rules.patterns[id];
      if (!p.tokens[depth].matches(key)) continue;
      if (p.tokens.size() == depth + 1) (p.together ? c.together : c.plain) = true;
      else m_alive.push_back(id);
    }
    c.alive.end = static_cast<uint32_t>(m_alive.size());
    return c;
  }

  /// 128 bits of salt from the CSPRNG, as a JSON string.
  void salt(Text& out) {
    char* o = out.grow(2 + crypto::base64url_size(16));
    o[0] = '"';
    o = crypto::base64url_write(o + 1, m_rng.take(16), 16);
    *o = '"';
  }

  /// Records a disclosure given its canonical JSON text; its digest goes
  /// to `hash` (32 bytes).
  void add(std::string_view text, uint8_t* hash) {
    if (!m_out.ends.empty()) m_out.disclosures.put(m_out.separator);
    const size_t n = crypto::base64url_size(text.size());
    char* d = m_out.disclosures.grow(n);
    crypto::base64url_write(d, crypto::as_bytes(text), text.size());
    m_out.ends.push_back(m_out.disclosures.size());
    crypto::sha256(crypto::as_bytes(std::string_view(d, n)), n, hash);
  }

  /// A decoy digest as RFC 9901 §4.2.5 describes it: the SHA-256 of a
  /// random number (128 bits from the CSPRNG), so that decoys are made the
  /// way the standard says, not only look like they were.
  /// `k` of them appended to `out`.
  void decoys(size_t k, std::vector<crypto::Hash256>& out) {
    static_assert(sizeof(crypto::Hash256) == 32);
    while (k > 0) {
      const size_t now = std::min<size_t>(k, 4);  // take() gives at most 64 bytes
      const size_t at = out.size();
      out.resize(at + now);
      crypto::sha256_of_16(m_rng.take(16 * now), now, out[at].data());
      k -= now;
    }
  }

  /// k < "_sd" in RFC 8785 order. Against an ASCII name, UTF-16 order is
  /// byte order: a non-ASCII character sorts after every ASCII one in both.
  static bool sorts_before_sd(std::string_view k) {
    static constexpr char sd[3] = {'_', 's', 'd'};
    for (size_t i = 0; i < 3; ++i) {
      if (i == k.size()) return true;  // a proper prefix of "_sd"
      auto c = static_cast<unsigned char>(k[i]);
      if (c != static_cast<unsigned char>(sd[i])) return c < static_cast<unsigned char>(sd[i]);
    }
    return false;  // "_sd" itself or longer
  }

  static bool reserved(std::string_view k) {
    return (k.size() == 3 && (k == "_sd" || k == "...")) || (k.size() == 7 && k == "_sd_alg");
  }

  size_t decoys_for(size_t real) const {
    if (m_policy.decoy_pad == 0 || real == 0) return 0;
    size_t pad = m_policy.decoy_pad;
    return (real / pad + 1) * pad - real;
  }

  /// Writes the disclosure [salt, (name,) value] for node `v` (the child
  /// `c`, named by node `name` unless it is an array element); its digest
  /// goes to `hash` (32 bytes).
  void disclose(Tape::Index v, Tape::Index name, const Child& c, Ctx& ctx, unsigned depth, Level& lv, uint8_t* hash) {
    Text& d = lv.disclosure;
    d.clear();
    d.put('[');
    salt(d);
    d.put(',');
    if (name != Tape::npos) {
      d.canonical(m_tape, name);
      d.put(',');
    }
    if (c.together) d.canonical(m_tape, v);
    else frame(v, c.alive, ctx, depth + 1, d);
    d.put(']');
    add(d.view(), hash);
  }

  void frame(Tape::Index v, Span alive, Ctx& ctx, unsigned depth, Text& out) {
    if (depth > 64) throw Error(Exit::data, "resource nested deeper than 64 levels").field(ctx.base + join(ctx.path));
    switch (m_tape.kind(v)) {
      case Tape::Kind::object: return frame_object(v, alive, ctx, depth, out);
      case Tape::Kind::array: return frame_array(v, alive, ctx, depth, out);
      default: out.canonical(m_tape, v);
    }
  }

  void frame_object(Tape::Index v, Span alive, Ctx& ctx, unsigned depth, Text& out) {
    const Tape& t = m_tape;
    Nest nest(m_nest);
    Level& lv = nest.lv;
    auto& path = ctx.path;
    // Members come from the tape in RFC 8785 order. Those before "_sd" go
    // straight to `out`, the others wait in lv.after until the digests are known.
    auto& hashes = lv.hashes;
    hashes.clear();
    lv.after.clear();
    out.put('{');
    bool first = true;
    const size_t d = path.size();
    for (uint32_t m = 0; m < t.size(v); ++m) {
      const Tape::Index name = t.member(v, m), child_v = name + 1;
      std::string_view k = t.text(name);
      if (reserved(k))
        throw Error(Exit::data, fmt::format("member name \"{}\" is reserved by SD-JWT", k)).field(ctx.base + join(path));
      bool before_sd = sorts_before_sd(k);
      auto member = [&](Text& dst, bool& lead) {
        if (!lead) dst.put(',');
        lead = false;
        dst.canonical(t, name);
        dst.put(':');
      };
      bool no_lead = false;
      path.push_back({k, 0, true});
      if (ctx.bundle && d == 2 && path[0].member && path[0].key == "entry" && k == "resource") {
        // An entry's resource is framed with the rules of its own type; it
        // goes with its entry, so it is not a disclosure of its own.
        if (before_sd) member(out, first);
        else member(lv.after, no_lead);
        frame_resource(child_v, ctx.base + join(path), before_sd ? out : lv.after);
      } else {
        Child c = child(ctx, alive, d, k);
        if (c.plain) {
          if (before_sd) member(out, first);
          else member(lv.after, no_lead);
          (before_sd ? out : lv.after).canonical(t, child_v);
        } else {
          disclose(child_v, name, c, ctx, depth, lv, hashes.emplace_back().data());
        }
        m_alive.resize(c.alive.begin);
      }
      path.pop_back();
    }
    if (!hashes.empty()) {
      decoys(decoys_for(hashes.size()), hashes);
      auto& digests = lv.digests;
      digests.resize(hashes.size());
      for (size_t i = 0; i < hashes.size(); ++i) crypto::base64url_write(digests[i].data(), hashes[i].data(), 32);
      // In text order, which hides the members' order (RFC 9901 §4.2.4.1).
      detail::digest_text_order(digests.data(), digests.size(), lv.keys, lv.order);
      if (!first) out.put(',');
      first = false;
      char* o = out.grow(7 + digests.size() * 46);  // "_sd":[ + "digest" and , or ] each
      std::memcpy(o, "\"_sd\":[", 7);
      o += 7;
      for (size_t i = 0; i < digests.size(); ++i) {
        const Digest& dg = digests[lv.order[i]];
        if (i) *o++ = ',';
        *o++ = '"';
        std::memcpy(o, dg.data(), dg.size());  // base64url: no escapes
        o += dg.size();
        *o++ = '"';
      }
      *o = ']';
    }
    if (!lv.after.empty()) {
      // lv.after holds ",m1,m2...": drop the first comma if nothing precedes.
      if (first) out.put(lv.after.view().substr(1));
      else out.put(lv.after.view());
    }
    out.put('}');
  }

  void frame_array(Tape::Index v, Span alive, Ctx& ctx, unsigned depth, Text& out) {
    const Tape& t = m_tape;
    Nest nest(m_nest);
    Level& lv = nest.lv;
    auto& path = ctx.path;
    const size_t d = path.size();
    const size_t n = t.size(v);
    // Which elements are disclosed (their number sets the decoys), then
    // where the decoys go: each at a uniform position among those before it.
    size_t real = 0;
    auto& plain = lv.plain;
    plain.assign(n, 0);
    if (alive.begin != alive.end) {
      for (size_t i = 0; i < n; ++i) {
        Child c = child(ctx, alive, d, i);
        m_alive.resize(c.alive.begin);
        plain[i] = c.plain ? 1 : 0;
      }
    }
    for (char p : plain) real += p ? 0 : 1;
    lv.marks.assign(n, 1);
    auto& hashes = lv.hashes;
    hashes.clear();
    decoys(decoys_for(real), hashes);
    for (size_t i = decoys_for(real); i > 0; --i) {
      size_t pos = m_rng.below(lv.marks.size() + 1);
      lv.marks.insert(lv.marks.begin() + static_cast<long>(pos), 0);
    }
    const auto& marks = lv.marks;
    // Each reference {"...":"<digest>"} is written with room for its digest,
    // filled in at the end from `hashes`: decoys first, then the elements'.
    auto& slots = lv.slots;
    slots.clear();
    out.put('[');
    size_t next = 0;
    uint32_t next_decoy = 0;
    Tape::Index element = v + 1;
    auto reference = [&out, &slots](uint32_t hash) {
      char* o = out.grow(8 + std::tuple_size_v<Digest> + 2);
      std::memcpy(o, "{\"...\":\"", 8);
      std::memcpy(o + 8 + std::tuple_size_v<Digest>, "\"}", 2);
      slots.push_back({static_cast<size_t>(o + 8 - out.at(0)), hash});
    };
    for (size_t m = 0; m < marks.size(); ++m) {
      if (m) out.put(',');
      if (!marks[m]) {
        reference(next_decoy++);
        continue;
      }
      size_t i = next++;
      Tape::Index e = element;
      element = t.next(e);
      if (plain[i]) {
        out.canonical(t, e);
        continue;
      }
      path.push_back({{}, i, false});
      Child c = child(ctx, alive, d, i);
      const auto at = static_cast<uint32_t>(hashes.size());
      disclose(e, Tape::npos, c, ctx, depth, lv, hashes.emplace_back().data());
      m_alive.resize(c.alive.begin);
      path.pop_back();
      reference(at);
    }
    out.put(']');
    for (const auto& [offset, hash] : slots) crypto::base64url_write(out.at(offset), hashes[hash].data(), 32);
  }

  const Policy& m_policy;
  const detail::SignPlan& m_plan;
  const Tape& m_tape;
  Signed& m_out;
  std::vector<std::string_view> m_types;
  unsigned m_nest = 0;
  /// The live patterns of every node on the path being framed, as a stack.
  std::vector<uint32_t> m_alive;
  /// Salts, decoys and decoy positions: one system-RNG draw per document,
  /// expanded with ChaCha20 (crypto::RandomStream), which wipes what it
  /// gave out when the Framer goes.
  crypto::RandomStream m_rng;
};

int64_t require_int(const json::Value& obj, const char* key, const char* what, bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) throw invalid(fmt::format("{} has no \"{}\" claim", what, key));
    return 0;
  }
  if (!it->is_number_integer()) throw invalid(fmt::format("\"{}\" in {} must be an integer", key, what));
  return it->get<int64_t>();
}

std::string claim_string(const json::Value& obj, const char* key, const char* what) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) throw invalid(fmt::format("{} has no string \"{}\" claim", what, key));
  return it->get<std::string>();
}

/// The holder's Ed25519 key from "cnf": {"jwk": {...}} (RFC 7800, RFC 8037).
std::optional<crypto::Ed25519Public> holder_key(const json::Value& payload) {
  auto cnf = payload.find("cnf");
  if (cnf == payload.end() || cnf->is_null()) return std::nullopt;
  if (!cnf->is_object() || !cnf->contains("jwk") || !(*cnf)["jwk"].is_object())
    throw invalid("\"cnf\" must be {\"jwk\": {...}}");
  const auto& jwk = (*cnf)["jwk"];
  if (jwk.value("kty", "") != "OKP" || jwk.value("crv", "") != "Ed25519" || !jwk.contains("x") ||
      !jwk["x"].is_string())
    throw invalid("\"cnf.jwk\" must be an Ed25519 OKP key (RFC 8037)");
  crypto::Bytes x;
  try {
    x = crypto::unbase64url(jwk["x"].get<std::string>());
  } catch (const Error& e) {
    throw invalid("\"cnf.jwk.x\": " + e.message());
  }
  if (x.size() != 32) throw invalid("\"cnf.jwk.x\" must be 32 bytes");
  crypto::Ed25519Public pk;
  std::copy(x.begin(), x.end(), pk.begin());
  return pk;
}

/// Patterns with their tokens as written (escaped, RFC 6901), indexed by
/// their first token, so that the disclosures' pointers are matched in
/// place: escaping is one-to-one, so escaped tokens are equal exactly when
/// the tokens are, and "*" is the same either way.
struct RawPatterns {
  std::vector<std::vector<std::string>> tokens;  ///< escaped; in policy order (the first match is reported)
  /// Distinct first tokens other than "*", by length then bytes, each with
  /// its pattern indexes, ascending.
  std::vector<std::pair<std::string, std::vector<uint32_t>>> by_first;
  std::vector<uint32_t> wild_first;  ///< patterns whose first token is "*", ascending

  explicit RawPatterns(const std::vector<std::vector<std::string>>& compiled = {}) {
    for (size_t i = 0; i < compiled.size(); ++i) {
      auto& esc = tokens.emplace_back();
      for (const auto& t : compiled[i]) esc.push_back(pointer_escape(t));
      if (esc.empty()) continue;  // (matches nothing, as in pattern_match_prefix)
      if (esc[0] == "*") {
        wild_first.push_back(static_cast<uint32_t>(i));
        continue;
      }
      auto it = std::lower_bound(by_first.begin(), by_first.end(), esc[0], before);
      if (it == by_first.end() || it->first != esc[0]) it = by_first.insert(it, {esc[0], {}});
      it->second.push_back(static_cast<uint32_t>(i));
    }
  }

  static bool before(const std::pair<std::string, std::vector<uint32_t>>& e, std::string_view t) {
    return e.first.size() != t.size() ? e.first.size() < t.size() : std::string_view(e.first) < t;
  }

  /// The index of the first pattern, in policy order, that `t[0..n)` or a
  /// prefix of it (itself excluded unless `include_self`) matches, as
  /// pattern_match_prefix decides; -1 if none.
  long first_match(const std::string_view* t, size_t n, bool include_self) const {
    size_t limit = include_self ? n : (n == 0 ? 0 : n - 1);
    if (limit == 0) return -1;
    static const std::vector<uint32_t> none;
    auto it = std::lower_bound(by_first.begin(), by_first.end(), t[0], before);
    const auto& a = it == by_first.end() || it->first != t[0] ? none : it->second;
    const auto& b = wild_first;
    for (size_t i = 0, j = 0; i < a.size() || j < b.size();) {
      uint32_t k = (j == b.size() || (i < a.size() && a[i] < b[j])) ? a[i++] : b[j++];
      const auto& p = tokens[k];
      if (p.size() > limit) continue;
      size_t m = 1;  // (the first token matched: it is t[0] or "*")
      for (; m < p.size(); ++m)
        if (!(p[m].size() == 1 && p[m][0] == '*') && p[m] != t[m]) break;
      if (m == p.size()) return static_cast<long>(k);
    }
    return -1;
  }
};

struct ViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

/// A type's rules as token lists, for the policy checks.
struct TokenRules {
  CompiledRules parts;  ///< plain and together
  RawPatterns plain, together;  ///< the same, escaped and indexed
  /// For a disclosure at a pointer from the resource root (escaped, as
  /// written): the plain and the together pattern it breaks, -1 for none.
  /// What the patterns say of a pointer, kept: one signer's documents
  /// disclose the same parts again and again. Bounded (cleared when full).
  std::unordered_map<std::string, std::pair<long, long>, ViewHash, std::equal_to<>> placements;
  std::vector<std::vector<std::string>> required;
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> requires_;
};

/// The token lists of each type's rules of one policy, made when first
/// asked for.
class RuleTokens {
 public:
  TokenRules& of(const TypeRules& r) {
    auto [it, fresh] = m_by_rules.try_emplace(&r);
    if (fresh) {
      it->second.parts = compile(r);
      it->second.plain = RawPatterns(it->second.parts.plain);
      it->second.together = RawPatterns(it->second.parts.together);
      for (const auto& req : r.required) it->second.required.push_back(tokens_of(req));
      for (const auto& [if_p, then_p] : r.requires_) it->second.requires_.emplace_back(tokens_of(if_p), tokens_of(then_p));
    }
    return it->second;
  }

 private:
  std::map<const TypeRules*, TokenRules> m_by_rules;
};

/// The signed policy of the documents last read on this thread, with its
/// token lists. One signer signs many records under one policy, so a claim
/// equal to the last one (a DOM comparison) is not read and tokenized again.
struct SignedPolicyCache {
  json::Value claim;
  /// The text hc-verify last read `claim` from (spliced, see SetAside), or
  /// empty: the same bytes parse to the same claim, which is then not parsed.
  std::string claim_text;
  std::shared_ptr<const Policy> policy;
  RuleTokens tokens;
};

SignedPolicyCache& signed_policy_cache() {
  thread_local SignedPolicyCache cache;
  return cache;
}

/// Equal DOMs of the same types throughout (nlohmann's == says 4 == 4.0,
/// and Policy::from_json does not), numbers compared bit for bit.
bool same_dom(const json::Value& a, const json::Value& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    const auto& x = a.get_ref<const json::Value::object_t&>();
    const auto& y = b.get_ref<const json::Value::object_t&>();
    if (x.size() != y.size()) return false;
    for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
      if (i->first != j->first || !same_dom(i->second, j->second)) return false;
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!same_dom(a[i], b[i])) return false;
    return true;
  }
  if (a.is_number_float()) {
    double x = a.get<double>(), y = b.get<double>();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  return a == b;
}

std::shared_ptr<const Policy> signed_policy(const json::Value& claim) {
  auto& cache = signed_policy_cache();
  if (!cache.policy || !same_dom(cache.claim, claim)) {
    auto policy = std::make_shared<const Policy>(Policy::from_json(claim, "hc_policy", Exit::invalid));
    cache.claim = claim;  // (only once read without error)
    cache.claim_text.clear();
    cache.policy = std::move(policy);
    cache.tokens = RuleTokens();
  }
  return cache.policy;
}

/// The JWS header of the documents last verified on this thread, decoded
/// (decode_json_part): one signer writes the same header for every
/// document, and the same text, read with the same limits, is the same
/// header. Only a header read without error is kept.
const json::Value& verify_header(std::string_view b64, const SdJwtLimits& limits) {
  struct Cache {
    bool valid = false;
    std::string b64;
    size_t max_bytes = 0;
    unsigned max_depth = 0;
    json::Value header;
  };
  thread_local Cache c;
  if (c.valid && c.b64 == b64 && c.max_bytes == limits.max_bytes && c.max_depth == limits.max_depth) return c.header;
  c.valid = false;
  c.header = decode_json_part(b64, "JWS header", limits);
  c.b64.assign(b64);
  c.max_bytes = limits.max_bytes;
  c.max_depth = limits.max_depth;
  c.valid = true;
  return c.header;
}

/// The JWS payload's JSON text, decoded into a buffer reused on this thread
/// (payloads are kilobytes, read once per document).
std::string& payload_text(std::string_view part) {
  thread_local std::string text;
  decode_part_text(part, "JWS payload", text);
  return text;
}

/// Disclosure processing on the payload's text (process_text), for an hc
/// EMR: every disclosure inside the resource. On success doc.processed
/// holds the processed payload; otherwise nothing is changed and the DOM
/// path (process_parts) decides.
bool process_fast(const SdJwt& sd, Document& doc, const std::string& text, const SdJwtLimits& limits) {
  Processed p;
  if (!process_text(text, sd.disclosures, limits, p)) return false;
  for (const auto& part : p.parts)
    if (part.pointer.rfind("/fhir/", 0) != 0) return false;
  doc.processed = std::move(p);
  return true;
}

/// process_fast for hc-verify: the hc_policy claim is set aside as text
/// (aside) and parsed only if it differs from the claim last read on this
/// thread (into `claim`); if it does not parse, nothing is changed and the
/// DOM path decides, as if the whole text had not parsed.
bool process_fast_aside(const SdJwt& sd, Document& doc, const std::string& text, const SdJwtLimits& limits,
                        SetAside& aside, json::Value& claim) {
  Processed p;
  if (!process_text(text, sd.disclosures, limits, p, aside)) return false;
  for (const auto& part : p.parts)
    if (part.pointer.rfind("/fhir/", 0) != 0) return false;
  const auto& cache = signed_policy_cache();
  if (aside.found && !(cache.policy && aside.text == cache.claim_text)) {
    try {
      claim = json::parse(aside.text, {}, {.max_bytes = limits.max_bytes, .max_depth = limits.max_depth});
    } catch (const Error&) {
      return false;
    }
  }
  doc.processed = std::move(p);
  return true;
}

/// Applies the disclosures to doc.payload in place (the DOM path).
void process_parts(const SdJwt& sd, Document& doc, const SdJwtLimits& limits) {
  if (!doc.payload.is_object()) throw invalid("the SD-JWT payload is not a JSON object");
  doc.processed = process(std::move(doc.payload), sd.disclosures, limits);
  for (size_t i = 0; i < doc.processed.parts.size(); ++i) {
    const auto& p = doc.processed.parts[i].pointer;
    if (p.rfind("/fhir/", 0) != 0)
      throw invalid(fmt::format("disclosure {} is a claim outside the resource ({}); those must be signed in the clear",
                                i + 1, p));
  }
}

/// After either path: doc.payload gets the claims outside the resource and
/// doc.processed.claims just {"fhir": resource}, so that nothing is copied.
void split_resource(Document& doc) {
  auto& claims = doc.processed.claims.get_ref<json::Value::object_t&>();
  auto r = claims.find(k_resource_claim);
  if (r == claims.end() || !r->second.is_object())
    throw invalid("not an hc EMR: no \"fhir\" claim holding a resource");
  json::Value resource_only = json::Value::object();
  resource_only.get_ref<json::Value::object_t&>().insert(claims.extract(r));
  doc.payload = std::move(doc.processed.claims);
  doc.processed.claims = std::move(resource_only);
}

/// split_resource, then the signed policy is read.
void finish_parts(Document& doc) {
  split_resource(doc);
  auto pol = doc.payload.find("hc_policy");
  if (pol == doc.payload.end()) throw invalid("not an hc EMR: no \"hc_policy\" claim");
  doc.policy = signed_policy(*pol);
}

/// finish_parts after process_fast_aside: the claim set aside is the
/// cached one (the same text) or `claim`, parsed from it.
void finish_parts_aside(Document& doc, const SetAside& aside, const json::Value& claim) {
  split_resource(doc);
  if (!aside.found) throw invalid("not an hc EMR: no \"hc_policy\" claim");
  auto& cache = signed_policy_cache();
  if (cache.policy && aside.text == cache.claim_text) {
    doc.policy = cache.policy;
    return;
  }
  doc.policy = signed_policy(claim);
  cache.claim_text = aside.text;  // (read without error: the text of cache.claim)
}

std::string jwk_x(const crypto::Ed25519Public& pk) { return crypto::base64url(pk.data(), pk.size()); }

bool is_prefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

/// A pattern's first |t| tokens match t (so t is an ancestor-or-self of a match).
bool leads_to(const std::vector<std::string>& pattern, const std::vector<std::string>& t) {
  if (t.size() > pattern.size()) return false;
  for (size_t i = 0; i < t.size(); ++i)
    if (pattern[i] != "*" && pattern[i] != t[i]) return false;
  return true;
}

/// `v` without the parts at `removed` (tokens from the resource root).
json::Value pruned(const json::Value& v, std::vector<std::string>& path, const std::set<std::vector<std::string>>& removed) {
  if (v.is_object()) {
    json::Value o = json::Value::object();
    for (const auto& [k, c] : v.items()) {
      path.push_back(k);
      if (!removed.count(path)) o[k] = pruned(c, path, removed);
      path.pop_back();
    }
    return o;
  }
  if (v.is_array()) {
    json::Value a = json::Value::array();
    for (size_t i = 0; i < v.size(); ++i) {
      path.push_back(std::to_string(i));
      if (!removed.count(path)) a.push_back(pruned(v[i], path, removed));
      path.pop_back();
    }
    return a;
  }
  return v;
}

}  // namespace

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

int64_t parse_time(const std::string& text, int64_t now) {
  auto bad = [&] {
    return Error(Exit::usage, fmt::format("\"{}\" is not a time (seconds since 1970, RFC 3339 UTC like "
                                          "2026-11-26T14:00:00Z, or +N followed by s, m, h or d)", text));
  };
  if (text.empty()) throw bad();
  if (text[0] == '+') {
    if (text.size() < 3) throw bad();
    char unit = text.back();
    int64_t mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
    std::string num = text.substr(1, text.size() - 2);
    if (!mult || num.size() > 9 || !std::all_of(num.begin(), num.end(), ::isdigit)) throw bad();
    return now + std::stoll(num) * mult;
  }
  if (std::all_of(text.begin(), text.end(), ::isdigit)) {
    if (text.size() > 12) throw bad();
    return std::stoll(text);
  }
  std::tm tm{};
  int y, mo, d, h, mi, s;
  char z;
  if (text.size() != 20 || std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 ||
      z != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    throw bad();
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm));
}

std::string format_time(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// ---- signing ----------------------------------------------------------------

Signer::Signer(const keys::SecretKey& key, SignOptions options)
    : m_key(key), m_signer(key.ed25519_seed), m_options(std::move(options)) {
  if (!m_options.policy) m_options.policy = &default_policy();
  if (m_options.holder)
    m_cnf = json::Value{{"jwk", {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", jwk_x(*m_options.holder)}}}};
  m_header_b64 = b64(json::canonical(json::Value{{"alg", "EdDSA"}, {"typ", k_typ}, {"kid", m_key.pub.key_id}}));
  auto plan = std::make_shared<detail::SignPlan>();
  for (const auto& [type, rules] : m_options.policy->resources) {
    // A type whose patterns do not compile fails when a document of it is
    // signed, as it did before the plan existed.
    try {
      plan->rules.emplace(&rules, detail::compile_frame_rules(rules));
    } catch (const Error&) {
    }
  }
  // The payload's canonical text, members in RFC 8785 order (all ASCII
  // names): _sd_alg, cnf, exp, fhir, hc_doc, hc_policy, iat, iss.
  plan->head = "{\"_sd_alg\":\"sha-256\",";
  if (!m_cnf.is_null()) {
    plan->head += "\"cnf\":";
    json::canonical_append(plan->head, m_cnf);
    plan->head += ',';
  }
  if (m_options.exp) {
    plan->head += "\"exp\":";
    json::canonical_append(plan->head, json::Value(m_options.exp));
    plan->head += ',';
  }
  plan->head += "\"fhir\":";
  plan->iss = ",\"iss\":";
  json::canonical_append(plan->iss, json::Value(m_key.pub.key_id));
  plan->iss += '}';
  m_plan = std::move(plan);
}

namespace {

/// The tape documents are read into, one per thread, reused.
json::Tape& thread_tape() {
  thread_local json::Tape tape;
  return tape;
}

/// The SdJwt of a signed document, its parts copied out of the thread's buffers.
SdJwt to_sd_jwt(const Signed& s) {
  SdJwt out;
  out.protected_b64 = s.protected_b64();
  out.payload_b64 = s.payload_b64();
  out.signature_b64 = s.signature;
  out.disclosures.reserve(s.count());
  for (size_t i = 0; i < s.count(); ++i) out.disclosures.emplace_back(s.disclosure(i));
  return out;
}

}  // namespace

SdJwt Signer::sign(const json::Value& resource) const {
  // The framer reads a Tape; the canonical text of the DOM is its input.
  // (Deeper than a Tape reads is deeper than the framer allows.)
  json::Tape& tape = thread_tape();
  if (!tape.read(json::canonical(resource), {.max_bytes = SIZE_MAX, .max_depth = 256}))
    throw Error(Exit::data, "resource too deep (over 64 levels) or too large to sign");
  Signed& s = thread_signed();
  sign_tape(tape, s, {});
  return to_sd_jwt(s);
}

SdJwt Signer::sign_text(std::string_view text, const std::string& source, const json::Limits& limits) const {
  json::Tape& tape = thread_tape();
  if (!tape.read(text, limits)) {
    // A text the Tape does not read: json::parse words the error, or reads
    // one of the few valid texts the Tape leaves to it (see json::Tape::read).
    return sign(json::parse(text, source, limits));
  }
  Signed& s = thread_signed();
  sign_tape(tape, s, {});
  return to_sd_jwt(s);
}

void Signer::sign_line(std::string_view text, const std::string& source, Serialization form, std::string& out,
                       const json::Limits& limits) const {
  json::Tape& tape = thread_tape();
  if (!tape.read(text, limits)) {
    SdJwt sd = sign(json::parse(text, source, limits));  // as in sign_text
    if (form == Serialization::compact) out += sd.compact() + '\n';
    else out += sd.json_line();
    return;
  }
  Signed& s = thread_signed();
  const bool json_form = form == Serialization::json;
  sign_tape(tape, s, json_form ? std::string_view("\",\"") : std::string_view("~"));
  const std::string_view joined = s.disclosures.view();
  if (json_form) {
    detail::append_json_line(out, s.protected_b64(), s.payload_b64(), s.signature, {}, joined.size() + 2,
                             [&](std::string& o) {
                               if (s.count() == 0) return;
                               o += '"';
                               o += joined;
                               o += '"';
                             });
  } else {
    detail::append_compact(out, s.protected_b64(), s.payload_b64(), s.signature, {}, joined.size() + 1,
                           [&](std::string& o) {
                             if (s.count() == 0) return;
                             o += joined;
                             o += '~';
                           });
    out += '\n';
  }
}

void Signer::sign_tape(const json::Tape& tape, detail::Signed& out, std::string_view separator) const {
  const detail::SignPlan& plan = *m_plan;
  out.clear(separator);
  out.ends.reserve(plan.disclosures.load(std::memory_order_relaxed));
  // The payload's text, in a buffer this thread keeps (it is not secret:
  // it is the payload, sent in the clear).
  thread_local Text payload;
  payload.clear();
  payload.put(plan.head);
  Framer framer(*m_options.policy, plan, tape, out);
  framer.frame_resource(0, "", payload);
  plan.disclosures.store(out.count(), std::memory_order_relaxed);
  payload.lit(",\"hc_doc\":");
  // The root resource's type is the first one framed.
  payload.canonical(json::Value("fhir-r4/" + std::string(framer.types().front())));
  payload.lit(",\"hc_policy\":");
  {
    std::lock_guard<std::mutex> lock(m_cache_mutex);
    const auto& types = framer.types();
    if (m_claim_text.empty() || !std::equal(m_claim_types.begin(), m_claim_types.end(), types.begin(), types.end())) {
      m_claim_types.assign(types.begin(), types.end());
      m_claim_text = json::canonical(m_options.policy->to_claim(m_claim_types));
    }
    payload.put(m_claim_text);
  }
  payload.lit(",\"iat\":");
  payload.canonical(json::Value(m_options.iat ? m_options.iat : now_seconds()));
  payload.put(plan.iss);
  // The JWS signing input, header.payload, with the payload encoded in place.
  out.input += m_header_b64;
  out.input += '.';
  out.payload_at = out.input.size();
  crypto::base64url_append(out.input, crypto::as_bytes(payload.view()), payload.size());
  auto sig = m_signer.sign(out.input);
  crypto::base64url_append(out.signature, sig.data(), sig.size());
}

// ---- opening and policy -------------------------------------------------------

const json::Value& Document::resource() const { return processed.claims[k_resource_claim]; }

Document open_document(SdJwt sd, const SdJwtLimits& limits) {
  Document doc;
  doc.sd = std::move(sd);
  doc.header = decode_json_part(doc.sd.protected_b64, "JWS header", limits);
  const std::string& text = payload_text(doc.sd.payload_b64);
  if (!process_fast(doc.sd, doc, text, limits)) {
    doc.payload = parse_json_part(text, "JWS payload", limits);
    process_parts(doc.sd, doc, limits);
  }
  finish_parts(doc);
  return doc;
}

Document open_document(std::string_view text, const std::string& source, const SdJwtLimits& limits) {
  return open_document(parse_sd_jwt(text, source, limits), limits);
}

namespace {

/// The disclosures' pointers after their first token ("/fhir"), and their
/// tokens as written (escaped) as views into the pointers, split when asked.
struct PartTokens {
  std::vector<std::string_view> rel;  ///< per part: the pointer after "/fhir" ("/code/coding/0", or "")
  std::vector<std::string_view> tokens;
  std::vector<std::pair<uint32_t, uint32_t>> spans;  ///< per part: first token, count (after split_all)
  void clear() {
    rel.clear();
    tokens.clear();
    spans.clear();
  }
  /// Adds a pointer (well-formed: made by process() or process_text()).
  void add(std::string_view pointer) {
    size_t pos = 1;  // past the first "/"
    while (pos < pointer.size() && pointer[pos] != '/') ++pos;  // skip "fhir"
    rel.push_back(pointer.substr(pos));
  }
  /// The tokens of `r` (a pointer from the resource), appended to `out`.
  static void split(std::string_view r, std::vector<std::string_view>& out) {
    // (A byte loop: the tokens are a few characters, too short for memchr.)
    size_t pos = 0;
    while (pos < r.size()) {
      size_t start = ++pos;
      while (pos < r.size() && r[pos] != '/') ++pos;
      out.push_back(r.substr(start, pos - start));
    }
  }
  void split_all() {
    tokens.clear();
    spans.clear();
    for (auto r : rel) {
      size_t begin = tokens.size();
      split(r, tokens);
      spans.emplace_back(static_cast<uint32_t>(begin), static_cast<uint32_t>(tokens.size() - begin));
    }
  }
};

/// Escaped tokens `t[0..n)` as a pointer, written as join() writes their
/// unescaped tokens (for messages).
std::string join_raw(const std::string_view* t, size_t n) {
  std::vector<std::string> tokens(n);
  for (size_t k = 0; k < n; ++k) {
    std::string_view raw = t[k];
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size()) {
        tokens[k].push_back(raw[i + 1] == '0' ? '~' : '/');
        ++i;
      } else {
        tokens[k].push_back(raw[i]);
      }
    }
  }
  return join(tokens);
}

std::vector<std::string> problems_of(const json::Value& resource, const Policy& policy, PartTokens& parts,
                                     RuleTokens& tokens);

}  // namespace

std::vector<std::string> policy_problems(const Document& doc) {
  // Kept across documents on this thread: after the first documents this
  // allocates nothing.
  thread_local PartTokens parts;
  parts.clear();
  for (const auto& p : doc.processed.parts) parts.add(p.pointer);
  auto& cache = signed_policy_cache();
  if (doc.policy && doc.policy == cache.policy) return problems_of(doc.resource(), *doc.policy, parts, cache.tokens);
  RuleTokens tokens;
  return problems_of(doc.resource(), *doc.policy, parts, tokens);
}

std::vector<std::string> policy_problems(const json::Value& resource, const Policy& policy,
                                         const std::vector<std::vector<std::string>>& part_tokens) {
  // As pointers with a first token to skip, each made whole before any is
  // tokenized (the views point into them).
  std::vector<std::string> pointers;
  pointers.reserve(part_tokens.size());
  for (const auto& t : part_tokens) pointers.push_back("/fhir" + join(t));
  PartTokens parts;
  for (const auto& p : pointers) parts.add(p);
  RuleTokens tokens;
  return problems_of(resource, policy, parts, tokens);
}

namespace {

bool is_prefix(const std::vector<std::string>& a, const std::string_view* t, size_t n) {
  if (a.size() > n) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != t[i]) return false;
  return true;
}

std::vector<std::string> problems_of(const json::Value& resource, const Policy& policy, PartTokens& parts,
                                     RuleTokens& tokens) {
  std::vector<std::string> problems;
  // Resource roots: the resource, and the resources of a Bundle's entries.
  struct Root {
    std::vector<std::string> at;  // tokens from the resource claim
    const json::Value* value;
  };
  std::vector<Root> roots{{{}, &resource}};
  if (resource.value("resourceType", "") == "Bundle") {
    if (auto e = resource.find("entry"); e != resource.end() && e->is_array())
      for (size_t i = 0; i < e->size(); ++i)
        if (auto r = (*e)[i].find("resource"); r != (*e)[i].end())
          roots.push_back({{"entry", std::to_string(i), "resource"}, &*r});
  }
  if (roots.size() > 1) parts.split_all();
  for (size_t ri = 0; ri < roots.size(); ++ri) {
    const auto& root = roots[ri];
    std::string where = root.at.empty() ? "the resource" : join(root.at);
    if (!root.value->is_object() || !root.value->contains("resourceType") ||
        !(*root.value)["resourceType"].is_string()) {
      problems.push_back(fmt::format("{} has no resourceType", where));
      continue;
    }
    std::string type = (*root.value)["resourceType"].get<std::string>();
    const TypeRules* rules = policy.rules_for(type);
    if (!rules) {
      problems.push_back(fmt::format("the signed policy has no rules for {} ({})", type, where));
      continue;
    }
    TokenRules& rule_tokens = tokens.of(*rules);
    for (size_t k = 0; k < rules->required.size(); ++k)
      if (!at(*root.value, rule_tokens.required[k]))
        problems.push_back(
            fmt::format("{} lacks {}, which the policy requires", where, join(root.at) + rules->required[k]));
    for (size_t k = 0; k < rules->requires_.size(); ++k) {
      const auto& [if_p, then_p] = rules->requires_[k];
      const auto& [if_t, then_t] = rule_tokens.requires_[k];
      std::vector<std::vector<std::string>> found;
      std::vector<std::string> bound;
      matches(*root.value, if_t, 0, bound, found);
      for (const auto& b : found)
        if (!at(*root.value, substitute(then_t, b)))
          problems.push_back(fmt::format("{} is present without {} (policy: {} requires {})",
                                         join(root.at) + join(substitute(if_t, b)),
                                         join(root.at) + join(substitute(then_t, b)), if_p, then_p));
    }
    const CompiledRules& compiled = rule_tokens.parts;
    auto report = [&](const std::string_view* t, size_t n, std::pair<long, long> broken) {
      if (broken.first >= 0)
        problems.push_back(fmt::format("{} is disclosable but the policy signs {} in the clear", join_raw(t, n),
                                       join(root.at) + join(compiled.plain[static_cast<size_t>(broken.first)])));
      if (broken.second >= 0)
        problems.push_back(fmt::format("{} is disclosable on its own but the policy keeps {} together",
                                       join_raw(t, n),
                                       join(root.at) + join(compiled.together[static_cast<size_t>(broken.second)])));
    };
    auto placement = [&](const std::string_view* t, size_t n) {
      return std::pair<long, long>(rule_tokens.plain.first_match(t, n, true),
                                   rule_tokens.together.first_match(t, n, false));
    };
    if (roots.size() == 1) {
      // One root, the resource: what a part breaks depends on its pointer
      // alone, which is looked up (or worked out and kept).
      thread_local std::vector<std::string_view> t;
      for (auto rel : parts.rel) {
        if (rel.empty()) continue;  // (the resource itself)
        auto& memo = rule_tokens.placements;
        auto it = memo.find(rel);
        std::pair<long, long> broken;
        if (it != memo.end()) {
          broken = it->second;
        } else {
          t.clear();
          PartTokens::split(rel, t);
          broken = placement(t.data(), t.size());
          if (memo.size() >= 4096) memo.clear();
          memo.emplace(rel, broken);
        }
        if (broken.first < 0 && broken.second < 0) continue;
        t.clear();
        PartTokens::split(rel, t);
        report(t.data(), t.size(), broken);
      }
      continue;
    }
    for (const auto& [first, n] : parts.spans) {
      const std::string_view* t = parts.tokens.data() + first;
      if (!is_prefix(root.at, t, n) || n == root.at.size()) continue;
      // Parts inside a nested root belong to it.
      bool nested = false;
      for (size_t rj = ri + 1; rj < roots.size() && ri == 0; ++rj)
        nested = nested || is_prefix(roots[rj].at, t, n);
      if (nested) continue;
      size_t off = root.at.size();
      report(t, n, placement(t + off, n - off));
    }
  }
  return problems;
}

}  // namespace

// ---- extraction ------------------------------------------------------------------

std::string make_kb_jwt(const SdJwt& sd, const keys::SecretKey& holder, const std::string& aud,
                        const std::string& nonce, int64_t iat) {
  auto h = crypto::sha256(sd.presentation_prefix());
  json::Value header{{"alg", "EdDSA"}, {"typ", k_kb_typ}};
  json::Value payload{{"iat", iat ? iat : now_seconds()},
                      {"aud", aud},
                      {"nonce", nonce},
                      {"sd_hash", crypto::base64url(h.data(), h.size())}};
  std::string hb, pb, sb;
  jws_sign(holder.ed25519_seed, header, payload, hb, pb, sb);
  return hb + "." + pb + "." + sb;
}

void load_extract_policy(const std::string& path, ExtractOptions& options) {
  auto text = io::read_all(path, 1u << 20);
  json::Value v;
  try {
    v = json::parse(text, path, {.max_bytes = 1u << 20, .max_depth = 8});
  } catch (const Error& e) {
    throw Error(Exit::config, e.message()).file(e.file()).line(e.line());
  }
  if (!v.is_object()) throw Error(Exit::config, "an extraction policy must be a JSON object").file(path);
  for (const auto& [k, list] : v.items()) {
    if (k == "description") continue;
    if (k != "remove" && k != "keep") throw Error(Exit::config, "unknown member").file(path).field(k);
    if (!list.is_array()) throw Error(Exit::config, "must be an array of JSON Pointers").file(path).field(k);
    for (const auto& p : list) {
      if (!p.is_string()) throw Error(Exit::config, "must be an array of JSON Pointers").file(path).field(k);
      try {
        pointer_split(p.get<std::string>());
      } catch (const Error& e) {
        throw Error(Exit::config, e.message()).file(path).field(k);
      }
      (k == "remove" ? options.remove_patterns : options.keep_patterns).push_back(p.get<std::string>());
    }
  }
}

namespace {

/// `pointer` (a disclosed part's, from the payload root) relative to the resource.
std::string_view in_resource(const std::string& pointer) {
  return std::string_view(pointer).substr(std::char_traits<char>::length(k_resource_claim) + 1);
}

/// Removes, in place, the parts at `at` (token paths from the resource root,
/// none inside another): object members are erased, array elements leave
/// their array (the later ones first, so indices stay right).
void prune_in_place(json::Value& resource, const std::vector<const std::vector<std::string>*>& at) {
  std::vector<std::pair<json::Value::object_t*, const std::string*>> members;
  std::vector<std::pair<json::Value::array_t*, size_t>> elements;
  for (const auto* t : at) {
    if (t->empty()) continue;
    std::vector<std::string> parent(t->begin(), t->end() - 1);
    auto* c = const_cast<json::Value*>(hc::ces::at(resource, parent));  // `resource` is ours to change
    if (!c) continue;
    if (c->is_object()) members.emplace_back(&c->get_ref<json::Value::object_t&>(), &t->back());
    else if (c->is_array()) elements.emplace_back(&c->get_ref<json::Value::array_t&>(), std::stoul(t->back()));
  }
  // Containers are the heap objects inside the values, so removing from one
  // does not move another.
  for (auto& [obj, key] : members) obj->erase(*key);
  std::sort(elements.begin(), elements.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  });
  for (auto& [arr, idx] : elements)
    if (idx < arr->size()) arr->erase(arr->begin() + static_cast<long>(idx));
}

/// extract()'s work; with `own` (a Document the caller gives up) the
/// resource is pruned in place and the JWS texts are moved, not copied.
SdJwt extract_impl(const Document& doc, Document* own, const ExtractOptions& o) {
  const auto& parts = doc.processed.parts;
  const size_t n = parts.size();
  // Token paths (from the resource root) of the parts, made only when needed.
  std::vector<std::vector<std::string>> toks;
  auto tokens = [&]() -> const std::vector<std::vector<std::string>>& {
    if (toks.empty() && n) {
      toks.resize(n);
      for (size_t i = 0; i < n; ++i) {
        toks[i] = tokens_of(parts[i].pointer);
        toks[i].erase(toks[i].begin());
      }
    }
    return toks;
  };
  std::vector<char> drop(n, 0);
  const json::Value& resource = doc.resource();

  auto explain_not_removable = [&](const std::string& ptr, const std::vector<std::string>& t) -> Error {
    const auto& tk = tokens();
    // The nearest enclosing disclosure, if any, is what would have to go.
    long best = -1;
    for (size_t i = 0; i < n; ++i)
      if (is_prefix(tk[i], t) && (best < 0 || tk[i].size() > tk[static_cast<size_t>(best)].size()))
        best = static_cast<long>(i);
    if (best >= 0)
      return Error(Exit::perm, fmt::format("{} cannot be removed on its own: the signer's policy keeps it with {}",
                                           ptr, join(tk[static_cast<size_t>(best)])))
          .hint(fmt::format("remove {} instead", join(tk[static_cast<size_t>(best)])));
    return Error(Exit::perm, fmt::format("{} must stay: the signer's policy signs it in the clear", ptr));
  };

  for (const auto& ptr : o.remove) {
    auto t = tokens_of(ptr);
    if (t.empty()) throw Error(Exit::usage, "the whole resource cannot be removed");
    if (!at(resource, t))
      throw Error(Exit::usage, fmt::format("{} does not exist in the disclosed resource", ptr));
    // RFC 6901 escaping has one form per token, so pointers compare as text.
    std::string canon = join(t);
    bool found = false;
    for (size_t i = 0; i < n && !found; ++i)
      if (in_resource(parts[i].pointer) == canon) {
        drop[i] = 1;
        found = true;
      }
    if (!found) throw explain_not_removable(ptr, t);
  }
  for (const auto& pat : o.remove_patterns) {
    auto p = tokens_of(pat);
    const auto& tk = tokens();
    for (size_t i = 0; i < n; ++i)
      if (pattern_match(p, tk[i])) drop[i] = 1;
  }
  if (!o.keep.empty() || !o.keep_patterns.empty()) {
    std::vector<std::vector<std::string>> keep;
    for (const auto& ptr : o.keep) {
      auto t = tokens_of(ptr);
      if (!at(resource, t))
        throw Error(Exit::usage, fmt::format("{} does not exist in the disclosed resource", ptr));
      keep.push_back(std::move(t));
    }
    std::vector<std::vector<std::string>> keep_pats;
    for (const auto& pat : o.keep_patterns) keep_pats.push_back(tokens_of(pat));
    const auto& tk = tokens();
    for (size_t i = 0; i < n; ++i) {
      bool kept = false;
      for (const auto& k : keep) kept = kept || is_prefix(tk[i], k) || is_prefix(k, tk[i]);
      for (const auto& p : keep_pats) kept = kept || leads_to(p, tk[i]) || pattern_match_prefix(p, tk[i], 0, true);
      if (!kept) drop[i] = 1;
    }
  }
  // Everything inside a removed part goes with it.
  std::vector<char> gone(n, 0);
  size_t removed_count = 0;
  for (size_t i = 0; i < n; ++i) {
    long j = static_cast<long>(i);
    while (j >= 0 && !drop[static_cast<size_t>(j)]) j = parts[static_cast<size_t>(j)].parent;
    gone[i] = j >= 0;
    removed_count += gone[i] ? 1 : 0;
  }

  // The result must still satisfy the signed policy ("required" and
  // "requires" rules): check the resource as it will be disclosed.
  if (removed_count) {
    std::vector<std::vector<std::string>> outer;  // the removed parts not inside another removed part
    for (size_t i = 0; i < n; ++i)
      if (gone[i] && (parts[i].parent < 0 || !gone[static_cast<size_t>(parts[i].parent)])) {
        auto t = tokens_of(parts[i].pointer);
        t.erase(t.begin());
        outer.push_back(std::move(t));
      }
    std::vector<std::string> problems;
    if (own) {
      std::vector<const std::vector<std::string>*> at_list;
      for (const auto& t : outer) at_list.push_back(&t);
      auto& mine = own->processed.claims[k_resource_claim];
      prune_in_place(mine, at_list);
      problems = policy_problems(mine, *doc.policy, {});
    } else {
      std::set<std::vector<std::string>> removed(outer.begin(), outer.end());
      std::vector<std::string> path;
      problems = policy_problems(pruned(resource, path, removed), *doc.policy, {});
    }
    if (!problems.empty())
      throw Error(Exit::perm, fmt::format("the signer's policy forbids this extraction: {}", problems.front()));
  }
  SdJwt out;
  if (own) {
    out.protected_b64 = std::move(own->sd.protected_b64);
    out.payload_b64 = std::move(own->sd.payload_b64);
    out.signature_b64 = std::move(own->sd.signature_b64);
    out.disclosures.reserve(n - removed_count);
    for (size_t i = 0; i < n; ++i)
      if (!gone[i]) out.disclosures.push_back(std::move(own->sd.disclosures[i]));
  } else {
    out.protected_b64 = doc.sd.protected_b64;
    out.payload_b64 = doc.sd.payload_b64;
    out.signature_b64 = doc.sd.signature_b64;
    out.disclosures.reserve(n - removed_count);
    for (size_t i = 0; i < n; ++i)
      if (!gone[i]) out.disclosures.push_back(doc.sd.disclosures[i]);
  }
  if (o.holder_key) {
    auto cnf = holder_key(doc.payload);
    if (!cnf)
      throw Error(Exit::usage, "this document is not bound to a holder key (it was signed without --holder)");
    if (*cnf != o.holder_key->pub.ed25519)
      throw Error(Exit::perm, fmt::format("key {} is not the holder key this document is bound to",
                                          o.holder_key->pub.key_id));
    out.kb_jwt = make_kb_jwt(out, *o.holder_key, o.aud, o.nonce, o.iat);
  }
  return out;
}

}  // namespace

SdJwt extract(const Document& doc, const ExtractOptions& options) { return extract_impl(doc, nullptr, options); }

SdJwt extract(Document&& doc, const ExtractOptions& options) { return extract_impl(doc, &doc, options); }

// ---- verification ----------------------------------------------------------------

Verdict verify(const SdJwt& sd, const VerifyOptions& o) {
  const int64_t now = o.now ? o.now : now_seconds();
  Document doc;  // doc.sd and doc.header stay empty: `sd` is read in place
  const json::Value& header = verify_header(sd.protected_b64, o.limits);
  // The disclosures are applied on the payload's text first when they can
  // be (it builds no DOM of the payload, throws nothing), so that the claims
  // read below exist once; the DOM path keeps the old order: parse, check
  // the signature, then process.
  const std::string& text = payload_text(sd.payload_b64);
  // The signed policy is set aside as text: one signer signs many records
  // under one policy, and the same text is not parsed again.
  thread_local SetAside aside;
  aside.name = "hc_policy";
  json::Value claim;
  const bool fast = process_fast_aside(sd, doc, text, o.limits, aside, claim);
  if (!fast) doc.payload = parse_json_part(text, "JWS payload", o.limits);
  // Outside the resource the processed claims are the signed ones.
  const json::Value& claims = fast ? doc.processed.claims : doc.payload;
  // JWS header: EdDSA only (RFC 9901 §4.1: never "none" or a MAC), hc's typ,
  // no extensions the verifier would have to understand.
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string())
    throw invalid("the JWS header has no \"alg\"");
  if (alg->get<std::string>() != "EdDSA")
    throw invalid(fmt::format("signature algorithm \"{}\" is not accepted (only EdDSA)", alg->get<std::string>()));
  if (header.value("typ", "") != k_typ)
    throw invalid(fmt::format("JWS \"typ\" must be \"{}\"", k_typ));
  if (header.contains("crit")) throw invalid("the JWS header has \"crit\" extensions, which hc does not support");
  for (const char* k : {"jku", "jwk", "x5u", "x5c"})
    if (header.contains(k)) throw invalid(fmt::format("the JWS header carries \"{}\"; the signer's key comes from the verifier", k));
  std::string iss = claim_string(claims, "iss", "the SD-JWT");
  if (auto kid = header.find("kid"); kid != header.end() && (!kid->is_string() || kid->get<std::string>() != iss))
    throw invalid("the JWS \"kid\" differs from \"iss\"");
  const keys::PublicKey* signer = nullptr;
  for (const auto& k : o.trusted)
    if (k.key_id == iss) signer = &k;
  if (!signer) {
    std::string ids;
    for (const auto& k : o.trusted) ids += (ids.empty() ? "" : ", ") + k.key_id;
    throw invalid(fmt::format("signed by key {}, which is not a trusted key (trusted: {})", iss,
                              ids.empty() ? "none" : ids));
  }
  if (!jws_verify(signer->ed25519, sd.protected_b64, sd.payload_b64, sd.signature_b64))
    throw invalid(fmt::format("the issuer signature does not verify with key {}", signer->key_id));

  if (fast) {
    finish_parts_aside(doc, aside, claim);
  } else {
    process_parts(sd, doc, o.limits);
    finish_parts(doc);
  }

  Verdict v;
  v.signer = iss;
  v.signer_label = signer->label;
  v.iat = require_int(doc.payload, "iat", "the SD-JWT", true);
  v.exp = require_int(doc.payload, "exp", "the SD-JWT", false);
  int64_t nbf = require_int(doc.payload, "nbf", "the SD-JWT", false);
  if (v.iat > now + o.skew) throw invalid(fmt::format("issued in the future ({})", format_time(v.iat)));
  if (v.exp && now > v.exp + o.skew) throw invalid(fmt::format("expired at {}", format_time(v.exp)));
  if (nbf && now + o.skew < nbf) throw invalid(fmt::format("not valid before {}", format_time(nbf)));
  v.doc_type = claim_string(doc.payload, "hc_doc", "the SD-JWT");
  std::string type = doc.resource().value("resourceType", "");
  if (v.doc_type != "fhir-r4/" + type)
    throw invalid(fmt::format("\"hc_doc\" says {} but the resource is a {}", v.doc_type, type));
  auto problems = policy_problems(doc);
  if (!problems.empty()) throw invalid("the signed policy is not satisfied: " + problems.front());
  v.policy_name = doc.policy->name;
  v.disclosed = sd.disclosures.size();
  v.hidden = doc.processed.hidden;

  auto holder = holder_key(doc.payload);
  v.holder_bound = holder.has_value();
  bool need_kb = o.require_kb || o.aud || o.nonce;
  if (sd.kb_jwt.empty()) {
    if (need_kb) throw invalid("a key-binding JWT is required but there is none");
  } else {
    if (!holder) throw invalid("a key-binding JWT is present but the SD-JWT has no \"cnf\" holder key");
    auto d1 = sd.kb_jwt.find('.'), d2 = sd.kb_jwt.rfind('.');
    if (d1 == std::string::npos || d1 == d2) throw invalid("the key-binding JWT is not a compact JWS");
    std::string_view kb(sd.kb_jwt);
    auto kh = decode_json_part(kb.substr(0, d1), "KB-JWT header", o.limits);
    auto kp = decode_json_part(kb.substr(d1 + 1, d2 - d1 - 1), "KB-JWT payload", o.limits);
    if (kh.value("alg", "") != "EdDSA")
      throw invalid("the key-binding JWT's algorithm is not accepted (only EdDSA)");
    if (kh.value("typ", "") != k_kb_typ) throw invalid("the key-binding JWT's \"typ\" is not \"kb+jwt\"");
    if (!jws_verify(*holder, kb.substr(0, d1), kb.substr(d1 + 1, d2 - d1 - 1), kb.substr(d2 + 1)))
      throw invalid("the key-binding JWT's signature does not verify with the holder key in \"cnf\"");
    auto h = crypto::sha256(sd.presentation_prefix());
    if (claim_string(kp, "sd_hash", "the key-binding JWT") != crypto::base64url(h.data(), h.size()))
      throw invalid("the key-binding JWT's sd_hash does not match this presentation");
    v.kb_aud = claim_string(kp, "aud", "the key-binding JWT");
    v.kb_nonce = claim_string(kp, "nonce", "the key-binding JWT");
    v.kb_iat = require_int(kp, "iat", "the key-binding JWT", true);
    if (o.aud && *o.aud != v.kb_aud)
      throw invalid(fmt::format("the key-binding JWT is for audience \"{}\", not \"{}\"", v.kb_aud, *o.aud));
    if (o.nonce && *o.nonce != v.kb_nonce) throw invalid("the key-binding JWT's nonce is not the expected one");
    if (v.kb_iat > now + o.skew) throw invalid("the key-binding JWT is issued in the future");
    v.kb_present = true;
  }
  v.resource = std::move(doc.processed.claims[k_resource_claim]);
  return v;
}

json::Value Verdict::to_json() const {
  json::Value kb = json::Value::object();
  kb["present"] = kb_present;
  kb["holder_bound"] = holder_bound;
  if (kb_present) {
    kb["aud"] = kb_aud;
    kb["nonce"] = kb_nonce;
    kb["iat"] = format_time(kb_iat);
  }
  json::Value out{{"valid", true},
                  {"signer", signer},
                  {"signer_label", signer_label},
                  {"issued_at", format_time(iat)},
                  {"doc_type", doc_type},
                  {"policy", {{"name", policy_name}, {"satisfied", true}}},
                  {"disclosures", disclosed},
                  {"hidden_digests", hidden},
                  {"key_binding", std::move(kb)},
                  {"resource", resource}};
  if (exp) out["expires_at"] = format_time(exp);
  return out;
}

}  // namespace hc::ces

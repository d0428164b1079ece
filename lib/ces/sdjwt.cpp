// SD-JWT serializations and strict disclosure processing (RFC 9901 §4, §7, §8).
#include <hc/ces/sdjwt.h>

#include <hc/core/byte_scan.h>
#include <hc/core/error.h>
#include <hc/crypto/base64url_simd.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>

#include <fmt/format.h>

namespace hc::ces {
namespace {

Error invalid(std::string msg) { return Error(Exit::invalid, std::move(msg)); }

/// Character classes of the SD-JWT alphabet: base64url, "." and "~".
enum : uint8_t { k_b64c = 1, k_dot = 2, k_tilde = 4 };
struct CharClasses {
  uint8_t v[256];
  constexpr CharClasses() : v() {
    for (int c = 'A'; c <= 'Z'; ++c) v[c] = k_b64c;
    for (int c = 'a'; c <= 'z'; ++c) v[c] = k_b64c;
    for (int c = '0'; c <= '9'; ++c) v[c] = k_b64c;
    v[static_cast<unsigned char>('-')] = k_b64c;
    v[static_cast<unsigned char>('_')] = k_b64c;
    v[static_cast<unsigned char>('.')] = k_dot;
    v[static_cast<unsigned char>('~')] = k_tilde;
  }
};
constexpr CharClasses k_class;

bool is_b64url_char(char c) { return k_class.v[static_cast<unsigned char>(c)] == k_b64c; }


/// The three dot-separated parts of a compact JWS; false if the shape is wrong.
bool split_jws(std::string_view jwt, std::string_view& h, std::string_view& p, std::string_view& s) {
  auto d1 = jwt.find('.');
  if (d1 == std::string_view::npos) return false;
  auto d2 = jwt.find('.', d1 + 1);
  if (d2 == std::string_view::npos || jwt.find('.', d2 + 1) != std::string_view::npos) return false;
  h = jwt.substr(0, d1);
  p = jwt.substr(d1 + 1, d2 - d1 - 1);
  s = jwt.substr(d2 + 1);
  return !h.empty() && !p.empty() && !s.empty();
}

std::string member_string(const json::Value& obj, const char* key, const std::string& source) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string())
    throw Error(Exit::data, "missing or not a string").file(source).field(key);
  return it->get<std::string>();
}

/// A fast path for the common JSON serialization: only the flattened form's
/// members, strings of base64url, "." and "~" without escapes, no duplicates.
/// Anything else returns false and goes through the generic strict parser,
/// which gives the same result for what this accepts and errors for the rest.
class FlatScanner {
 public:
  explicit FlatScanner(std::string_view t) : m_t(t) {}

  bool run(SdJwt& out, size_t max_disclosures) {
    bool seen[5] = {};
    if (!take('{')) return false;
    if (peek('}')) return false;
    do {
      std::string_view key;
      if (!string(key) || !take(':')) return false;
      if (key == "header") {
        if (seen[3]) return false;
        seen[3] = true;
        if (!header(out, max_disclosures)) return false;
        continue;
      }
      int slot = key == "protected" ? 0 : key == "payload" ? 1 : key == "signature" ? 2 : -1;
      if (slot < 0 || seen[slot]) return false;
      seen[slot] = true;
      std::string_view v;
      if (!string(v) || (m_classes & ~k_b64c)) return false;
      (slot == 0 ? out.protected_b64 : slot == 1 ? out.payload_b64 : out.signature_b64) = std::string(v);
    } while (take(','));
    if (!take('}')) return false;
    ws();
    return m_i == m_t.size() && seen[0] && seen[1] && seen[2] && seen[3];
  }

 private:
  bool header(SdJwt& out, size_t max_disclosures) {
    bool have_d = false, have_k = false;
    if (!take('{')) return false;
    if (peek('}')) return false;
    do {
      std::string_view key;
      if (!string(key) || !take(':')) return false;
      if (key == "disclosures" && !have_d) {
        have_d = true;
        if (!take('[')) return false;
        if (take(']')) continue;
        do {
          std::string_view d;
          if (!string(d) || d.empty() || (m_classes & ~k_b64c) || out.disclosures.size() >= max_disclosures)
            return false;
          out.disclosures.emplace_back(d);
        } while (take(','));
        if (!take(']')) return false;
      } else if (key == "kb_jwt" && !have_k) {
        have_k = true;
        std::string_view k;
        if (!string(k) || (m_classes & k_tilde)) return false;
        out.kb_jwt = std::string(k);
      } else {
        return false;
      }
    } while (take(','));
    return take('}') && have_d;
  }
  void ws() {
    while (m_i < m_t.size() && (m_t[m_i] == ' ' || m_t[m_i] == '\n' || m_t[m_i] == '\r' || m_t[m_i] == '\t')) ++m_i;
  }
  bool peek(char c) {
    ws();
    return m_i < m_t.size() && m_t[m_i] == c;
  }
  bool take(char c) {
    if (!peek(c)) return false;
    ++m_i;
    return true;
  }
  /// A string of the SD-JWT alphabet only; m_classes gets the classes seen.
  bool string(std::string_view& out) {
    if (!take('"')) return false;
    const size_t start = m_i;
    const char* t = m_t.data();
    // The common case: base64url up to the closing quote.
    const size_t run = crypto::base64url_run(t + start, m_t.size() - start);
    if (start + run < m_t.size() && t[start + run] == '"') {
      out = m_t.substr(start, run);
      m_classes = run ? k_b64c : 0;
      m_i = start + run + 1;
      return true;
    }
    const void* q = std::memchr(t + start, '"', m_t.size() - start);
    if (!q) return false;
    const size_t end = static_cast<size_t>(static_cast<const char*>(q) - t);
    // Every byte must be of the alphabet (class != 0).
    uint8_t classes = run ? k_b64c : 0, missing = 0;
    for (size_t i = start + run; i < end; ++i) {
      uint8_t c = k_class.v[static_cast<unsigned char>(t[i])];
      classes |= c;
      missing |= static_cast<uint8_t>(c == 0);
    }
    if (missing) return false;
    out = m_t.substr(start, end - start);
    m_classes = classes;
    m_i = end + 1;
    return true;
  }

  std::string_view m_t;
  size_t m_i = 0;
  uint8_t m_classes = 0;
};

/// Both serializations must carry the same alphabet, so that every SD-JWT
/// has one compact form (the one a KB-JWT's sd_hash covers).
void check_alphabet(const SdJwt& sd, const std::string& source) {
  auto only_b64 = [&](std::string_view v, const char* what) {
    for (char c : v)
      if (!is_b64url_char(c))
        throw Error(Exit::data, fmt::format("{} must be base64url", what)).file(source);
  };
  only_b64(sd.protected_b64, "the JWS header");
  only_b64(sd.payload_b64, "the JWS payload");
  only_b64(sd.signature_b64, "the JWS signature");
  for (const auto& d : sd.disclosures) {
    if (d.empty()) throw Error(Exit::data, "a disclosure is empty").file(source);
    only_b64(d, "every disclosure");
  }
  for (char c : sd.kb_jwt)
    if (!is_b64url_char(c) && c != '.')
      throw Error(Exit::data, "the key-binding JWT must be base64url and \".\"").file(source);
}

}  // namespace

std::string b64(std::string_view text) {
  std::string out;
  crypto::base64url_append(out, crypto::as_bytes(text), text.size());
  return out;
}

namespace detail {

void digest_text_order(const DigestText* digests, size_t n, std::vector<uint64_t>& keys, std::vector<uint32_t>& order) {
  keys.resize(n);
  order.resize(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t x;
    std::memcpy(&x, digests[i].data(), 8);
    if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap64(x);
    keys[i] = x;  // big-endian: numbers compare as the texts' first eight bytes
  }
  auto less = [&](size_t a, size_t b) {
    if (keys[a] != keys[b]) return keys[a] < keys[b];
    int c = std::memcmp(digests[a].data(), digests[b].data(), std::tuple_size_v<DigestText>);
    return c != 0 ? c < 0 : a < b;
  };
  if (n > 64) {
    for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
    std::sort(order.begin(), order.end(), less);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    size_t rank = 0, same = 0;
    for (size_t j = 0; j < n; ++j) {
      rank += keys[j] < keys[i];
      same += keys[j] == keys[i];
    }
    if (same > 1) [[unlikely]] {
      for (size_t j = 0; j < n; ++j)
        if (j != i && keys[j] == keys[i]) rank += less(j, i);
    }
    order[rank] = static_cast<uint32_t>(i);
  }
}

}  // namespace detail

std::string SdJwt::jwt() const {
  std::string out;
  out.reserve(protected_b64.size() + payload_b64.size() + signature_b64.size() + 2);
  out += protected_b64;
  out += '.';
  out += payload_b64;
  out += '.';
  out += signature_b64;
  return out;
}

namespace {

/// The disclosures of `sd` as each serialization lists them, and a bound
/// of their size.
size_t disclosures_size(const SdJwt& sd) {
  size_t size = 0;
  for (const auto& d : sd.disclosures) size += d.size() + 3;
  return size;
}

auto json_items(const SdJwt& sd) {
  return [&sd](std::string& out) {
    for (size_t i = 0; i < sd.disclosures.size(); ++i) {
      if (i) out += ',';
      out += '"';
      out += sd.disclosures[i];
      out += '"';
    }
  };
}

auto tilde_items(const SdJwt& sd) {
  return [&sd](std::string& out) {
    for (const auto& d : sd.disclosures) {
      out += d;
      out += '~';
    }
  };
}

}  // namespace

std::string SdJwt::presentation_prefix() const {
  std::string out;
  detail::append_compact(out, protected_b64, payload_b64, signature_b64, {}, disclosures_size(*this),
                         tilde_items(*this));
  return out;
}

std::string SdJwt::compact() const {
  std::string out;
  detail::append_compact(out, protected_b64, payload_b64, signature_b64, kb_jwt, disclosures_size(*this),
                         tilde_items(*this));
  return out;
}

json::Value SdJwt::to_json() const {
  json::Value header = json::Value::object();
  header["disclosures"] = disclosures;
  if (!kb_jwt.empty()) header["kb_jwt"] = kb_jwt;
  return json::Value{{"protected", protected_b64}, {"payload", payload_b64}, {"signature", signature_b64},
                     {"header", std::move(header)}};
}

std::string SdJwt::json_line() const {
  std::string out;
  detail::append_json_line(out, protected_b64, payload_b64, signature_b64, kb_jwt, disclosures_size(*this),
                           json_items(*this));
  return out;
}

SdJwt parse_sd_jwt(std::string_view text, const std::string& source, const SdJwtLimits& limits) {
  if (text.size() > limits.max_bytes)
    throw Error(Exit::data, fmt::format("SD-JWT is larger than the limit of {} bytes", limits.max_bytes))
        .file(source);
  size_t start = 0;
  while (start < text.size() && (text[start] == ' ' || text[start] == '\n' || text[start] == '\r' ||
                                 text[start] == '\t'))
    ++start;
  SdJwt out;
  if (start < text.size() && text[start] == '{') {
    SdJwt fast;
    if (FlatScanner(text).run(fast, limits.max_disclosures)) {
      // The scanner admitted only base64url in the JWS members and the
      // disclosures (none empty) and no "~" in the KB-JWT: check_alphabet's
      // rules. The three JWS members are non-empty and have no ".".
      if (!fast.protected_b64.empty() && !fast.payload_b64.empty() && !fast.signature_b64.empty()) return fast;
    }
    auto v = json::parse(text, source, {.max_bytes = limits.max_bytes, .max_depth = 8});
    if (v.contains("signatures"))
      throw Error(Exit::data, "the general JWS JSON serialization is not supported; use the flattened one")
          .file(source)
          .field("signatures");
    for (const auto& [k, _] : v.items())
      if (k != "protected" && k != "payload" && k != "signature" && k != "header")
        throw Error(Exit::data, "unexpected member in an SD-JWT JSON serialization").file(source).field(k);
    out.protected_b64 = member_string(v, "protected", source);
    out.payload_b64 = member_string(v, "payload", source);
    out.signature_b64 = member_string(v, "signature", source);
    auto h = v.find("header");
    if (h == v.end() || !h->is_object())
      throw Error(Exit::data, "missing or not an object").file(source).field("header");
    for (const auto& [k, val] : h->items()) {
      if (k == "disclosures") {
        if (!val.is_array()) throw Error(Exit::data, "must be an array").file(source).field("header.disclosures");
        if (val.size() > limits.max_disclosures)
          throw Error(Exit::data, fmt::format("more than {} disclosures", limits.max_disclosures)).file(source);
        for (const auto& d : val) {
          if (!d.is_string())
            throw Error(Exit::data, "must be an array of strings").file(source).field("header.disclosures");
          out.disclosures.push_back(d.get<std::string>());
        }
      } else if (k == "kb_jwt") {
        if (!val.is_string()) throw Error(Exit::data, "must be a string").file(source).field("header.kb_jwt");
        out.kb_jwt = val.get<std::string>();
      } else {
        throw Error(Exit::data, "unexpected member in the unprotected header").file(source).field("header." + k);
      }
    }
    if (!h->contains("disclosures"))
      throw Error(Exit::data, "missing").file(source).field("header.disclosures");
    std::string_view hp, pp, sp;
    if (!split_jws(out.jwt(), hp, pp, sp))
      throw Error(Exit::data, "JWS members must be non-empty and contain no \".\"").file(source);
    check_alphabet(out, source);
    return out;
  }
  // Compact: JWT~D1~...~Dn~[KB-JWT]. Trailing whitespace (a final newline) is
  // not part of it.
  size_t end = text.size();
  while (end > start && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' ')) --end;
  std::string_view body = text.substr(start, end - start);
  if (body.empty()) throw Error(Exit::data, "empty input: expected an SD-JWT").file(source);
  auto first = body.find('~');
  if (first == std::string_view::npos)
    throw Error(Exit::data, "not an SD-JWT: no \"~\" after the JWT (a plain JWT is not accepted)").file(source);
  std::string_view h, p, s;
  if (!split_jws(body.substr(0, first), h, p, s))
    throw Error(Exit::data, "not an SD-JWT: the part before the first \"~\" is not a compact JWS").file(source);
  for (char c : body)
    if (!is_b64url_char(c) && c != '.' && c != '~')
      throw Error(Exit::data, "not an SD-JWT: unexpected character (compact SD-JWTs are base64url, \".\" and \"~\")")
          .file(source);
  out.protected_b64 = std::string(h);
  out.payload_b64 = std::string(p);
  out.signature_b64 = std::string(s);
  auto last = body.rfind('~');
  out.kb_jwt = std::string(body.substr(last + 1));
  size_t pos = first + 1;
  while (pos <= last) {
    auto next = body.find('~', pos);
    if (next > last) break;
    if (next == pos) throw invalid(fmt::format("disclosure {} is empty (\"~~\")", out.disclosures.size() + 1));
    if (out.disclosures.size() >= limits.max_disclosures)
      throw Error(Exit::data, fmt::format("more than {} disclosures", limits.max_disclosures)).file(source);
    out.disclosures.emplace_back(body.substr(pos, next - pos));
    pos = next + 1;
  }
  check_alphabet(out, source);
  return out;
}

std::string disclosure_digest(std::string_view d) {
  auto h = crypto::sha256(d);
  std::string out;
  crypto::base64url_append(out, h.data(), h.size());
  return out;
}

void jws_sign(const crypto::SecretBytes& seed, const json::Value& header, const json::Value& payload,
              std::string& header_b64, std::string& payload_b64, std::string& signature_b64) {
  jws_sign(crypto::Ed25519Signer(seed), header, payload, header_b64, payload_b64, signature_b64);
}

void jws_sign(const crypto::Ed25519Signer& signer, const json::Value& header, const json::Value& payload,
              std::string& header_b64, std::string& payload_b64, std::string& signature_b64) {
  header_b64 = b64(json::canonical(header));
  payload_b64 = b64(json::canonical(payload));
  std::string input;
  input.reserve(header_b64.size() + payload_b64.size() + 1);
  input += header_b64;
  input += '.';
  input += payload_b64;
  auto sig = signer.sign(input);
  signature_b64 = crypto::base64url(sig.data(), sig.size());
}

void decode_part_text(std::string_view part, const char* what, std::string& text) {
  try {
    crypto::unbase64url_text_into(part, text);
  } catch (const Error& e) {
    throw invalid(fmt::format("{}: {}", what, e.message()));
  }
}

json::Value decode_json_part(std::string_view part, const char* what, const SdJwtLimits& limits) {
  thread_local std::string text;  // reused: payloads are kilobytes, parsed once per document
  decode_part_text(part, what, text);
  return parse_json_part(text, what, limits);
}

json::Value parse_json_part(std::string_view text, const char* what, const SdJwtLimits& limits) {
  json::Value v;
  try {
    v = json::parse(text, what, {.max_bytes = limits.max_bytes, .max_depth = limits.max_depth});
  } catch (const Error& e) {
    throw invalid(fmt::format("{} is not valid JSON: {}", what, e.message()));
  }
  if (!v.is_object()) throw invalid(fmt::format("{} is not a JSON object", what));
  return v;
}

bool jws_verify(const crypto::Ed25519Public& key, std::string_view header_b64, std::string_view payload_b64,
                std::string_view signature_b64) {
  // An Ed25519 signature is 64 bytes: 86 base64url characters.
  if (signature_b64.size() != 86) return false;
  thread_local std::string sig, input;
  try {
    crypto::unbase64url_text_into(signature_b64, sig);
  } catch (const Error&) {
    return false;
  }
  input.clear();
  input.reserve(header_b64.size() + payload_b64.size() + 1);
  input += header_b64;
  input += '.';
  input += payload_b64;
  return crypto::ed25519_verify(key.data(), key.size(), input, crypto::as_bytes(sig), sig.size());
}

namespace {

/// A disclosure decoded once: its digest as base64url text (43 characters,
/// no allocation), and its name and value ready to be moved into the claims.
struct Decoded {
  char digest[43];
  bool is_array_element = false;
  bool used = false;
  std::string salt;  ///< only filled for decode_disclosure()
  std::string name;
  json::Value value;

  std::string_view digest_view() const { return {digest, sizeof digest}; }
};

std::string disclosure_where(size_t index) { return fmt::format("disclosure {}", index + 1); }

bool json_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// A string of printable ASCII without escapes at t[i] == '"'; false otherwise.
bool plain_string(std::string_view t, size_t& i, std::string_view& out) {
  size_t start = ++i;
  i += scan::plain_ascii_prefix(t.data() + i, t.size() - i);
  while (i < t.size()) {
    char c = t[i];
    if (c == '"') {
      out = t.substr(start, i - start);
      ++i;
      return true;
    }
    if (c < 0x20 || c > 0x7E || c == '\\') return false;
    ++i;
  }
  return false;
}

/// The fast path of a disclosure's JSON: ["salt", "name", VALUE] or
/// ["salt", VALUE] with the salt and name plain ASCII strings. Only the value
/// goes through json::parse (at one level less of depth, as it sits inside
/// the array); no array, salt or name is built. Anything else, and any
/// failure, returns false and the general path decides, with its errors.
bool split_disclosure(std::string_view t, const SdJwtLimits& limits, std::string_view& salt,
                      std::optional<std::string_view>& name, json::Value& value) {
  if (limits.max_depth < 2 || t.size() > limits.max_bytes) return false;
  size_t i = 0, n = t.size();
  auto ws = [&] {
    while (i < n && json_ws(t[i])) ++i;
  };
  ws();
  if (i == n || t[i] != '[') return false;
  ++i;
  ws();
  if (i == n || t[i] != '"' || !plain_string(t, i, salt)) return false;
  ws();
  if (i == n || t[i] != ',') return false;
  ++i;
  ws();
  if (i == n) return false;
  size_t value_start = i;
  if (t[i] == '"') {
    std::string_view s;
    size_t j = i;
    if (plain_string(t, j, s)) {
      size_t k = j;
      while (k < n && json_ws(t[k])) ++k;
      if (k < n && t[k] == ',') {
        name = s;
        value_start = k + 1;
      }
    }
  }
  size_t end = n;
  while (end > value_start && json_ws(t[end - 1])) --end;
  if (end == value_start || t[end - 1] != ']') return false;
  static const std::string k_no_source;
  try {
    value = json::parse(t.substr(value_start, end - 1 - value_start), k_no_source,
                        {.max_bytes = limits.max_bytes, .max_depth = limits.max_depth - 1});
  } catch (const Error&) {
    return false;
  }
  return true;
}

/// decode_disclosure's work; `text` is a scratch buffer reused across calls.
void decode_one(std::string_view b64_text, size_t index, const SdJwtLimits& limits, std::string& text, Decoded& d,
                bool keep_salt) {
  auto h = crypto::sha256(b64_text);
  static_assert(sizeof d.digest == crypto::base64url_size(32));
  crypto::base64url_write(d.digest, h.data(), h.size());
  try {
    crypto::unbase64url_text_into(b64_text, text);
  } catch (const Error& e) {
    throw invalid(fmt::format("{}: {}", disclosure_where(index), e.message()));
  }
  auto check_salt = [&](std::string_view salt_text) {
    if (salt_text.size() < 22 || salt_text.size() > 512)
      throw invalid(fmt::format("{} has a malformed salt: {} characters (22 to 512 required)",
                                disclosure_where(index), salt_text.size()));
    for (char c : salt_text)
      if (!is_b64url_char(c))
        throw invalid(fmt::format("{} has a malformed salt: not base64url", disclosure_where(index)));
    if (keep_salt) d.salt = std::string(salt_text);
  };
  auto check_name = [&] {
    if (d.name == "_sd" || d.name == "..." || d.name == "_sd_alg")
      throw invalid(fmt::format("{} uses the reserved claim name \"{}\"", disclosure_where(index), d.name));
  };
  {
    std::string_view salt;
    std::optional<std::string_view> name;
    if (split_disclosure(text, limits, salt, name, d.value)) {
      check_salt(salt);
      d.is_array_element = !name;
      if (name) {
        d.name = std::string(*name);
        check_name();
      }
      return;
    }
  }
  static const std::string k_no_source;
  json::Value arr;
  try {
    arr = json::parse(text, k_no_source, {.max_bytes = limits.max_bytes, .max_depth = limits.max_depth});
  } catch (const Error& e) {
    throw invalid(fmt::format("{} is not valid JSON: {}", disclosure_where(index), e.message()));
  }
  if (!arr.is_array() || (arr.size() != 2 && arr.size() != 3))
    throw invalid(fmt::format("{} must be a JSON array of 2 or 3 elements", disclosure_where(index)));
  auto& elems = arr.get_ref<json::Value::array_t&>();
  const auto& salt = elems[0];
  if (!salt.is_string())
    throw invalid(fmt::format("{} has a malformed salt: not a string", disclosure_where(index)));
  check_salt(salt.get_ref<const std::string&>());
  if (elems.size() == 2) {
    d.is_array_element = true;
    d.value = std::move(elems[1]);
  } else {
    if (!elems[1].is_string())
      throw invalid(fmt::format("{} has a claim name that is not a string", disclosure_where(index)));
    d.name = std::move(elems[1].get_ref<std::string&>());
    check_name();
    d.value = std::move(elems[2]);
  }
}

}  // namespace

Disclosure decode_disclosure(std::string_view b64_text, size_t index, const SdJwtLimits& limits) {
  std::string text;
  Decoded d;
  decode_one(b64_text, index, limits, text, d, true);
  Disclosure out;
  out.b64 = std::string(b64_text);
  out.digest.assign(d.digest, sizeof d.digest);
  out.salt = std::move(d.salt);
  out.is_array_element = d.is_array_element;
  out.name = std::move(d.name);
  out.value = std::move(d.value);
  return out;
}

namespace {

/// RFC 9901 §7.1 step 3 over the payload in place: each disclosure is decoded
/// once and its value moved (not copied) into the object or array that
/// references it; the digests of `_sd` arrays and "..." elements are looked
/// up by text in a sorted index. The payload's own values are never copied.
/// The first 8 characters of a digest as a number: digests are base64url of
/// SHA-256, so this orders and tells apart almost all of them without a
/// string comparison; equal prefixes are compared in full.
uint64_t digest_prefix(std::string_view d) {
  uint64_t v = 0;
  std::memcpy(&v, d.data(), std::min<size_t>(8, d.size()));
  return v;
}

/// Disclosures looked up by digest text, ordered by digest_prefix and then
/// in full. `Disc` is any type with digest_view().
class DigestIndex {
 public:
  /// Indexes `discs`; returns the later disclosure of the first pair that
  /// share a digest, or discs.size() when every digest is different.
  template <class Disc>
  size_t build(const std::vector<Disc>& discs) {
    m_entries.clear();
    for (size_t i = 0; i < discs.size(); ++i)
      m_entries.emplace_back(digest_prefix(discs[i].digest_view()), static_cast<uint32_t>(i));
    std::sort(m_entries.begin(), m_entries.end(), [&](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      return discs[a.second].digest_view() < discs[b.second].digest_view();
    });
    size_t dup = discs.size();
    for (size_t k = 1; k < m_entries.size(); ++k)
      if (m_entries[k].first == m_entries[k - 1].first &&
          discs[m_entries[k].second].digest_view() == discs[m_entries[k - 1].second].digest_view())
        dup = std::min<size_t>(dup, std::max(m_entries[k].second, m_entries[k - 1].second));
    return dup;
  }

  /// The disclosure whose digest is `d`, or -1.
  template <class Disc>
  long find(const std::vector<Disc>& discs, std::string_view d) const {
    if (d.size() != crypto::base64url_size(32)) return -1;
    uint64_t p = digest_prefix(d);
    auto it = std::lower_bound(m_entries.begin(), m_entries.end(), p,
                               [](const auto& e, uint64_t k) { return e.first < k; });
    for (; it != m_entries.end() && it->first == p; ++it)
      if (discs[it->second].digest_view() == d) return static_cast<long>(it->second);
    return -1;
  }

  void clear() { m_entries.clear(); }

 private:
  std::vector<std::pair<uint64_t, uint32_t>> m_entries;
};

/// Containers kept per thread across documents (cleared, not freed), so
/// that processing a document allocates little beyond its values. A lease
/// holds one while its user lives, also when the user's constructor throws;
/// a nested user (none today) would get a scratch of its own.
template <class Scratch>
class ScratchLease {
 public:
  ScratchLease() : m_s(acquire()) { m_s.busy = true; }
  ~ScratchLease() {
    m_s.clear();
    m_s.busy = false;
  }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  Scratch& get() const { return m_s; }

 private:
  static Scratch& acquire() {
    thread_local Scratch s;
    if (!s.busy) return s;
    thread_local std::vector<std::unique_ptr<Scratch>> more;
    for (auto& m : more)
      if (!m->busy) return *m;
    more.push_back(std::make_unique<Scratch>());
    return *more.back();
  }
  Scratch& m_s;
};

struct ProcessorScratch {
  std::vector<Decoded> discs;
  DigestIndex index;
  std::vector<std::string_view> hidden;
  std::vector<json::Value> kept;
  std::string text;
  bool busy = false;
  void clear() {
    discs.clear();
    index.clear();
    hidden.clear();
    kept.clear();
  }
};

class Processor {
 public:
  Processor(const std::vector<std::string>& disclosures, const SdJwtLimits& limits)
      : m_limits(limits), m_scratch(m_lease.get()), m_discs(m_scratch.discs),
        m_index(m_scratch.index), m_hidden(m_scratch.hidden), m_kept(m_scratch.kept) {
    const size_t n = disclosures.size();
    m_discs.resize(n);
    for (size_t i = 0; i < n; ++i) decode_one(disclosures[i], i, limits, m_scratch.text, m_discs[i], false);
    // Two disclosures with one digest: name the later one of the first such pair.
    size_t dup = m_index.build(m_discs);
    if (dup < n) throw invalid(fmt::format("disclosure {} is sent twice (same digest as an earlier one)", dup + 1));
    m_parts.resize(n);
    m_ptr.reserve(256);
  }

  Processed run(json::Value&& payload) {
    Processed out;
    if (auto it = payload.find("_sd_alg"); it != payload.end()) {
      if (!it->is_string() || it->get_ref<const std::string&>() != "sha-256")
        throw invalid("_sd_alg must be \"sha-256\"");
    }
    walk(payload, -1, 0);
    payload.erase("_sd_alg");
    // Digests with no disclosure (decoys, removed parts) must not repeat
    // either; those with one were checked as they were used.
    std::sort(m_hidden.begin(), m_hidden.end());
    if (auto it = std::adjacent_find(m_hidden.begin(), m_hidden.end()); it != m_hidden.end())
      throw invalid(fmt::format("digest {} appears more than once", *it));
    for (size_t i = 0; i < m_discs.size(); ++i)
      if (!m_discs[i].used) throw invalid(fmt::format("disclosure {} is not referenced by any digest", i + 1));
    out.claims = std::move(payload);
    out.parts = std::move(m_parts);
    out.hidden = m_hidden.size();
    return out;
  }

 private:
  std::string where() const { return m_ptr.empty() ? "/" : m_ptr; }

  size_t push_key(const std::string& k) {
    size_t mark = m_ptr.size();
    m_ptr += '/';
    if (k.find_first_of("~/") == std::string::npos) m_ptr += k;
    else m_ptr += pointer_escape(k);
    return mark;
  }
  size_t push_index(size_t i) {
    size_t mark = m_ptr.size();
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, i);
    (void)ec;
    m_ptr += '/';
    m_ptr.append(buf, end);
    return mark;
  }
  void pop(size_t mark) { m_ptr.resize(mark); }

  /// The disclosure for `digest`, or -1 for a decoy or a removed part.
  long take(const std::string& digest, bool array_element) {
    std::string_view key(digest);
    long found = m_index.find(m_discs, key);
    if (found < 0) {
      m_hidden.push_back(key);
      return -1;
    }
    auto i = found;
    auto& d = m_discs[static_cast<size_t>(i)];
    if (d.used) throw invalid(fmt::format("digest {} appears more than once", digest));
    if (d.is_array_element != array_element)
      throw invalid(fmt::format("disclosure {} is an {} disclosure but is referenced {} at {}", i + 1,
                                d.is_array_element ? "array-element" : "object-member",
                                array_element ? "from an array" : "from _sd", where()));
    d.used = true;
    return i;
  }

  void walk(json::Value& v, long parent, unsigned depth) {
    if (depth > m_limits.max_depth)
      throw invalid(fmt::format("nesting deeper than {} levels at {}", m_limits.max_depth, m_ptr));
    if (v.is_object()) walk_object(v, parent, depth);
    else if (v.is_array()) walk_array(v, parent, depth);
  }

  void walk_object(json::Value& v, long parent, unsigned depth) {
    auto& obj = v.get_ref<json::Value::object_t&>();
    auto sd_it = obj.end();
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& k = it->first;
      if (k == "_sd") {
        sd_it = it;
        continue;
      }
      if (k == "...") throw invalid(fmt::format("\"...\" outside an array element at {}", where()));
      size_t mark = push_key(k);
      walk(it->second, parent, depth + 1);
      pop(mark);
    }
    if (sd_it == obj.end()) return;
    if (!sd_it->second.is_array()) throw invalid(fmt::format("_sd at {} is not an array", where()));
    // The digests stay alive (their text is looked at until the end) in m_kept.
    m_kept.push_back(std::move(sd_it->second));
    obj.erase(sd_it);
    const auto& digests = m_kept.back().get_ref<const json::Value::array_t&>();
    for (const auto& dg : digests) {
      if (!dg.is_string())
        throw invalid(fmt::format("_sd at {} holds something other than digest strings", where()));
      long i = take(dg.get_ref<const std::string&>(), false);
      if (i < 0) continue;
      auto& d = m_discs[static_cast<size_t>(i)];
      if (obj.count(d.name))
        throw invalid(fmt::format("disclosure {} names \"{}\", which is already a claim at {}", i + 1, d.name, where()));
      size_t mark = push_key(d.name);
      m_parts[static_cast<size_t>(i)] = {m_ptr, parent, false};
      auto placed = obj.emplace(std::move(d.name), std::move(d.value)).first;
      walk(placed->second, i, depth + 1);
      pop(mark);
    }
  }

  void walk_array(json::Value& v, long parent, unsigned depth) {
    auto& arr = v.get_ref<json::Value::array_t&>();
    bool any = false;
    for (const auto& e : arr) any = any || (e.is_object() && e.contains("..."));
    if (!any) {
      for (size_t k = 0; k < arr.size(); ++k) {
        size_t mark = push_index(k);
        walk(arr[k], parent, depth + 1);
        pop(mark);
      }
      return;
    }
    json::Value::array_t out;
    out.reserve(arr.size());
    for (auto& e : arr) {
      if (e.is_object() && e.contains("...")) {
        if (e.size() != 1)
          throw invalid(fmt::format("an array element at {} has \"...\" and other members", m_ptr));
        const auto& dg = e["..."];
        if (!dg.is_string()) throw invalid(fmt::format("\"...\" at {} is not a digest string", m_ptr));
        m_kept.push_back(std::move(e));
        long i = take(m_kept.back()["..."].get_ref<const std::string&>(), true);
        if (i < 0) continue;
        size_t mark = push_index(out.size());
        m_parts[static_cast<size_t>(i)] = {m_ptr, parent, true};
        out.push_back(std::move(m_discs[static_cast<size_t>(i)].value));
        walk(out.back(), i, depth + 1);
        pop(mark);
        continue;
      }
      size_t mark = push_index(out.size());
      out.push_back(std::move(e));
      walk(out.back(), parent, depth + 1);
      pop(mark);
    }
    arr = std::move(out);
  }

  const SdJwtLimits& m_limits;
  ScratchLease<ProcessorScratch> m_lease;
  ProcessorScratch& m_scratch;
  std::vector<Decoded>& m_discs;
  DigestIndex& m_index;
  std::vector<std::string_view>& m_hidden;             ///< digests with no disclosure
  std::vector<json::Value>& m_kept;  ///< _sd arrays and "..." elements taken out of the claims
  std::vector<DisclosedPart> m_parts;
  std::string m_ptr;  ///< RFC 6901 pointer of the value being walked
};

}  // namespace

namespace {

/// The fast path of disclosure processing (process_text): the payload's JSON
/// text is copied to an output text with every `_sd` digest and "..."
/// element replaced by what its disclosure holds, and the output is parsed
/// once. No DOM is built of the payload, of a disclosure, or of a digest.
///
/// It decides only the common, valid case. Whatever it does not copy (the
/// `_sd` arrays, "..." elements, `_sd_alg`, each disclosure's salt and its
/// array around name and value) it checks strictly here; whatever it copies
/// (names and values) the final parse checks. On anything else — every error, escapes in a name or digest, a
/// "..." member anywhere but alone in an array element, a disclosure no
/// digest references, nesting near the limit — it gives up, and process()
/// on the DOM decides and words the error.
class Splicer {
 public:
  Splicer(const std::vector<std::string>& disclosures, const SdJwtLimits& limits, SetAside* aside = nullptr)
      : m_limits(limits), m_s(m_lease.get()), m_aside(aside) {
    m_s.discs.resize(disclosures.size());
    m_s.arena.clear();
    for (size_t i = 0; i < disclosures.size(); ++i) m_ok = m_ok && decode(disclosures[i], m_s.discs[i]);
    // (Two disclosures with one digest: process() words that error.)
    m_ok = m_ok && m_s.index.build(m_s.discs) == m_s.discs.size();
  }

  bool run(std::string_view payload, const std::string& source, Processed& out) {
    if (!m_ok) return false;
    std::string& text = m_s.out;
    text.clear();
    text.reserve(payload.size() + m_s.arena.size());
    m_s.ptr.clear();
    m_parts.assign(m_s.discs.size(), {});
    Cursor c{payload.data(), payload.data() + payload.size()};
    ws(c);
    if (m_aside) {
      m_aside->text.clear();
      m_aside->found = false;
    }
    if (c.p == c.end || *c.p != '{' || !object(c, -1, 0, true)) return false;
    ws(c);
    if (c.p != c.end) return false;
    // The claim set aside counts toward the size the parse would have seen
    // (its name, quotes, colon and a comma; counted generously: exceeding
    // it only leaves the case to process()).
    if (m_aside && m_aside->found && text.size() + m_aside->text.size() + m_aside->name.size() + 4 > m_limits.max_bytes)
      return false;
    for (const auto& d : m_s.discs)
      if (!d.used) return false;
    // Digests with no disclosure must not repeat either (ordered by their
    // first eight characters, then in full).
    // Equal digests have equal prefixes: the prefixes alone are sorted,
    // and the digests in full only when two prefixes are equal.
    auto& hidden = m_s.hidden;
    auto& keys = m_s.keys;
    keys.clear();
    for (const auto& h : hidden) keys.push_back(h.first);
    std::sort(keys.begin(), keys.end());
    if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
      std::sort(hidden.begin(), hidden.end());
      for (size_t k = 1; k < hidden.size(); ++k)
        if (hidden[k].first == hidden[k - 1].first && hidden[k].second == hidden[k - 1].second) return false;
    }
    json::Value claims;
    try {
      claims = json::parse(text, source, {.max_bytes = m_limits.max_bytes, .max_depth = m_limits.max_depth});
    } catch (const Error&) {
      return false;
    }
    out.claims = std::move(claims);
    out.parts = std::move(m_parts);
    out.hidden = hidden.size();
    return true;
  }

 private:
  struct Cursor {
    const char* p;
    const char* end;
  };
  /// One decoded disclosure: name and value as offsets into the arena (which
  /// may move while disclosures are appended).
  struct Disc {
    char digest[43];
    bool is_array_element = false;
    bool used = false;
    size_t name_at = 0, name_len = 0, value_at = 0, value_len = 0;
    std::string_view digest_view() const { return {digest, sizeof digest}; }
  };
  struct Scratch {
    std::vector<Disc> discs;
    DigestIndex index;
    std::vector<std::pair<uint64_t, std::string_view>> hidden;
    std::vector<uint64_t> keys;
    std::string arena, decoded, out, ptr;
    bool busy = false;
    void clear() {
      discs.clear();
      index.clear();
      hidden.clear();
    }
  };

  bool decode(const std::string& b64_text, Disc& d) {
    auto h = crypto::sha256(b64_text);
    static_assert(sizeof d.digest == crypto::base64url_size(32));
    crypto::base64url_write(d.digest, h.data(), h.size());
    std::string& tmp = m_s.decoded;
    try {
      crypto::unbase64url_text_into(b64_text, tmp);
    } catch (const Error&) {
      return false;
    }
    if (tmp.size() > m_limits.max_bytes) return false;
    // [ "salt" , ( "name" , )? value ]: the salt plain base64url, a name
    // without escapes (it is copied, and the final parse checks it), the
    // value left to the splice (which needs exactly one value there).
    Cursor c{tmp.data(), tmp.data() + tmp.size()};
    std::string_view salt, first;
    if (!take(c, '[') || !digest(c, salt) || !take(c, ',')) return false;
    if (salt.size() < 22 || salt.size() > 512 || scan::base64url_prefix(salt.data(), salt.size()) != salt.size())
      return false;
    ws(c);
    const char* value_start = c.p;
    d.is_array_element = true;
    if (c.p != c.end && *c.p == '"') {
      bool escaped;
      if (!string(c, first, escaped) || escaped) return false;
      if (take(c, ',')) {
        if (first == "_sd" || first == "..." || first == "_sd_alg") return false;
        d.is_array_element = false;
        d.name_at = m_s.arena.size() + static_cast<size_t>(first.data() - tmp.data());
        d.name_len = first.size();
        value_start = c.p;
      }
    }
    const char* end = c.end;
    while (end > value_start && json_ws(end[-1])) --end;
    if (end == value_start || end[-1] != ']') return false;
    d.value_at = m_s.arena.size() + static_cast<size_t>(value_start - tmp.data());
    d.value_len = static_cast<size_t>(end - 1 - value_start);
    m_s.arena += tmp;
    return true;
  }

  static void ws(Cursor& c) {
    while (c.p != c.end && json_ws(*c.p)) ++c.p;
  }
  static bool take(Cursor& c, char ch) {
    ws(c);
    if (c.p == c.end || *c.p != ch) return false;
    ++c.p;
    return true;
  }

  /// A string at c.p == '"': its text between the quotes, escapes left as
  /// they are; `escaped` tells whether it has any.
  static bool string(Cursor& c, std::string_view& text, bool& escaped) {
    const char* start = ++c.p;
    escaped = false;
    for (;;) {
      c.p += scan::plain_ascii_prefix(c.p, static_cast<size_t>(c.end - c.p));
      if (c.p == c.end) return false;
      char ch = *c.p;
      if (ch == '"') break;
      if (ch == '\\') {
        escaped = true;
        if (c.end - c.p < 2) return false;
        c.p += 2;
        continue;
      }
      ++c.p;
    }
    text = std::string_view(start, static_cast<size_t>(c.p - start));
    ++c.p;
    return true;
  }

  /// A digest string at the cursor. It is not copied, so it is checked
  /// here: printable ASCII without escapes (every real digest is base64url).
  static bool digest(Cursor& c, std::string_view& d) {
    ws(c);
    if (c.p == c.end || *c.p != '"') return false;
    const char* start = ++c.p;
    c.p += scan::plain_ascii_prefix(c.p, static_cast<size_t>(c.end - c.p));
    if (c.p == c.end || *c.p != '"') return false;
    d = std::string_view(start, static_cast<size_t>(c.p - start));
    ++c.p;
    return true;
  }

  /// The disclosure for `d`, marked used; -1 for a digest with none (a
  /// decoy or a removed part); -2 when process() must decide.
  long take_digest(std::string_view d, bool array_element) {
    long i = m_s.index.find(m_s.discs, d);
    if (i < 0) {
      m_s.hidden.emplace_back(digest_prefix(d), d);
      return -1;
    }
    Disc& disc = m_s.discs[static_cast<size_t>(i)];
    if (disc.used || disc.is_array_element != array_element) return -2;
    disc.used = true;
    return i;
  }

  size_t push(std::string_view token) {
    size_t mark = m_s.ptr.size();
    m_s.ptr += '/';
    bool plain = true;
    for (char ch : token) plain = plain && ch != '~' && ch != '/';
    if (plain) m_s.ptr += token;
    else m_s.ptr += pointer_escape(token);
    return mark;
  }
  size_t push(size_t index) {
    size_t mark = m_s.ptr.size();
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, index);
    m_s.ptr += '/';
    m_s.ptr.append(buf, res.ptr);
    return mark;
  }
  void pop(size_t mark) { m_s.ptr.resize(mark); }

  /// Writes `"name":` (after a comma unless it is the first member) and
  /// steps the pointer into it; returns the pointer's mark for pop().
  size_t member(std::string_view name, bool& first) {
    if (!first) m_s.out += ',';
    first = false;
    m_s.out += '"';
    m_s.out += name;
    m_s.out += "\":";
    return push(name);
  }

  /// At the opening bracket (copied): 1 when items follow, 0 when `close`
  /// ends it at once (and is copied), -1 when nesting is too near the limit.
  int open_item(Cursor& c, char close, unsigned depth) {
    if (depth + 2 >= m_limits.max_depth) return -1;
    m_s.out += *c.p++;
    ws(c);
    if (c.p == c.end || *c.p != close) return 1;
    ++c.p;
    m_s.out += close;
    return 0;
  }

  /// After a member or element: 1 when a comma says more follow, 0 when
  /// `close` ends the object or array (and is copied), -1 for anything else.
  int after_item(Cursor& c, char close) {
    ws(c);
    if (c.p == c.end) return -1;
    if (*c.p == ',') {
      ++c.p;
      return 1;
    }
    if (*c.p != close) return -1;
    ++c.p;
    m_s.out += close;
    return 0;
  }

  /// Copies one value at the cursor, replacing what disclosures hold.
  bool value(Cursor& c, long parent, unsigned depth) {
    ws(c);
    if (c.p == c.end) return false;
    if (*c.p == '{') return object(c, parent, depth, false);
    if (*c.p == '[') return array(c, parent, depth);
    const char* start = c.p;
    if (*c.p == '"') {
      std::string_view t;
      bool escaped;
      if (!string(c, t, escaped)) return false;
    } else {
      while (c.p != c.end && *c.p != ',' && *c.p != ']' && *c.p != '}' && !json_ws(*c.p)) ++c.p;
      if (c.p == start) return false;
    }
    m_s.out.append(start, c.p);
    return true;
  }

  /// A disclosed value: the whole of its text must be one value.
  bool disclosed(size_t i, unsigned depth) {
    const Disc& d = m_s.discs[i];
    Cursor v{m_s.arena.data() + d.value_at, m_s.arena.data() + d.value_at + d.value_len};
    if (!value(v, static_cast<long>(i), depth)) return false;
    ws(v);
    return v.p == v.end;
  }

  /// The digest array of an `_sd` member (which is not copied): each digest
  /// with a disclosure becomes a member of the object being written.
  bool sd_digests(Cursor& c, long parent, unsigned depth, bool& first, bool top) {
    if (!take(c, '[')) return false;
    ws(c);
    if (c.p != c.end && *c.p == ']') {
      ++c.p;
      return true;
    }
    for (;;) {
      std::string_view d;
      if (!digest(c, d)) return false;
      long i = take_digest(d, false);
      if (i == -2) return false;
      if (i >= 0) {
        const Disc& disc = m_s.discs[static_cast<size_t>(i)];
        std::string_view name(m_s.arena.data() + disc.name_at, disc.name_len);
        if (top && m_aside && name == m_aside->name) return false;
        size_t mark = member(name, first);
        m_parts[static_cast<size_t>(i)] = {m_s.ptr, parent, false};
        if (!disclosed(static_cast<size_t>(i), depth + 1)) return false;
        pop(mark);
      }
      ws(c);
      if (c.p == c.end || *c.p != ',') return take(c, ']');
      ++c.p;
    }
  }

  bool object(Cursor& c, long parent, unsigned depth, bool top) {
    int items = open_item(c, '}', depth);
    if (items <= 0) return items == 0;
    bool first = true, seen_sd = false, seen_alg = false;
    for (;;) {
      ws(c);
      std::string_view key;
      bool escaped;
      if (c.p == c.end || *c.p != '"' || !string(c, key, escaped) || escaped) return false;
      if (!take(c, ':')) return false;
      if (key == "_sd") {
        // (Not copied, so a second one would escape the final parse's check
        // of duplicate names.)
        if (seen_sd || !sd_digests(c, parent, depth, first, top)) return false;
        seen_sd = true;
      } else if (key == "...") {
        return false;
      } else if (top && key == "_sd_alg") {
        std::string_view alg;
        if (seen_alg || !digest(c, alg) || alg != "sha-256") return false;
        seen_alg = true;
      } else if (top && m_aside && key == m_aside->name) {
        // Copied as any member's value is, then moved aside (so that
        // nothing else changes: commas, pointers, depth).
        if (m_aside->found) return false;
        m_aside->found = true;
        size_t at = m_s.out.size();
        size_t mark = push(key);
        if (!value(c, parent, depth + 1)) return false;
        pop(mark);
        m_aside->text.assign(m_s.out, at);
        m_s.out.resize(at);
      } else {
        size_t mark = member(key, first);
        if (!value(c, parent, depth + 1)) return false;
        pop(mark);
      }
      int more = after_item(c, '}');
      if (more <= 0) return more == 0;
    }
  }

  /// At c.p == '{': if this array element is exactly {"...": "digest"},
  /// takes it and sets `d`; otherwise leaves the cursor where it was.
  static bool ellipsis_element(Cursor& c, std::string_view& d) {
    Cursor k = c;
    ++k.p;
    ws(k);
    std::string_view key;
    bool escaped;
    if (k.p == k.end || *k.p != '"' || !string(k, key, escaped) || escaped || key != "...") return false;
    if (!take(k, ':') || !digest(k, d) || !take(k, '}')) return false;
    c = k;
    return true;
  }

  bool array(Cursor& c, long parent, unsigned depth) {
    int items = open_item(c, ']', depth);
    if (items <= 0) return items == 0;
    size_t n = 0;
    for (;;) {
      ws(c);
      if (c.p == c.end) return false;
      std::string_view d;
      if (*c.p == '{' && ellipsis_element(c, d)) {
        long i = take_digest(d, true);
        if (i == -2) return false;
        if (i >= 0) {
          if (n) m_s.out += ',';
          size_t mark = push(n++);
          m_parts[static_cast<size_t>(i)] = {m_s.ptr, parent, true};
          if (!disclosed(static_cast<size_t>(i), depth + 1)) return false;
          pop(mark);
        }
      } else {
        if (n) m_s.out += ',';
        size_t mark = push(n++);
        if (!value(c, parent, depth + 1)) return false;
        pop(mark);
      }
      int more = after_item(c, ']');
      if (more <= 0) return more == 0;
    }
  }

  const SdJwtLimits& m_limits;
  ScratchLease<Scratch> m_lease;
  Scratch& m_s;
  SetAside* m_aside;
  bool m_ok = true;
  std::vector<DisclosedPart> m_parts;
};

}  // namespace

bool process_text(std::string_view payload, const std::vector<std::string>& disclosures, const SdJwtLimits& limits,
                  Processed& out, const std::string& source) {
  if (disclosures.size() > limits.max_disclosures || payload.size() > limits.max_bytes) return false;
  return Splicer(disclosures, limits).run(payload, source, out);
}

bool process_text(std::string_view payload, const std::vector<std::string>& disclosures, const SdJwtLimits& limits,
                  Processed& out, SetAside& aside, const std::string& source) {
  aside.text.clear();
  aside.found = false;
  if (disclosures.size() > limits.max_disclosures || payload.size() > limits.max_bytes) return false;
  return Splicer(disclosures, limits, &aside).run(payload, source, out);
}

Processed process(json::Value&& payload, const std::vector<std::string>& disclosures, const SdJwtLimits& limits) {
  if (!payload.is_object()) throw invalid("the SD-JWT payload is not a JSON object");
  if (disclosures.size() > limits.max_disclosures)
    throw Error(Exit::data, fmt::format("more than {} disclosures", limits.max_disclosures));
  Processor p(disclosures, limits);
  return p.run(std::move(payload));
}

Processed process(const json::Value& payload, const std::vector<std::string>& disclosures,
                  const SdJwtLimits& limits) {
  if (!payload.is_object()) throw invalid("the SD-JWT payload is not a JSON object");
  return process(json::Value(payload), disclosures, limits);
}

std::string pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

std::vector<std::string> pointer_split(std::string_view pointer) {
  std::vector<std::string> out;
  if (pointer.empty()) return out;
  if (pointer[0] != '/')
    throw Error(Exit::usage, fmt::format("\"{}\" is not a JSON Pointer (RFC 6901): it must start with \"/\"", pointer));
  size_t pos = 1;
  for (;;) {
    auto next = pointer.find('/', pos);
    std::string_view raw = pointer.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
    std::string tok;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~') {
        if (i + 1 < raw.size() && raw[i + 1] == '0') tok.push_back('~');
        else if (i + 1 < raw.size() && raw[i + 1] == '1') tok.push_back('/');
        else throw Error(Exit::usage, fmt::format("\"{}\" is not a JSON Pointer: \"~\" must be followed by 0 or 1", pointer));
        ++i;
      } else {
        tok.push_back(raw[i]);
      }
    }
    out.push_back(std::move(tok));
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

}  // namespace hc::ces

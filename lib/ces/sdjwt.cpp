// SD-JWT serializations and strict disclosure processing (RFC 9901 §4, §7, §8).
#include <hc/ces/sdjwt.h>

#include <hc/core/error.h>

#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

namespace hc::ces {
namespace {

Error invalid(std::string msg) { return Error(Exit::invalid, std::move(msg)); }

bool is_b64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

std::string decode_b64_text(std::string_view b64, const std::string& what) {
  try {
    return crypto::unbase64url_text(b64);
  } catch (const Error& e) {
    throw invalid(fmt::format("{}: {}", what, e.message()));
  }
}

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
      if (!string(v)) return false;
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
          if (!string(d) || out.disclosures.size() >= max_disclosures) return false;
          out.disclosures.emplace_back(d);
        } while (take(','));
        if (!take(']')) return false;
      } else if (key == "kb_jwt" && !have_k) {
        have_k = true;
        std::string_view k;
        if (!string(k)) return false;
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
  bool string(std::string_view& out) {
    if (!take('"')) return false;
    size_t start = m_i;
    while (m_i < m_t.size() && m_t[m_i] != '"') {
      char c = m_t[m_i];
      if (!is_b64url_char(c) && c != '.' && c != '~') return false;
      ++m_i;
    }
    if (m_i == m_t.size()) return false;
    out = m_t.substr(start, m_i - start);
    ++m_i;
    return true;
  }

  std::string_view m_t;
  size_t m_i = 0;
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

std::string b64(std::string_view text) { return crypto::base64url(text); }

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

std::string SdJwt::presentation_prefix() const {
  std::string out = jwt();
  out += '~';
  for (const auto& d : disclosures) {
    out += d;
    out += '~';
  }
  return out;
}

std::string SdJwt::compact() const { return presentation_prefix() + kb_jwt; }

json::Value SdJwt::to_json() const {
  json::Value header = json::Value::object();
  header["disclosures"] = disclosures;
  if (!kb_jwt.empty()) header["kb_jwt"] = kb_jwt;
  return json::Value{{"protected", protected_b64}, {"payload", payload_b64}, {"signature", signature_b64},
                     {"header", std::move(header)}};
}

std::string SdJwt::json_line() const {
  size_t size = protected_b64.size() + payload_b64.size() + signature_b64.size() + kb_jwt.size() + 96;
  for (const auto& d : disclosures) size += d.size() + 3;
  std::string out;
  out.reserve(size);
  out += "{\"header\":{\"disclosures\":[";
  for (size_t i = 0; i < disclosures.size(); ++i) {
    if (i) out += ',';
    out += '"';
    out += disclosures[i];
    out += '"';
  }
  out += ']';
  if (!kb_jwt.empty()) {
    out += ",\"kb_jwt\":\"";
    out += kb_jwt;
    out += '"';
  }
  out += "},\"payload\":\"";
  out += payload_b64;
  out += "\",\"protected\":\"";
  out += protected_b64;
  out += "\",\"signature\":\"";
  out += signature_b64;
  out += "\"}\n";
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
      std::string_view hp, pp, sp;
      if (split_jws(fast.jwt(), hp, pp, sp)) {
        check_alphabet(fast, source);
        return fast;
      }
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
  return crypto::base64url(h.data(), h.size());
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

json::Value decode_json_part(std::string_view part, const char* what, const SdJwtLimits& limits) {
  std::string text = decode_b64_text(part, what);
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
  crypto::Bytes sig;
  try {
    sig = crypto::unbase64url(signature_b64);
  } catch (const Error&) {
    return false;
  }
  std::string input;
  input.reserve(header_b64.size() + payload_b64.size() + 1);
  input += header_b64;
  input += '.';
  input += payload_b64;
  return crypto::ed25519_verify(key.data(), key.size(), input, sig.data(), sig.size());
}

Disclosure decode_disclosure(std::string_view b64_text, size_t index, const SdJwtLimits& limits) {
  std::string where = fmt::format("disclosure {}", index + 1);
  Disclosure d;
  d.b64 = std::string(b64_text);
  d.digest = disclosure_digest(b64_text);
  std::string text = decode_b64_text(b64_text, where);
  json::Value arr;
  try {
    arr = json::parse(text, where, {.max_bytes = limits.max_bytes, .max_depth = limits.max_depth});
  } catch (const Error& e) {
    throw invalid(fmt::format("{} is not valid JSON: {}", where, e.message()));
  }
  if (!arr.is_array() || (arr.size() != 2 && arr.size() != 3))
    throw invalid(fmt::format("{} must be a JSON array of 2 or 3 elements", where));
  const auto& salt = arr[0];
  if (!salt.is_string()) throw invalid(fmt::format("{} has a malformed salt: not a string", where));
  d.salt = salt.get<std::string>();
  if (d.salt.size() < 22 || d.salt.size() > 512)
    throw invalid(fmt::format("{} has a malformed salt: {} characters (22 to 512 required)", where, d.salt.size()));
  for (char c : d.salt)
    if (!is_b64url_char(c)) throw invalid(fmt::format("{} has a malformed salt: not base64url", where));
  if (arr.size() == 2) {
    d.is_array_element = true;
    d.value = std::move(arr[1]);
  } else {
    if (!arr[1].is_string()) throw invalid(fmt::format("{} has a claim name that is not a string", where));
    d.name = arr[1].get<std::string>();
    if (d.name == "_sd" || d.name == "..." || d.name == "_sd_alg")
      throw invalid(fmt::format("{} uses the reserved claim name \"{}\"", where, d.name));
    d.value = std::move(arr[2]);
  }
  return d;
}

namespace {

class Processor {
 public:
  Processor(const std::vector<std::string>& disclosures, const SdJwtLimits& limits) : m_limits(limits) {
    m_discs.reserve(disclosures.size());
    m_by_digest.reserve(disclosures.size() * 2);
    for (size_t i = 0; i < disclosures.size(); ++i) {
      m_discs.push_back(decode_disclosure(disclosures[i], i, limits));
      if (!m_by_digest.emplace(m_discs.back().digest, i).second)
        throw invalid(fmt::format("disclosure {} is sent twice (same digest as an earlier one)", i + 1));
    }
    m_parts.resize(disclosures.size());
    m_used.assign(disclosures.size(), false);
  }

  Processed run(const json::Value& payload) {
    Processed out;
    if (auto it = payload.find("_sd_alg"); it != payload.end()) {
      if (!it->is_string() || it->get<std::string>() != "sha-256")
        throw invalid("_sd_alg must be \"sha-256\"");
    }
    out.claims = walk(payload, "", -1, 0);
    out.claims.erase("_sd_alg");
    for (size_t i = 0; i < m_used.size(); ++i)
      if (!m_used[i]) throw invalid(fmt::format("disclosure {} is not referenced by any digest", i + 1));
    out.parts = std::move(m_parts);
    out.hidden = m_hidden;
    return out;
  }

 private:
  void see(const std::string& digest) {
    if (!m_seen.insert(digest).second) throw invalid(fmt::format("digest {} appears more than once", digest));
  }

  /// The disclosure for `digest`, or -1 for a decoy or a removed part.
  long take(const std::string& digest, bool array_element, const std::string& where) {
    see(digest);
    auto it = m_by_digest.find(digest);
    if (it == m_by_digest.end()) {
      ++m_hidden;
      return -1;
    }
    auto i = static_cast<long>(it->second);
    if (m_discs[i].is_array_element != array_element)
      throw invalid(fmt::format("disclosure {} is an {} disclosure but is referenced {} at {}", i + 1,
                                m_discs[i].is_array_element ? "array-element" : "object-member",
                                array_element ? "from an array" : "from _sd", where.empty() ? "/" : where));
    m_used[i] = true;
    return i;
  }

  json::Value walk(const json::Value& v, const std::string& ptr, long parent, unsigned depth) {
    if (depth > m_limits.max_depth)
      throw invalid(fmt::format("nesting deeper than {} levels at {}", m_limits.max_depth, ptr));
    if (v.is_object()) return walk_object(v, ptr, parent, depth);
    if (v.is_array()) return walk_array(v, ptr, parent, depth);
    return v;
  }

  json::Value walk_object(const json::Value& v, const std::string& ptr, long parent, unsigned depth) {
    json::Value out = json::Value::object();
    auto& out_obj = out.get_ref<json::Value::object_t&>();
    const json::Value* sd = nullptr;
    for (const auto& [k, child] : v.items()) {
      if (k == "_sd") {
        sd = &child;
        continue;
      }
      if (k == "...") throw invalid(fmt::format("\"...\" outside an array element at {}", ptr.empty() ? "/" : ptr));
      out_obj.emplace(k, walk(child, ptr + "/" + pointer_escape(k), parent, depth + 1));
    }
    if (sd) {
      if (!sd->is_array()) throw invalid(fmt::format("_sd at {} is not an array", ptr.empty() ? "/" : ptr));
      for (const auto& dg : *sd) {
        if (!dg.is_string())
          throw invalid(fmt::format("_sd at {} holds something other than digest strings", ptr.empty() ? "/" : ptr));
        long i = take(dg.get_ref<const std::string&>(), false, ptr);
        if (i < 0) continue;
        auto& d = m_discs[static_cast<size_t>(i)];
        std::string child_ptr = ptr + "/" + pointer_escape(d.name);
        if (out_obj.count(d.name))
          throw invalid(fmt::format("disclosure {} names \"{}\", which is already a claim at {}", i + 1, d.name,
                                    ptr.empty() ? "/" : ptr));
        m_parts[static_cast<size_t>(i)] = {child_ptr, parent, false};
        out_obj.emplace(d.name, walk(d.value, child_ptr, i, depth + 1));
      }
    }
    return out;
  }

  json::Value walk_array(const json::Value& v, const std::string& ptr, long parent, unsigned depth) {
    json::Value out = json::Value::array();
    auto& arr = out.get_ref<json::Value::array_t&>();
    for (const auto& e : v) {
      if (e.is_object() && e.contains("...")) {
        if (e.size() != 1) throw invalid(fmt::format("an array element at {} has \"...\" and other members", ptr));
        const auto& dg = e["..."];
        if (!dg.is_string()) throw invalid(fmt::format("\"...\" at {} is not a digest string", ptr));
        long i = take(dg.get_ref<const std::string&>(), true, ptr);
        if (i < 0) continue;
        std::string child_ptr = ptr + "/" + std::to_string(arr.size());
        m_parts[static_cast<size_t>(i)] = {child_ptr, parent, true};
        arr.push_back(walk(m_discs[static_cast<size_t>(i)].value, child_ptr, i, depth + 1));
        continue;
      }
      std::string child_ptr = ptr + "/" + std::to_string(arr.size());
      arr.push_back(walk(e, child_ptr, parent, depth + 1));
    }
    return out;
  }

  const SdJwtLimits& m_limits;
  std::vector<Disclosure> m_discs;
  std::unordered_map<std::string, size_t> m_by_digest;
  std::unordered_set<std::string> m_seen;
  std::vector<DisclosedPart> m_parts;
  std::vector<bool> m_used;
  size_t m_hidden = 0;
};

}  // namespace

Processed process(const json::Value& payload, const std::vector<std::string>& disclosures,
                  const SdJwtLimits& limits) {
  if (!payload.is_object()) throw invalid("the SD-JWT payload is not a JSON object");
  if (disclosures.size() > limits.max_disclosures)
    throw Error(Exit::data, fmt::format("more than {} disclosures", limits.max_disclosures));
  Processor p(disclosures, limits);
  return p.run(payload);
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

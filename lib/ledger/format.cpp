// Strict parsing and building of the ledger formats (see format.h).
#include <hc/ledger/format.h>

#include <hc/consensus/evidence.h>
#include <hc/consent/consent.h>
#include <hc/core/error.h>
#include <hc/keys/keys.h>
#include <hc/ledger/canonical.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

namespace hc::ledger {
namespace {

using json::Value;

/// Where errors point: source file, line and a field path.
struct Ctx {
  const std::string& source;
  uint64_t line;
  [[noreturn]] void fail(const std::string& field, const std::string& msg) const {
    Error e(Exit::data, msg);
    if (!source.empty()) e.file(source);
    if (line) e.line(line);
    if (!field.empty()) e.field(field);
    throw e;
  }
};

const Value& member(const Ctx& c, const Value& obj, const std::string& path, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) c.fail(path + key, "missing");
  return *it;
}

void only_keys(const Ctx& c, const Value& obj, const std::string& path, std::initializer_list<std::string_view> keys) {
  if (!obj.is_object()) c.fail(path.empty() ? "" : path.substr(0, path.size() - 1), "must be an object");
  for (const auto& [name, v] : obj.get_ref<const Value::object_t&>()) {
    std::string_view n(name);
    if (std::find(keys.begin(), keys.end(), n) == keys.end()) c.fail(path + name, "unknown member");
  }
}

/// keys::key_id(pk), remembered per thread for the last few hundred keys:
/// the same signers (organisations, patients with many records) recur.
const std::string& key_id_of(const crypto::Ed25519Public& pk) {
  struct Entry {
    crypto::Ed25519Public pk{};
    std::string id;
  };
  thread_local std::array<Entry, 256> cache;
  Entry& e = cache[pk[0]];
  if (e.id.empty() || e.pk != pk) {
    e.id = keys::key_id(pk);
    e.pk = pk;
  }
  return e.id;
}

std::string str(const Ctx& c, const Value& obj, const std::string& path, const char* key, size_t max,
                size_t min = 1) {
  const Value& v = member(c, obj, path, key);
  if (!v.is_string()) c.fail(path + key, "must be a string");
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() < min) c.fail(path + key, "must not be empty");
  if (s.size() > max) c.fail(path + key, fmt::format("longer than {} bytes", max));
  return s;
}

std::optional<std::string> opt_str(const Ctx& c, const Value& obj, const std::string& path, const char* key,
                                   size_t max) {
  if (!obj.contains(key)) return std::nullopt;
  return str(c, obj, path, key, max);
}

uint64_t uint(const Ctx& c, const Value& obj, const std::string& path, const char* key, uint64_t max) {
  const Value& v = member(c, obj, path, key);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
    c.fail(path + key, "must be a non-negative integer");
  uint64_t n = v.get<uint64_t>();
  if (n > max) c.fail(path + key, fmt::format("must be at most {}", max));
  return n;
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
}

std::string hash_hex(const Ctx& c, const Value& obj, const std::string& path, const char* key) {
  auto s = str(c, obj, path, key, 64);
  if (s.size() != 64 || !is_lower_hex(s)) c.fail(path + key, "must be 64 lowercase hex digits (SHA-256)");
  return s;
}

std::string keyid(const Ctx& c, const Value& obj, const std::string& path, const char* key) {
  auto s = str(c, obj, path, key, 16);
  if (!is_key_id(s)) c.fail(path + key, "must be a key ID (16 lowercase hex digits)");
  return s;
}

template <size_t N>
std::array<uint8_t, N> b64fixed(const Ctx& c, const Value& obj, const std::string& path, const char* key) {
  auto s = str(c, obj, path, key, 4 * N / 3 + 4);
  crypto::Bytes raw;
  try {
    raw = crypto::unbase64url(s);
  } catch (const Error& e) {
    c.fail(path + key, e.message());
  }
  if (raw.size() != N) c.fail(path + key, fmt::format("must encode {} bytes", N));
  std::array<uint8_t, N> out;
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

int64_t time_of(const Ctx& c, const Value& obj, const std::string& path, const char* key) {
  auto s = str(c, obj, path, key, 20);
  try {
    return parse_time(s, key);
  } catch (const Error& e) {
    c.fail(path + key, e.message());
  }
}

void list_of(const Ctx& c, const Value& obj, const std::string& path, const char* key, size_t min, size_t max,
             const std::function<void(const Value&, const std::string&)>& each, bool unique = true) {
  const Value& v = member(c, obj, path, key);
  if (!v.is_array()) c.fail(path + key, "must be an array");
  if (v.size() < min) c.fail(path + key, fmt::format("needs at least {} entries", min));
  if (v.size() > max) c.fail(path + key, fmt::format("has more than {} entries", max));
  std::set<std::string> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string p = fmt::format("{}{}[{}]", path, key, i);
    each(v[i], p);
    if (unique && !seen.insert(v[i].dump()).second) c.fail(p, "repeats an earlier entry");
  }
}

void keyid_value(const Ctx& c, const Value& v, const std::string& p) {
  if (!v.is_string() || !is_key_id(v.get_ref<const std::string&>()))
    c.fail(p, "must be a key ID (16 lowercase hex digits)");
}

void ext(const Ctx& c, const Value& obj, const std::string& path) {
  if (obj.contains("ext") && !obj["ext"].is_object()) c.fail(path + "ext", "must be an object");
}

bool age_band_ok(std::string_view s) {
  // "LO-HI" or "LO+", each 1-3 digits, LO <= HI
  auto digits = [](std::string_view d) { return !d.empty() && d.size() <= 3 && std::all_of(d.begin(), d.end(), ::isdigit); };
  if (!s.empty() && s.back() == '+') return digits(s.substr(0, s.size() - 1));
  auto dash = s.find('-');
  if (dash == std::string_view::npos) return false;
  auto lo = s.substr(0, dash), hi = s.substr(dash + 1);
  return digits(lo) && digits(hi) && std::stoi(std::string(lo)) <= std::stoi(std::string(hi));
}

/// The stateless rules of each kind.
} // namespace

consensus::DoubleSign double_vote_of(const json::Value& d) {
  const std::string p = "body.data.";
  consensus::Vote v[2];
  const char* names[2] = {"a", "b"};
  for (int i = 0; i < 2; ++i) {
    std::string f = p + names[i];
    if (!d.is_object() || !d.contains(names[i]) || !d.at(names[i]).is_string())
      throw Error(Exit::data, "must be a base64url consensus message").field(f);
    const std::string& text = d.at(names[i]).get_ref<const std::string&>();
    if (text.size() > 512) throw Error(Exit::data, "is too long for a consensus message").field(f);
    try {
      crypto::Bytes raw = crypto::unbase64url(text);
      if (crypto::base64url(raw.data(), raw.size()) != text) throw Error(Exit::data, "not canonical base64url");
      v[i] = consensus::decode_header(raw.data(), raw.size());
    } catch (const Error& e) {
      throw Error(Exit::data, "is not a signed consensus message: " + e.message()).field(f);
    }
  }
  if (!v[0].same_slot(v[1]))
    throw Error(Exit::data, "must be signed by the same validator for the same height, round and step as a").field(p + "b");
  if (v[0].value == v[1].value) throw Error(Exit::data, "signs the same value as a").field(p + "b");
  return consensus::DoubleSign{v[0], v[1]};
}

namespace {

void check_double_vote(const Ctx& c, const json::Value& d) {
  try {
    hc::ledger::double_vote_of(d);
  } catch (const Error& e) {
    c.fail(e.field(), e.message());
  }
}

void check_data(const Ctx& c, const std::string& kind, const std::string& signer, const Value& d) {
  const std::string p = "body.data.";
  if (!d.is_object()) c.fail("body.data", "must be an object");
  if (kind == "emr.index") {
    only_keys(c, d, p, {"content_hash", "location", "patient", "fields", "readers", "ext"});
    hash_hex(c, d, p, "content_hash");
    str(c, d, p, "location", 1024);
    if (keyid(c, d, p, "patient") != signer) c.fail(p + "patient", "must be the signer (the patient publishes the index)");
    const Value& f = member(c, d, p, "fields");
    std::string fp = p + "fields.";
    only_keys(c, f, fp, {"age_band", "gender", "condition", "procedure", "care_plan"});
    if (auto a = opt_str(c, f, fp, "age_band", 8); a && !age_band_ok(*a))
      c.fail(fp + "age_band", "must be \"LO-HI\" or \"LO+\" in years");
    if (auto g = opt_str(c, f, fp, "gender", 1); g && g->find_first_not_of("FMOU") != std::string::npos)
      c.fail(fp + "gender", "must be F, M, O or U");
    opt_str(c, f, fp, "condition", 256);
    opt_str(c, f, fp, "procedure", 256);
    opt_str(c, f, fp, "care_plan", 256);
    list_of(c, d, p, "readers", 0, 256, [&](const Value& v, const std::string& q) { keyid_value(c, v, q); });
  } else if (kind == "consent.grant" || kind == "consent.revoke") {
    // The data is lib/consent's grant or revoke body (hc-formats(5), CONSENT),
    // parsed by the same code every tool evaluates consent with.
    std::string grantor;
    try {
      grantor = kind == "consent.grant" ? consent::parse_grant(d).grantor : consent::parse_revoke(d).grantor;
    } catch (const Error& e) {
      c.fail(e.field().empty() ? "body.data" : p + e.field(), e.message());
    }
    if (grantor != signer) c.fail(p + "grantor", "must be the signer (only the patient gives or takes back consent)");
  } else if (kind == "access") {
    only_keys(c, d, p, {"emr", "requester", "grant", "purpose", "decision", "ext"});
    hash_hex(c, d, p, "emr");
    keyid(c, d, p, "requester");
    if (d.contains("grant")) hash_hex(c, d, p, "grant");
    str(c, d, p, "purpose", 128);
    auto dec = str(c, d, p, "decision", 6);
    if (dec != "permit" && dec != "deny") c.fail(p + "decision", "must be \"permit\" or \"deny\"");
  } else if (kind == "anchor") {
    only_keys(c, d, p, {"sha256", "label", "ext"});
    hash_hex(c, d, p, "sha256");
    str(c, d, p, "label", 256, 0);
  } else if (kind == "member.approve") {
    only_keys(c, d, p, {"proposal", "ext"});
    hash_hex(c, d, p, "proposal");
  } else if (kind == "member.add") {
    only_keys(c, d, p, {"key_id", "ed25519", "label", "stake", "role", "ext"});
    Member::from_json(d, p);
  } else if (kind == "member.remove") {
    only_keys(c, d, p, {"key_id", "ext"});
    keyid(c, d, p, "key_id");
  } else if (kind == "delegate.vote") {
    only_keys(c, d, p, {"delegates", "ext"});
    list_of(c, d, p, "delegates", 1, 64, [&](const Value& v, const std::string& q) { keyid_value(c, v, q); });
  } else if (kind == "evidence.double_sign") {
    only_keys(c, d, p, {"a", "b", "ext"});
    SignedHeader a, b;
    try {
      a = SignedHeader::from_json(member(c, d, p, "a"));
    } catch (const Error& e) {
      c.fail(p + "a." + e.field(), e.message());
    }
    try {
      b = SignedHeader::from_json(member(c, d, p, "b"));
    } catch (const Error& e) {
      c.fail(p + "b." + e.field(), e.message());
    }
    if (a.header.height != b.header.height || a.header.producer != b.header.producer || a.header.chain != b.header.chain)
      c.fail(p + "b", "must be a header for the same chain, height and producer as a");
    if (a.header.height == 0) c.fail(p + "a", "the genesis block has no producer");
    if (a.header.hash() == b.header.hash()) c.fail(p + "b", "is the same block as a");
  } else if (kind == "evidence.double_vote") {
    only_keys(c, d, p, {"a", "b", "ext"});
    check_double_vote(c, d);
  } else if (kind.rfind("x.", 0) == 0) {
    // extension kinds: any object
  } else {
    c.fail("body.kind", "unknown transaction kind \"" + kind + "\"");
  }
  ext(c, d, p);
}

bool kind_name_ok(std::string_view k) {
  if (k.size() < 3 || k.size() > 64) return false;
  return std::all_of(k.begin(), k.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
  });
}

}  // namespace

// ---- time and hex -----------------------------------------------------------

int64_t parse_time(std::string_view s, std::string_view field) {
  auto bad = [&]() -> Error {
    return std::move(Error(Exit::data, "must be an RFC 3339 UTC time like 2026-11-26T14:00:00Z").field(std::string(field)));
  };
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
    throw bad();
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') throw bad();
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), se = num(17, 2);
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 || se > 59)
    throw bad();
  // days_from_civil (Howard Hinnant's algorithm)
  int yy = y - (mo <= 2);
  int era = yy / 400;
  int yoe = yy - era * 400;
  int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = int64_t(era) * 146097 + doe - 719468;
  return days * 86400 + h * 3600 + mi * 60 + se;
}

std::string format_time(int64_t t) {
  int64_t days = t / 86400, rem = t % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // civil_from_days
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d, rem / 3600, rem / 60 % 60, rem % 60);
}

std::string to_hex(const Hash& h) { return crypto::hex(h.data(), h.size()); }

Hash hash_from_hex(std::string_view text, std::string_view field) {
  if (text.size() != 64 || !is_lower_hex(text))
    throw Error(Exit::data, "must be 64 lowercase hex digits (SHA-256)").field(std::string(field));
  auto raw = crypto::unhex(text);
  Hash h;
  std::copy(raw.begin(), raw.end(), h.begin());
  return h;
}

bool is_key_id(std::string_view s) { return s.size() == 16 && is_lower_hex(s); }

const std::vector<std::string>& known_kinds() {
  static const std::vector<std::string> k{"emr.index",  "consent.grant", "consent.revoke", "access",
                                          "anchor",     "member.add",    "member.approve", "member.remove",  "delegate.vote",
                                          "evidence.double_sign", "evidence.double_vote"};
  return k;
}

// ---- transactions -------------------------------------------------------------

std::string Tx::signing_input() const {
  // bytes is JCS({"body":B,"sig":"<86 base64url chars>"}), so JCS(B) is the
  // slice between the 8-byte prefix and the 96-byte suffix: no re-encoding.
  constexpr size_t prefix = 8, suffix = 96;  // {"body":   and   ,"sig":"...86..."}
  std::string s(k_tx_context);
  if (bytes.size() > prefix + suffix && bytes.compare(0, prefix, "{\"body\":") == 0 &&
      bytes.compare(bytes.size() - suffix, 8, ",\"sig\":\"") == 0) {
    s.append(bytes, prefix, bytes.size() - prefix - suffix);
    return s;
  }
  json::canonical_append(s, body);
  return s;
}

bool Tx::signature_valid() const {
  // Same message as signing_input(), built in a per-thread buffer: no
  // allocation per transaction on the hot paths (append, verify).
  constexpr size_t prefix = 8, suffix = 96;
  if (bytes.size() > prefix + suffix && bytes.compare(0, prefix, "{\"body\":") == 0 &&
      bytes.compare(bytes.size() - suffix, 8, ",\"sig\":\"") == 0) {
    thread_local std::string msg;
    msg.assign(k_tx_context);
    msg.append(bytes, prefix, bytes.size() - prefix - suffix);
    return crypto::ed25519_verify(pk, msg, sig);
  }
  return crypto::ed25519_verify(pk, signing_input(), sig);
}

json::Value Tx::to_json() const {
  return Value{{"body", body}, {"sig", crypto::base64url(sig.data(), sig.size())}};
}

namespace {
/// tx_from_json; `owned` (the same value, if the caller gives it up) lets the
/// body be moved rather than copied.
Tx tx_from_value(const json::Value& v, const std::string& source, uint64_t line, json::Value* owned,
                 std::string_view canonical_text = {}) {
  Ctx c{source, line};
  only_keys(c, v, "", {"body", "sig"});
  Tx t;
  t.sig = b64fixed<64>(c, v, "", "sig");
  const Value& b = member(c, v, "", "body");
  const std::string p = "body.";
  only_keys(c, b, p, {"v", "chain", "kind", "signer", "pk", "time", "nonce", "data"});
  if (uint(c, b, p, "v", 1000) != 1) c.fail(p + "v", "unsupported transaction version");
  t.chain = hash_hex(c, b, p, "chain");
  t.kind = str(c, b, p, "kind", 64);
  if (!kind_name_ok(t.kind)) c.fail(p + "kind", "must be 3-64 characters of a-z 0-9 . _ -");
  t.signer = keyid(c, b, p, "signer");
  t.pk = b64fixed<32>(c, b, p, "pk");
  if (key_id_of(t.pk) != t.signer) c.fail(p + "signer", "is not the key ID of pk");
  t.time = time_of(c, b, p, "time");
  opt_str(c, b, p, "nonce", 64);
  check_data(c, t.kind, t.signer, member(c, b, p, "data"));
  // The caller may know the text it parsed to be canonical already
  // (certainly_canonical): then it is the bytes, with no re-encoding.
  if (!canonical_text.empty())
    t.bytes.assign(canonical_text);
  else
    t.bytes = json::canonical(v);
  if (t.bytes.size() > k_max_tx_bytes) c.fail("", fmt::format("transaction larger than {} bytes", k_max_tx_bytes));
  t.id = crypto::sha256(t.bytes);
  if (owned)
    t.body = std::move((*owned)["body"]);
  else
    t.body = b;
  return t;
}
}  // namespace

Tx tx_from_json(const json::Value& v, const std::string& source, uint64_t line) {
  return tx_from_value(v, source, line, nullptr);
}

Tx parse_tx(std::string_view text, const std::string& source, uint64_t line, bool canonical_only) {
  if (text.size() > k_max_tx_bytes * 2) {
    Error e(Exit::data, fmt::format("transaction text larger than {} bytes", k_max_tx_bytes * 2));
    if (!source.empty()) e.file(source);
    if (line) e.line(line);
    throw e;
  }
  json::Value v;
  try {
    v = json::parse(text, source, {.max_bytes = k_max_tx_bytes * 2, .max_depth = k_max_depth});
  } catch (Error& e) {
    if (line) e.line(line);
    throw;
  }
  // Stored and exported transactions must be canonical, and most that
  // arrive are (hc-ledger submit prints canonical lines): a one-pass check
  // decides most of them; the rest are re-encoded (and, if canonical_only,
  // compared).
  bool known = certainly_canonical(text);
  Tx t = tx_from_value(v, source, line, &v, known ? text : std::string_view());
  if (canonical_only && !known && t.bytes != text) {
    Ctx c{source, line};
    c.fail("", "stored transaction is not in canonical form");
  }
  return t;
}

Tx make_tx(const keys::SecretKey& key, std::string_view chain, std::string_view kind, json::Value data,
           int64_t time, std::string nonce) {
  Value body{{"v", 1},
             {"chain", std::string(chain)},
             {"kind", std::string(kind)},
             {"signer", key.pub.key_id},
             {"pk", crypto::base64url(key.pub.ed25519.data(), 32)},
             {"time", format_time(time)},
             {"data", std::move(data)}};
  if (!nonce.empty()) body["nonce"] = nonce;
  std::string msg(k_tx_context);
  json::canonical_append(msg, body);
  auto sig = key.sign(msg);
  return tx_from_json(Value{{"body", body}, {"sig", crypto::base64url(sig.data(), sig.size())}}, "new transaction");
}

// ---- headers and blocks ----------------------------------------------------------

json::Value Header::to_json() const {
  Value v{{"v", 1},
          {"chain", chain},
          {"height", height},
          {"prev", to_hex(prev)},
          {"time", format_time(time)},
          {"tx_root", to_hex(tx_root)},
          {"tx_count", tx_count},
          {"history_root", to_hex(history_root)},
          {"producer", producer}};
  if (!ext.is_null()) v["ext"] = ext;
  return v;
}

std::string Header::canonical() const { return json::canonical(to_json()); }
Hash Header::hash() const { return crypto::sha256(canonical()); }
std::string Header::signing_input() const { return std::string(k_block_context) + canonical(); }

Header Header::from_json(const json::Value& v, const std::string& source) {
  Ctx c{source, 0};
  const std::string p = "header.";
  only_keys(c, v, p, {"v", "chain", "height", "prev", "time", "tx_root", "tx_count", "history_root", "producer", "ext"});
  if (uint(c, v, p, "v", 1000) != 1) c.fail(p + "v", "unsupported block version");
  Header h;
  h.chain = hash_hex(c, v, p, "chain");
  h.height = uint(c, v, p, "height", uint64_t(1) << 62);
  h.prev = hash_from_hex(hash_hex(c, v, p, "prev"), "prev");
  h.time = time_of(c, v, p, "time");
  h.tx_root = hash_from_hex(hash_hex(c, v, p, "tx_root"), "tx_root");
  h.tx_count = uint(c, v, p, "tx_count", k_max_block_txs);
  h.history_root = hash_from_hex(hash_hex(c, v, p, "history_root"), "history_root");
  if (h.height == 0) {
    if (str(c, v, p, "producer", 0, 0) != "") c.fail(p + "producer", "must be empty in the genesis block");
  } else {
    h.producer = keyid(c, v, p, "producer");
  }
  if (v.contains("ext")) {
    if (!v["ext"].is_object()) c.fail(p + "ext", "must be an object");
    if (v["ext"].dump().size() > 4096) c.fail(p + "ext", "longer than 4096 bytes");
    h.ext = v["ext"];
  }
  return h;
}

json::Value SignedHeader::to_json() const {
  return Value{{"header", header.to_json()},
               {"sig", header.height == 0 ? std::string() : crypto::base64url(sig.data(), sig.size())}};
}

SignedHeader SignedHeader::from_json(const json::Value& v, const std::string& source) {
  Ctx c{source, 0};
  only_keys(c, v, "", {"header", "sig"});
  SignedHeader s;
  s.header = Header::from_json(member(c, v, "", "header"), source);
  if (s.header.height == 0) {
    if (str(c, v, "", "sig", 0, 0) != "") c.fail("sig", "must be empty in the genesis block");
  } else {
    s.sig = b64fixed<64>(c, v, "", "sig");
  }
  return s;
}

json::Value Block::to_json() const {
  Value v = SignedHeader{header, sig}.to_json();
  Value list = Value::array();
  for (auto& t : txs) list.push_back(t.to_json());
  v["txs"] = std::move(list);
  return v;
}

std::string Block::to_line() const {
  // The canonical form of {"header","sig","txs"} is the concatenation of the
  // members' canonical forms (keys already in order), so no re-encoding.
  std::string s = "{\"header\":";
  s += header.canonical();
  s += ",\"sig\":\"";
  if (header.height != 0) s += crypto::base64url(sig.data(), sig.size());
  s += "\",\"txs\":[";
  for (size_t i = 0; i < txs.size(); ++i) {
    if (i) s += ',';
    s += txs[i].bytes;
  }
  s += "]}";
  return s;
}

Block Block::parse(std::string_view text, const std::string& source, uint64_t line, unsigned threads) {
  Ctx c{source, line};
  json::Value v;
  try {
    v = json::parse(text, source, {.max_bytes = k_max_line_bytes, .max_depth = k_max_depth + 4});
  } catch (Error& e) {
    if (line) e.line(line);
    throw;
  }
  only_keys(c, v, "", {"header", "sig", "txs"});
  Block b;
  try {
    Value hs{{"header", member(c, v, "", "header")}, {"sig", member(c, v, "", "sig")}};
    auto sh = SignedHeader::from_json(hs, source);
    b.header = std::move(sh.header);
    b.sig = sh.sig;
  } catch (Error& e) {
    if (line) e.line(line);
    throw;
  }
  const Value& txs = member(c, v, "", "txs");
  if (!txs.is_array()) c.fail("txs", "must be an array");
  if (txs.size() != b.header.tx_count) c.fail("txs", fmt::format("has {} transactions, the header says {}", txs.size(), b.header.tx_count));
  b.txs.resize(txs.size());
  parallel_for(txs.size(), threads, [&](size_t i) {
    try {
      b.txs[i] = tx_from_json(txs[i], source, line);
    } catch (Error& e) {
      throw Error(Exit::data, e.message()).file(source).line(line).field(fmt::format("txs[{}].{}", i, e.field()));
    }
  });
  return b;
}

Hash Block::tx_root(const std::vector<Tx>& txs) {
  std::vector<Hash> leaves;
  leaves.reserve(txs.size());
  for (auto& t : txs) leaves.push_back(merkle::leaf_hash(t.id));
  return merkle::root(leaves);
}

// ---- genesis -----------------------------------------------------------------

json::Value Params::to_json() const {
  return Value{{"delegate_count", delegate_count}, {"round_length", round_length},
               {"max_block_txs", max_block_txs},   {"max_tx_bytes", max_tx_bytes},
               {"block_interval_ms", block_interval_ms}, {"max_clock_skew_s", max_clock_skew_s}};
}

json::Value Member::to_json() const {
  return Value{{"key_id", key_id}, {"ed25519", crypto::base64url(pk.data(), pk.size())},
               {"label", label},   {"stake", stake}, {"role", role}};
}

Member Member::from_json(const json::Value& v, const std::string& path) {
  static const std::string none;
  Ctx c{none, 0};
  only_keys(c, v, path, {"key_id", "ed25519", "label", "stake", "role", "ext"});
  Member m;
  m.key_id = keyid(c, v, path, "key_id");
  m.pk = b64fixed<32>(c, v, path, "ed25519");
  if (keys::key_id(m.pk) != m.key_id) c.fail(path + "key_id", "is not the key ID of ed25519");
  m.label = str(c, v, path, "label", 256, 0);
  m.stake = v.contains("stake") ? uint(c, v, path, "stake", uint64_t(1) << 53) : 1;
  m.role = v.contains("role") ? str(c, v, path, "role", 32) : "org";
  return m;
}

std::string Genesis::chain_id() const { return to_hex(crypto::sha256(json::canonical(doc))); }

Header Genesis::header() const {
  Header h;
  h.chain = chain_id();
  h.height = 0;
  h.time = time;
  h.tx_root = merkle::empty_root();
  h.history_root = merkle::empty_root();
  return h;
}

Genesis Genesis::parse(const json::Value& v, const std::string& source) {
  Ctx c{source, 0};
  only_keys(c, v, "", {"v", "name", "time", "members", "delegates", "params"});
  if (uint(c, v, "", "v", 1000) != 1) c.fail("v", "unsupported genesis version");
  Genesis g;
  g.doc = v;
  g.name = str(c, v, "", "name", 128);
  g.time = time_of(c, v, "", "time");
  std::set<std::string> ids;
  list_of(c, v, "", "members", 1, 1000, [&](const Value& m, const std::string& p) {
    try {
      g.members.push_back(Member::from_json(m, p + "."));
    } catch (Error& e) {
      throw std::move(e.file(source));
    }
    if (!ids.insert(g.members.back().key_id).second) c.fail(p + ".key_id", "names a member twice");
  });
  list_of(c, v, "", "delegates", 1, 1000, [&](const Value& d, const std::string& p) {
    keyid_value(c, d, p);
    if (!ids.count(d.get<std::string>())) c.fail(p, "is not a member");
    g.delegates.push_back(d.get<std::string>());
  });
  if (v.contains("params")) {
    const Value& p = v["params"];
    const std::string pp = "params.";
    only_keys(c, p, pp, {"delegate_count", "round_length", "max_block_txs", "max_tx_bytes", "block_interval_ms", "max_clock_skew_s"});
    auto get = [&](const char* k, uint32_t& out, uint64_t lo, uint64_t hi) {
      if (!p.contains(k)) return;
      uint64_t n = uint(c, p, pp, k, hi);
      if (n < lo) c.fail(pp + k, fmt::format("must be at least {}", lo));
      out = uint32_t(n);
    };
    get("delegate_count", g.params.delegate_count, 1, 1000);
    get("round_length", g.params.round_length, 1, 1000000);
    get("max_block_txs", g.params.max_block_txs, 1, k_max_block_txs);
    get("max_tx_bytes", g.params.max_tx_bytes, 1024, k_max_tx_bytes);
    get("block_interval_ms", g.params.block_interval_ms, 10, 3600000);
    get("max_clock_skew_s", g.params.max_clock_skew_s, 0, 86400 * 365);
  }
  return g;
}

Genesis Genesis::single(const Member& member, std::string name, int64_t time) {
  Value doc{{"v", 1},
            {"name", std::move(name)},
            {"time", format_time(time)},
            {"members", Value::array({member.to_json()})},
            {"delegates", Value::array({member.key_id})},
            {"params", Params{}.to_json()}};
  return parse(doc, "genesis");
}

// ---- threads ----------------------------------------------------------------------

unsigned default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

void parallel_for(size_t n, unsigned threads, const std::function<void(size_t)>& fn) {
  if (threads <= 1 || n < 64) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  size_t error_at = SIZE_MAX;  // the lowest failing index wins, so errors are deterministic
  std::mutex mu;
  auto work = [&] {
    for (;;) {
      size_t start = next.fetch_add(32);
      if (start >= n || stop.load()) return;
      for (size_t i = start; i < std::min(n, start + 32); ++i) {
        try {
          fn(i);
        } catch (...) {
          std::lock_guard<std::mutex> lock(mu);
          if (i < error_at) {
            error_at = i;
            error = std::current_exception();
          }
          stop = true;
          return;
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace hc::ledger

// Consent contracts (see consent.h and hc-formats(5), CONSENT).
#include "consent.h"

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>

#include <algorithm>
#include <set>

namespace hc::consent {
namespace {

constexpr size_t k_max_list = 64;        // purposes, resource types, pointers
constexpr size_t k_max_emrs = 1024;      // EMR addresses in one grant
constexpr size_t k_max_pointer = 1024;   // bytes in one pointer
constexpr size_t k_max_body = 128u << 10;

Error bad(const std::string& source, const std::string& field, const std::string& msg) {
  return std::move(Error(Exit::data, msg).file(source)).field(field);
}

bool is_hex(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

uint64_t key_bits(std::string_view hex16) {
  uint64_t v = 0;
  for (char c : hex16) v = v << 4 | static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  return v;
}

bool is_code(std::string_view s) {  // v3-ActReason code syntax
  if (s.empty() || s.size() > 32 || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

bool is_resource_type(std::string_view s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'A' && s[0] <= 'Z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
}

const json::Value& member(const json::Value& obj, const char* key, const std::string& source,
                          const std::string& path) {
  const auto* v = json::find(obj, key);
  if (!v) throw bad(source, path + key, "missing member");
  return *v;
}

std::string string_of(const json::Value& v, const std::string& source, const std::string& field) {
  if (!v.is_string()) throw bad(source, field, "must be a string");
  return v.get<std::string>();
}

void only_members(const json::Value& obj, std::initializer_list<const char*> allowed, const std::string& source,
                  const std::string& path) {
  if (!obj.is_object()) throw bad(source, path.empty() ? "(body)" : path, "must be an object");
  for (const auto& [k, v] : obj.items()) {
    if (v.is_null()) continue;  // null and missing mean the same
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) throw bad(source, path + k, "unknown member");
  }
}

/// A non-empty list of distinct strings, each passing `check`.
std::vector<std::string> string_list(const json::Value& v, size_t max, const std::string& source,
                                     const std::string& field, bool (*check)(std::string_view),
                                     const char* what) {
  if (!v.is_array() || v.empty()) throw bad(source, field, "must be a non-empty array");
  if (v.size() > max) throw bad(source, field, "more than " + std::to_string(max) + " entries");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string f = field + "[" + std::to_string(i) + "]";
    std::string s = string_of(v[i], source, f);
    if (!check(s)) throw bad(source, f, std::string("not ") + what);
    if (!seen.insert(s).second) throw bad(source, f, "duplicate entry");
    out.push_back(std::move(s));
  }
  return out;
}

std::string party(const json::Value& body, const char* key, bool allow_any, const std::string& source) {
  std::string s = string_of(member(body, key, source, ""), source, key);
  if (!(is_hex(s, 16) || (allow_any && s == "*")))
    throw bad(source, key, allow_any ? "must be a key ID (16 lowercase hex digits) or \"*\""
                                     : "must be a patient public ID (16 lowercase hex digits)");
  return s;
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {  // H. Hinnant's algorithm
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

/// A copy without null members (null and missing mean the same, so they
/// must not give two ids to one rule).
json::Value without_nulls(const json::Value& v) {
  if (!v.is_object()) return v;
  json::Value out = json::Value::object();
  for (const auto& [k, m] : v.items())
    if (!m.is_null()) out[k] = without_nulls(m);
  return out;
}

}  // namespace

int64_t parse_time(std::string_view t, const std::string& field) {
  auto fail = [&] {
    return Error(Exit::data, "not a UTC RFC 3339 time YYYY-MM-DDTHH:MM:SSZ: \"" +
                                 std::string(t.substr(0, 40)) + "\"")
        .field(field);
  };
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z')
    throw fail();
  auto num = [&](size_t at, size_t n) {
    int64_t v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') throw fail();
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  int64_t y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 || s > 59)
    throw fail();
  return days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s;
}

std::string format_time(int64_t secs) {
  if (secs < 0 || secs > 253402300799) throw Error(Exit::data, "time out of range 1970-9999");
  int64_t z = secs / 86400 + 719468, rem = secs % 86400;
  const int64_t era = z / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

bool valid_pointer(std::string_view p) {
  if (p.size() > k_max_pointer) return false;
  if (p.empty()) return true;
  if (p[0] != '/') return false;
  for (size_t i = 0; i < p.size(); ++i) {
    auto c = static_cast<unsigned char>(p[i]);
    if (c < 0x20) return false;
    if (c == '~' && (i + 1 >= p.size() || (p[i + 1] != '0' && p[i + 1] != '1'))) return false;
  }
  return true;
}

bool pointer_contains(std::string_view outer, std::string_view inner) {
  if (outer.size() > inner.size() || inner.compare(0, outer.size(), outer) != 0) return false;
  return outer.size() == inner.size() || inner[outer.size()] == '/';
}

Grant parse_grant(const json::Value& body, const std::string& source) {
  only_members(body, {"type", "grantor", "grantee", "decision", "purpose", "scope", "period", "issued"}, source, "");
  if (string_of(member(body, "type", source, ""), source, "type") != k_grant_type)
    throw bad(source, "type", std::string("must be \"") + k_grant_type + "\"");
  Grant g;
  g.grantor = party(body, "grantor", false, source);
  g.grantee = party(body, "grantee", true, source);
  std::string decision = string_of(member(body, "decision", source, ""), source, "decision");
  if (decision == "permit") g.effect = Effect::permit;
  else if (decision == "deny") g.effect = Effect::deny;
  else throw bad(source, "decision", "must be \"permit\" or \"deny\"");
  g.purposes = string_list(member(body, "purpose", source, ""), k_max_list, source, "purpose",
                           [](std::string_view s) { return s == "*" || is_code(s); }, "a purpose code");
  if (g.purposes.size() > 1 && std::find(g.purposes.begin(), g.purposes.end(), "*") != g.purposes.end())
    throw bad(source, "purpose", "\"*\" (any purpose) must stand alone");
  const auto& scope = member(body, "scope", source, "");
  only_members(scope, {"emr", "resourceType", "pointer"}, source, "scope.");
  if (const auto* v = json::find(scope, "emr"))
    g.scope.emrs = string_list(*v, k_max_emrs, source, "scope.emr", [](std::string_view s) { return is_hex(s, 64); },
                               "an EMR address (64 lowercase hex digits)");
  if (const auto* v = json::find(scope, "resourceType"))
    g.scope.resource_types =
        string_list(*v, k_max_list, source, "scope.resourceType", is_resource_type, "a FHIR resource type");
  if (const auto* v = json::find(scope, "pointer"))
    g.scope.pointers = string_list(*v, k_max_list, source, "scope.pointer", valid_pointer, "an RFC 6901 JSON Pointer");
  const auto& period = member(body, "period", source, "");
  only_members(period, {"start", "end"}, source, "period.");
  g.start = parse_time(string_of(member(period, "start", source, "period."), source, "period.start"), "period.start");
  g.end = parse_time(string_of(member(period, "end", source, "period."), source, "period.end"), "period.end");
  if (g.end <= g.start) throw bad(source, "period.end", "must be after period.start");
  g.issued = parse_time(string_of(member(body, "issued", source, ""), source, "issued"), "issued");
  g.canonical = json::canonical(without_nulls(body));
  if (g.canonical.size() > k_max_body) throw bad(source, "(body)", "grant body too large");
  g.id = crypto::hex(crypto::sha256(g.canonical));
  return g;
}

Revoke parse_revoke(const json::Value& body, const std::string& source) {
  only_members(body, {"type", "grantor", "grant", "issued"}, source, "");
  if (string_of(member(body, "type", source, ""), source, "type") != k_revoke_type)
    throw bad(source, "type", std::string("must be \"") + k_revoke_type + "\"");
  Revoke r;
  r.grantor = party(body, "grantor", false, source);
  r.grant = string_of(member(body, "grant", source, ""), source, "grant");
  if (!is_hex(r.grant, 64)) throw bad(source, "grant", "must be a grant ID (64 lowercase hex digits)");
  r.issued = parse_time(string_of(member(body, "issued", source, ""), source, "issued"), "issued");
  r.canonical = json::canonical(without_nulls(body));
  return r;
}

json::Value grant_body(const GrantSpec& s) {
  json::Value scope = json::Value::object();
  if (!s.scope.emrs.empty()) scope["emr"] = s.scope.emrs;
  if (!s.scope.resource_types.empty()) scope["resourceType"] = s.scope.resource_types;
  if (!s.scope.pointers.empty()) scope["pointer"] = s.scope.pointers;
  json::Value body = {{"type", k_grant_type},
                      {"grantor", s.grantor},
                      {"grantee", s.grantee},
                      {"decision", s.effect == Effect::permit ? "permit" : "deny"},
                      {"purpose", s.purposes},
                      {"scope", scope},
                      {"period", {{"start", format_time(s.start)}, {"end", format_time(s.end)}}},
                      {"issued", format_time(s.issued)}};
  parse_grant(body, "new grant");
  return body;
}

json::Value revoke_body(const std::string& grantor, const std::string& grant_id, int64_t issued) {
  json::Value body = {
      {"type", k_revoke_type}, {"grantor", grantor}, {"grant", grant_id}, {"issued", format_time(issued)}};
  parse_revoke(body, "new revocation");
  return body;
}

Request parse_request(const json::Value& body, const std::string& source) {
  only_members(body, {"grantor", "grantee", "emr", "resourceType", "pointer", "purpose", "time"}, source, "");
  Request r;
  r.grantor = party(body, "grantor", false, source);
  r.grantee = party(body, "grantee", false, source);
  r.emr = string_of(member(body, "emr", source, ""), source, "emr");
  if (!is_hex(r.emr, 64)) throw bad(source, "emr", "must be an EMR address (64 lowercase hex digits)");
  r.resource_type = string_of(member(body, "resourceType", source, ""), source, "resourceType");
  if (!is_resource_type(r.resource_type)) throw bad(source, "resourceType", "not a FHIR resource type");
  if (const auto* p = json::find(body, "pointer")) {
    r.pointer = string_of(*p, source, "pointer");
    if (!valid_pointer(r.pointer)) throw bad(source, "pointer", "not an RFC 6901 JSON Pointer");
  }
  r.purpose = string_of(member(body, "purpose", source, ""), source, "purpose");
  if (!is_code(r.purpose)) throw bad(source, "purpose", "not a purpose code");
  r.time = parse_time(string_of(member(body, "time", source, ""), source, "time"), "time");
  return r;
}

const char* reason_name(Reason r) {
  switch (r) {
    case Reason::permitted: return "permitted";
    case Reason::denied: return "denied";
    case Reason::no_consent: return "no-consent";
    case Reason::revoked: return "revoked";
    case Reason::expired: return "expired";
    case Reason::not_yet_valid: return "not-yet-valid";
  }
  return "?";
}

json::Value to_json(const Decision& d, const Request& r) {
  return {{"decision", d.permit ? "permit" : "deny"},
          {"reason", reason_name(d.reason)},
          {"rule", d.rule.empty() ? json::Value(nullptr) : json::Value(d.rule)},
          {"grantee", r.grantee},
          {"emr", r.emr},
          {"purpose", r.purpose},
          {"time", format_time(r.time)}};
}

bool State::apply(const Grant& grant) {
  if (m_by_id.count(grant.id)) return false;
  Entry e;
  e.grant = grant;
  e.grantor = key_bits(grant.grantor);
  e.any_grantee = grant.grantee == "*";
  e.grantee = e.any_grantee ? 0 : key_bits(grant.grantee);
  if (auto t = m_tombstones.find(grant.id); t != m_tombstones.end() && t->second.count(grant.grantor)) {
    e.revoked = true;
    m_tombstones.erase(t);
  }
  auto index = static_cast<uint32_t>(m_grants.size());
  m_grants.push_back(std::move(e));
  m_by_id.emplace(grant.id, index);
  if (m_grants.back().any_grantee) m_any_grantee[m_grants.back().grantor].push_back(index);
  else m_by_pair[{m_grants.back().grantor, m_grants.back().grantee}].push_back(index);
  return true;
}

bool State::apply(const Revoke& revoke) {
  auto it = m_by_id.find(revoke.grant);
  if (it == m_by_id.end()) return m_tombstones[revoke.grant].insert(revoke.grantor).second;
  auto& e = m_grants[it->second];
  if (e.grant.grantor != revoke.grantor)
    throw Error(Exit::invalid, "grant " + revoke.grant + " was given by " + e.grant.grantor + ", not by " +
                                   revoke.grantor)
        .field("grantor");
  if (e.revoked) return false;
  e.revoked = true;
  return true;
}

const Grant* State::find(const std::string& id) const {
  auto it = m_by_id.find(id);
  return it == m_by_id.end() ? nullptr : &m_grants[it->second].grant;
}

bool State::revoked(const std::string& id) const {
  auto it = m_by_id.find(id);
  return it != m_by_id.end() && m_grants[it->second].revoked;
}

std::vector<const Grant*> State::grants_of(const std::string& grantor) const {
  std::vector<const Grant*> out;
  for (const auto& e : m_grants)
    if (e.grant.grantor == grantor) out.push_back(&e.grant);
  std::sort(out.begin(), out.end(), [](const Grant* a, const Grant* b) { return a->id < b->id; });
  return out;
}

namespace {

bool contains(const std::vector<std::string>& list, const std::string& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

/// Everything but time and revocation.
bool applies(const Grant& g, const Request& r) {
  if (!(g.purposes.size() == 1 && g.purposes[0] == "*") &&
      std::find(g.purposes.begin(), g.purposes.end(), r.purpose) == g.purposes.end())
    return false;
  if (!contains(g.scope.emrs, r.emr) || !contains(g.scope.resource_types, r.resource_type)) return false;
  if (g.scope.pointers.empty()) return true;
  for (const auto& p : g.scope.pointers) {
    // A permit covers the request only if the request lies inside it; a deny
    // applies if the request lies inside it or would include it.
    if (pointer_contains(p, r.pointer)) return true;
    if (g.effect == Effect::deny && pointer_contains(r.pointer, p)) return true;
  }
  return false;
}

/// Keeps the smallest id per outcome, so the decision does not depend on
/// the order grants were applied in.
void keep_min(const std::string*& slot, const std::string& id) {
  if (!slot || id < *slot) slot = &id;
}

}  // namespace

Decision State::evaluate(const Request& r) const {
  if (!is_hex(r.grantor, 16) || !is_hex(r.grantee, 16)) return {false, Reason::no_consent, ""};
  const std::string *deny = nullptr, *permit = nullptr, *revoked = nullptr, *expired = nullptr, *early = nullptr;
  auto visit = [&](const std::vector<uint32_t>& list) {
    for (uint32_t i : list) {
      const Entry& e = m_grants[i];
      const Grant& g = e.grant;
      if (!applies(g, r)) continue;
      bool active = !e.revoked && g.start <= r.time && r.time < g.end;
      if (g.effect == Effect::deny) {
        if (active) keep_min(deny, g.id);
        continue;
      }
      if (active) keep_min(permit, g.id);
      else if (e.revoked) keep_min(revoked, g.id);
      else if (r.time >= g.end) keep_min(expired, g.id);
      else keep_min(early, g.id);
    }
  };
  uint64_t grantor = key_bits(r.grantor), grantee = key_bits(r.grantee);
  if (auto it = m_by_pair.find({grantor, grantee}); it != m_by_pair.end()) visit(it->second);
  if (auto it = m_any_grantee.find(grantor); it != m_any_grantee.end()) visit(it->second);
  if (deny) return {false, Reason::denied, *deny};
  if (permit) return {true, Reason::permitted, *permit};
  if (revoked) return {false, Reason::revoked, *revoked};
  if (expired) return {false, Reason::expired, *expired};
  if (early) return {false, Reason::not_yet_valid, *early};
  return {false, Reason::no_consent, ""};
}

}  // namespace hc::consent

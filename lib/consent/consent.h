// Consent contracts: a deterministic rule set modelled on the FHIR R4
// Consent resource (provision.type permit/deny, actor, purpose, data scope,
// period), evaluated identically by every node at a given time. Pure: no
// ledger, no clock, no I/O. Grant and revoke bodies are RFC 8785 canonical
// JSON (schemas in hc-formats(5), CONSENT), carried by consent.grant and
// consent.revoke ledger transactions.
#pragma once

#include <hc/json/json.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace hc::consent {

inline constexpr const char* k_grant_type = "hc-consent-grant-v1";
inline constexpr const char* k_revoke_type = "hc-consent-revoke-v1";

enum class Effect : uint8_t { permit, deny };

/// What a rule covers. An empty list means "all" for that dimension.
struct Scope {
  std::vector<std::string> emrs;            ///< EMR addresses (64 hex digits)
  std::vector<std::string> resource_types;  ///< FHIR resource type names
  std::vector<std::string> pointers;        ///< RFC 6901 JSON Pointers into the resource
};

/// One rule, parsed from a grant body.
struct Grant {
  std::string id;       ///< hex SHA-256 of the canonical body
  std::string grantor;  ///< patient public ID (16 hex digits)
  std::string grantee;  ///< key ID (16 hex digits) or "*" (anyone)
  Effect effect = Effect::permit;
  std::vector<std::string> purposes;  ///< v3-ActReason codes, or {"*"}
  Scope scope;
  int64_t start = 0, end = 0;  ///< Unix seconds; active on [start, end)
  int64_t issued = 0;
  std::string canonical;       ///< the body, RFC 8785
};

struct Revoke {
  std::string grantor;  ///< must be the revoked grant's grantor
  std::string grant;    ///< grant id
  int64_t issued = 0;
  std::string canonical;
};

/// Strict parsers of untrusted bodies: every member checked, no unknown
/// members, bounded lists. Error{data} naming `source` and the field.
Grant parse_grant(const json::Value& body, const std::string& source = "");
Revoke parse_revoke(const json::Value& body, const std::string& source = "");

/// Builds (and checks, by parsing) a grant body.
struct GrantSpec {
  std::string grantor, grantee;
  Effect effect = Effect::permit;
  std::vector<std::string> purposes;
  Scope scope;
  int64_t start = 0, end = 0, issued = 0;
};
json::Value grant_body(const GrantSpec& spec);
json::Value revoke_body(const std::string& grantor, const std::string& grant_id, int64_t issued);

/// RFC 3339 in UTC with second precision, "YYYY-MM-DDTHH:MM:SSZ" (years
/// 1970-9999): the only time form in consent bodies. Error{data}.
int64_t parse_time(std::string_view text, const std::string& field = "time");
std::string format_time(int64_t seconds);

/// RFC 6901 syntax: "" or "/"-prefixed tokens whose "~" is followed by 0 or 1.
bool valid_pointer(std::string_view pointer);
/// True if `outer` is `inner` or an ancestor of it (token-wise prefix).
bool pointer_contains(std::string_view outer, std::string_view inner);

/// "May `grantee` read this part of `emr` (owned by `grantor`) for `purpose` at `time`?"
struct Request {
  std::string grantor, grantee, emr, resource_type;
  std::string pointer;  ///< "" = the whole resource
  std::string purpose;
  int64_t time = 0;
};
Request parse_request(const json::Value& body, const std::string& source = "");

enum class Reason : uint8_t {
  permitted,      ///< an active permit matched and no active deny did
  denied,         ///< an active deny matched (deny wins)
  no_consent,     ///< nothing matched
  revoked,        ///< only revoked permits matched
  expired,        ///< only permits whose period has ended matched
  not_yet_valid,  ///< only permits whose period has not started matched
};
const char* reason_name(Reason r);

struct Decision {
  bool permit = false;
  Reason reason = Reason::no_consent;
  std::string rule;  ///< id of the deciding grant ("" for no_consent)
};
json::Value to_json(const Decision& d, const Request& r);

/// The set of grants and revocations. Applying the same grants and revokes
/// in any order gives the same state: a revoke of a grant not seen yet is
/// kept and applies when the grant arrives, and a revoked grant never
/// becomes active again.
class State {
 public:
  /// Adds a grant. Returns false if a grant with that id is already there.
  bool apply(const Grant& grant);
  /// Revokes. Error{invalid} if the grant is known and has another grantor.
  /// Returns false if it was already revoked.
  bool apply(const Revoke& revoke);

  size_t size() const { return m_grants.size(); }
  const Grant* find(const std::string& id) const;
  bool revoked(const std::string& id) const;
  /// The grants of one grantor, in id order.
  std::vector<const Grant*> grants_of(const std::string& grantor) const;

  Decision evaluate(const Request& request) const;

 private:
  struct Entry {
    Grant grant;
    uint64_t grantor = 0, grantee = 0;
    bool any_grantee = false, revoked = false;
  };
  struct PairHash {
    size_t operator()(const std::pair<uint64_t, uint64_t>& k) const noexcept {
      return static_cast<size_t>(k.first * 0x9E3779B97F4A7C15ull ^ (k.second + 0x632BE59BD9B4E019ull));
    }
  };
  std::vector<Entry> m_grants;
  std::unordered_map<std::string, uint32_t> m_by_id;
  std::unordered_map<std::pair<uint64_t, uint64_t>, std::vector<uint32_t>, PairHash> m_by_pair;
  std::unordered_map<uint64_t, std::vector<uint32_t>> m_any_grantee;  ///< grantee "*"
  std::unordered_map<std::string, std::unordered_set<std::string>> m_tombstones;  ///< grant id -> grantors
};

}  // namespace hc::consent

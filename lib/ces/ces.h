// Content extraction signatures (CES) for FHIR R4 records as SD-JWTs
// (RFC 9901): sign (hc-sign), extract (hc-extract) and verify (hc-verify).
// The profile (claims, disclosure frame, decoys, policy) is in hc-formats(5).
#pragma once

#include <hc/ces/policy.h>
#include <hc/ces/sdjwt.h>
#include <hc/keys/keys.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hc::ces {

/// The JWS "typ" of an hc EMR, and of a key-binding JWT.
inline constexpr const char* k_typ = "hc-emr+sd-jwt";
inline constexpr const char* k_kb_typ = "kb+jwt";
/// The claim that holds the FHIR resource.
inline constexpr const char* k_resource_claim = "fhir";

/// Seconds since the epoch now.
int64_t now_seconds();
/// Parses a time: seconds since the epoch, RFC 3339 UTC ("2026-11-26T14:00:00Z"),
/// or "+N[smhd]" relative to `now`. Throws Error{usage}.
int64_t parse_time(const std::string& text, int64_t now);
/// RFC 3339 UTC text of a time.
std::string format_time(int64_t t);

/// The two serializations of an SD-JWT (RFC 9901): JSON (flattened JWS, one
/// line) or compact ("~"-separated).
enum class Serialization { json, compact };

struct SignOptions {
  const Policy* policy = nullptr;                ///< nullptr = default_policy()
  std::optional<crypto::Ed25519Public> holder;   ///< puts "cnf": {"jwk": ...}
  int64_t iat = 0;                               ///< 0 = now
  int64_t exp = 0;                               ///< 0 = no expiry
};

namespace detail {
struct SignPlan;
struct Signed;
}
}  // namespace hc::ces

namespace hc::json {
class Tape;
}

namespace hc::ces {

/// Signs with one key and policy, many documents (hc-sign stream mode).
/// The policy's patterns are compiled when the Signer is made: the policy
/// must not change while the Signer is in use.
class Signer {
 public:
  Signer(const keys::SecretKey& key, SignOptions options);
  /// Signs one FHIR resource (a JSON object with a string "resourceType").
  /// Errors: Error{data} for a resource that is not one, lacks a part the
  /// policy requires, or has a part whose "requires" partner is missing.
  SdJwt sign(const json::Value& resource) const;
  /// Signs one FHIR resource given as JSON text: what hc-sign does with each
  /// input. The text is read once, into a json::Tape, not a DOM; it must be
  /// what json::parse(text, source, limits) accepts, and errors for text
  /// that is not JSON are parse()'s, naming `source`.
  SdJwt sign_text(std::string_view text, const std::string& source, const json::Limits& limits = {}) const;
  /// sign_text, serialized: appends what sign_text(...).json_line() gives
  /// (Serialization::json) or .compact() and a newline (::compact) to `out`,
  /// written straight from the signer's buffers (hc-sign's output lines).
  void sign_line(std::string_view text, const std::string& source, Serialization form, std::string& out,
                 const json::Limits& limits = {}) const;

 private:
  /// Frames and signs `tape` into `out`, the disclosures with `separator`
  /// between them.
  void sign_tape(const json::Tape& tape, detail::Signed& out, std::string_view separator) const;

  const keys::SecretKey& m_key;
  crypto::Ed25519Signer m_signer;  ///< m_key's seed, expanded once
  SignOptions m_options;
  json::Value m_cnf;
  std::string m_header_b64;                 ///< the JWS header, the same for every document
  std::shared_ptr<const detail::SignPlan> m_plan;  ///< compiled policy and fixed payload texts
  mutable std::mutex m_cache_mutex;         ///< guards the claim cache (sign() may run on many threads)
  mutable std::vector<std::string> m_claim_types;
  mutable std::string m_claim_text;         ///< canonical hc_policy claim for m_claim_types
};

/// The parts of an SD-JWT as hc-extract sees it (no signature check).
struct Document {
  SdJwt sd;
  json::Value header;
  json::Value payload;      ///< the signed claims outside the resource (iss, iat, cnf, hc_policy, ...)
  Processed processed;      ///< disclosures applied; claims is just {"fhir": the disclosed resource}
  /// From the signed hc_policy claim; shared by the documents of one thread
  /// that carry the same claim (it is read once, see open_document).
  std::shared_ptr<const Policy> policy;
  /// The disclosed resource (processed.claims["fhir"]).
  const json::Value& resource() const;
};

/// Decodes and processes an SD-JWT (strict; Error{invalid} for anything wrong
/// inside it, Error{data} for text that is not an SD-JWT at all).
Document open_document(std::string_view text, const std::string& source, const SdJwtLimits& limits = {});
Document open_document(SdJwt sd, const SdJwtLimits& limits = {});

struct ExtractOptions {
  std::vector<std::string> remove;          ///< pointers (RFC 6901) into the disclosed resource
  std::vector<std::string> keep;            ///< keep only these (and what must stay)
  std::vector<std::string> remove_patterns; ///< from an extraction policy file ("*" allowed)
  std::vector<std::string> keep_patterns;
  const keys::SecretKey* holder_key = nullptr;  ///< adds a KB-JWT
  std::string aud, nonce;
  int64_t iat = 0;                          ///< KB-JWT time, 0 = now
};

/// Drops the disclosures of the removed parts (and of everything inside
/// them). Errors name the pointer: one that does not exist → Error{usage};
/// a part the signed policy says must stay, one that is not separately
/// removable, or a removal that breaks a "requires" rule → Error{perm}.
SdJwt extract(const Document& doc, const ExtractOptions& options);
/// The same for a Document the caller no longer needs: the resource is
/// pruned in place and the texts are moved (no copy of either).
SdJwt extract(Document&& doc, const ExtractOptions& options);

/// Reads an extraction policy file: {"remove": [...]} and/or {"keep": [...]}.
void load_extract_policy(const std::string& path, ExtractOptions& options);

struct VerifyOptions {
  std::vector<keys::PublicKey> trusted;  ///< the signer's key (--signer) or a trust folder
  int64_t now = 0;                       ///< 0 = system time
  int64_t skew = 300;                    ///< tolerated clock difference, seconds
  std::optional<std::string> aud, nonce; ///< expected KB-JWT values; either makes a KB-JWT required
  bool require_kb = false;
  SdJwtLimits limits;
};

struct Verdict {
  std::string signer, signer_label;
  int64_t iat = 0, exp = 0;
  std::string doc_type, policy_name;
  json::Value resource;
  size_t disclosed = 0, hidden = 0;
  bool kb_present = false;
  std::string kb_aud, kb_nonce;
  int64_t kb_iat = 0;
  bool holder_bound = false;
  json::Value to_json() const;
};

/// RFC 9901 §7 verification, strict. Every failure throws: Error{invalid} for
/// a document checked and found invalid (signature, disclosures, policy,
/// expiry, key binding), Error{data} for input that is not an SD-JWT.
Verdict verify(const SdJwt& sd, const VerifyOptions& options);

/// Checks the signed policy against the disclosed claims; returns the
/// problems found (empty = satisfied).
std::vector<std::string> policy_problems(const Document& doc);
/// The same for a resource alone: "required" and "requires" rules, and the
/// placement of the disclosures at `parts` (pointers relative to the resource).
std::vector<std::string> policy_problems(const json::Value& resource, const Policy& policy,
                                         const std::vector<std::vector<std::string>>& parts);

/// Builds a KB-JWT for `sd` (RFC 9901 §4.3).
std::string make_kb_jwt(const SdJwt& sd, const keys::SecretKey& holder, const std::string& aud,
                        const std::string& nonce, int64_t iat);

}  // namespace hc::ces

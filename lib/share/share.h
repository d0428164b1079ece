// hc::share — the sharing layer of BPDS over the ledger, the consent rules,
// the off-chain store and age sealing (hc-share(1), hc-consent(1),
// hc-formats(5) SHARING).
//
//   Chain::load(ledger, height)      what the chain says about sharing up to a
//                                    height: EMR index, consent state, access log
//                                    (reads every block: for lists and audits)
//   Index (index.h)                  the same answers for one request in
//                                    O(log n), from a persisted index
//   index_tx / grant_tx / revoke_tx / access_tx   build and sign transactions
//   check(chain, request)            "may X read EMR Y at time T", with the rule
//   release(...)                     re-seal a record for a grantee whose consent
//                                    holds, and record the answer on chain
//   reveal / verify_reveal           prove that pseudonyms belong together by
//                                    signing a verifier's challenge with each one
//
// A patient's public ID on chain is a pseudonym: SecretKey::pseudonym(context)
// for one relationship (a hospital, a study). Every transaction a patient
// signs about an EMR is signed with that EMR's pseudonym.
#pragma once

#include <hc/consent/consent.h>
#include <hc/json/json.h>
#include <hc/keys/keys.h>
#include <hc/ledger/ledger.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hc::blobstore {
class Backend;
}
namespace hc::seal {
class Sink;
}

namespace hc::share {

/// Where a transaction is on the chain.
struct Place {
  std::string tx_id;  ///< 64 hex
  uint64_t height = 0;
  int64_t time = 0;   ///< the transaction's own time
  json::Value to_json() const;
};

/// An emr.index transaction.
struct IndexEntry {
  Place at;
  std::string emr;       ///< content hash of the sealed object (64 hex)
  std::string location;  ///< where the store keeps it
  std::string patient;   ///< the pseudonymous public ID that signed it
  std::string resource_type;  ///< FHIR type from data.ext.resourceType ("" if absent)
  std::vector<std::string> readers;
  json::Value fields;  ///< non-identifying fields
  json::Value to_json() const;
};

/// An access transaction: a request and its answer.
struct AccessRecord {
  Place at;
  std::string emr, requester, purpose, decision, grant, answered_by, reason;
  std::string request;   ///< ID of the grantee's signed request, if it sent one
  std::string asked_at;  ///< the time the request was evaluated at (ext.at), RFC 3339
  json::Value to_json() const;
};

/// A consent grant with where it and its revocation (if any) are on chain.
struct GrantRecord {
  consent::Grant grant;
  Place at;
  std::optional<Place> revoked;
  /// "active", "revoked", "expired" or "not-yet-valid" at `time`.
  std::string status(int64_t time) const;
  json::Value to_json(int64_t time) const;
};

/// The sharing state read from blocks 1..height of a ledger. Deterministic:
/// the same chain and height give the same state on every machine.
class Chain {
 public:
  /// Reads every block up to `height` (default: the head). Error{usage} if
  /// the height is beyond the head.
  static Chain load(ledger::Ledger& ledger, std::optional<uint64_t> height = std::nullopt);

  std::string chain_id;
  uint64_t height = 0;      ///< last block read (0: only genesis)
  int64_t block_time = 0;   ///< that block's time
  consent::State consent;
  std::map<std::string, GrantRecord> grants;  ///< by grant ID
  std::vector<IndexEntry> index;
  std::vector<AccessRecord> access;

  /// The index entries for one EMR, in chain order.
  std::vector<const IndexEntry*> find_index(const std::string& emr) const;
};

/// The records one transaction gives at `height` (what Chain::load and the
/// persisted Index both build, so the two agree by construction).
Place place_at(const ledger::Tx& tx, uint64_t height);
IndexEntry index_entry(const ledger::Tx& emr_index_tx, uint64_t height);
AccessRecord access_record(const ledger::Tx& access_tx, uint64_t height);

/// What a patient publishes about one sealed object.
struct IndexSpec {
  std::string emr;       ///< content hash (64 hex)
  std::string location;  ///< 1-1024 bytes
  std::string resource_type;  ///< optional FHIR type, recorded as ext.resourceType
  json::Value fields = json::Value::object();  ///< age_band, gender, condition, procedure, care_plan
  std::vector<std::string> readers;            ///< key IDs
};

ledger::Tx index_tx(const keys::SecretKey& pseudonym, const std::string& chain, const IndexSpec& spec, int64_t time);
/// spec.grantor is set to the pseudonym's ID.
ledger::Tx grant_tx(const keys::SecretKey& pseudonym, const std::string& chain, consent::GrantSpec spec, int64_t time);
ledger::Tx revoke_tx(const keys::SecretKey& pseudonym, const std::string& chain, const std::string& grant_id,
                     int64_t time);

/// "May `grantee` read `emr` for `purpose` at `time`?"
struct CheckRequest {
  std::string grantee;  ///< key ID
  std::string emr;
  std::string purpose;
  std::string patient;        ///< optional: which index entry's patient is the grantor
  std::string resource_type;  ///< optional: default from the index entry
  std::string pointer;        ///< "" = the whole resource
  int64_t time = 0;
};

struct CheckResult {
  consent::Request request;
  consent::Decision decision;
  IndexEntry index;
  bool reader = false;  ///< the grantee is among the index's readers
  uint64_t height = 0;
  json::Value to_json() const;
};

/// Error{no_input} if the EMR is not indexed, Error{usage} if several
/// patients indexed it and request.patient does not choose one, Error{data}
/// for a malformed request.
CheckResult check(const Chain& chain, const CheckRequest& request);

/// The access transaction recording `result` (signed by whoever answers).
/// `request_id` (optional) is the ID of the grantee's signed request.
ledger::Tx access_tx(const keys::SecretKey& signer, const std::string& chain, const CheckResult& result, int64_t time,
                     const std::string& request_id = "");

/// Key release. Checks consent on `chain` for `grantee` to read `request.emr`
/// at request.time; if it holds, fetches the sealed object from `store`
/// (checked against its address), opens it with the patient's key or the
/// pseudonym key, and seals it again for the grantee's X25519 key into
/// `out`. Whatever the answer, returns the access transaction the patient's
/// pseudonym signs for it. Throws Error{perm} (after filling `refused` with
/// the access transaction) if consent does not hold; the store's errors
/// (no_input missing, invalid tampered) and seal errors (perm wrong key) pass
/// through. The caller appends the access transaction, and commits `out`
/// only after that.
struct ReleaseResult {
  CheckResult check;
  ledger::Tx access;
  uint64_t plaintext_bytes = 0;
};
ReleaseResult release(const Chain& chain, const CheckRequest& request, const keys::PublicKey& grantee,
                      const keys::SecretKey& patient, const keys::SecretKey& pseudonym, blobstore::Backend& store,
                      seal::Sink& out, int64_t now, std::optional<ledger::Tx>& refused,
                      const std::string& request_id = "");

/// A grantee's signed request for one EMR, which release checks and whose
/// ID the access record keeps, so the audit shows who really asked:
///   {"type":"hc-share-request-v1","requester":KEYID,"emr":ID,"purpose":CODE,
///    "time":TIME,"nonce":B64URL,"sig":B64URL}
/// sig is Ed25519 by the requester over "hc-share/request/v1\n" ||
/// canonical(the object without "sig"); the ID is SHA-256 of canonical(whole).
inline constexpr const char* k_request_type = "hc-share-request-v1";
inline constexpr std::string_view k_request_context = "hc-share/request/v1\n";
struct AccessRequest {
  std::string id, requester, emr, purpose;
  int64_t time = 0;
};
json::Value make_request(const keys::SecretKey& requester, const std::string& emr, const std::string& purpose,
                         int64_t time);
/// Strict parse and signature check against `requester`'s key. Error{data}
/// malformed, Error{invalid} bad signature or another requester's key.
AccessRequest verify_request(const json::Value& request, const keys::PublicKey& requester,
                             const std::string& source = "");

/// Linking pseudonyms for one verifier:
///   {"type":"hc-share-reveal-v1","audience":KEYID,"challenge":TEXT,
///    "pseudonyms":[{"id":KEYID,"pk":B64URL,"sig":B64URL}, ...]}
/// Each sig is Ed25519 by that pseudonym over "hc-share/reveal/v1\n" ||
/// canonical({"type","audience","challenge","ids":[sorted ids]}), so every
/// key signs the whole set and the one challenge.
inline constexpr const char* k_reveal_type = "hc-share-reveal-v1";
inline constexpr std::string_view k_reveal_context = "hc-share/reveal/v1\n";
json::Value reveal(const std::vector<keys::SecretKey>& pseudonyms, const std::string& audience,
                   const std::string& challenge);
/// Checks a proof strictly; returns the linked IDs (sorted). Error{invalid}
/// for a bad signature, a wrong challenge or audience; Error{data} for a
/// malformed proof, naming `source` and the field.
std::vector<std::string> verify_reveal(const json::Value& proof, const std::string& audience,
                                       const std::string& challenge, const std::string& source = "");

/// A fresh random challenge: 32 bytes, base64url.
std::string new_challenge();

}  // namespace hc::share

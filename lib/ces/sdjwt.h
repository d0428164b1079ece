// SD-JWT (RFC 9901) as hc uses it: Ed25519 (EdDSA, RFC 8037) signatures,
// sha-256 digests, both serializations (compact "~" form and flattened JWS
// JSON, RFC 9901 §8), key-binding JWTs, and the strict processing of
// disclosures. Nothing here knows about FHIR; lib/ces/ces.h builds on it.
#pragma once

#include <hc/crypto/crypto.h>
#include <hc/crypto/ed25519_signer.h>
#include <hc/json/json.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hc::ces {

/// Bounds applied to untrusted SD-JWTs (the verifier's and extractor's input).
struct SdJwtLimits {
  size_t max_bytes = 16u << 20;        ///< whole serialized SD-JWT
  size_t max_disclosures = 65536;      ///< disclosures in one SD-JWT
  unsigned max_depth = 64;             ///< nesting, counted through disclosures
};

/// The parts of an SD-JWT (or SD-JWT+KB), kept as the base64url texts that
/// were signed and hashed, so nothing is re-encoded.
struct SdJwt {
  std::string protected_b64;             ///< issuer JWS protected header
  std::string payload_b64;               ///< issuer JWS payload
  std::string signature_b64;             ///< issuer JWS signature
  std::vector<std::string> disclosures;  ///< base64url disclosures, in order
  std::string kb_jwt;                    ///< compact KB-JWT, or empty

  /// The issuer-signed JWT in compact form (header.payload.signature).
  std::string jwt() const;
  /// `jwt~D1~...~Dn~`: the string a KB-JWT's sd_hash covers (RFC 9901 §4.3.1,
  /// and §8.1 for the JSON serialization: built from the disclosures array).
  std::string presentation_prefix() const;
  /// The compact serialization (ends in "~" or in the KB-JWT).
  std::string compact() const;
  /// The flattened JWS JSON serialization (RFC 9901 §8.1).
  json::Value to_json() const;
  /// The same as one line of text (json::dump(to_json(), false), without
  /// building the DOM: every member is base64url, which needs no escaping).
  std::string json_line() const;
};

namespace detail {

/// The two serializations, appended to `out` from parts held anywhere.
/// `disclosures(out)` appends the disclosures as the form has them:
/// `"D1","D2",...,"Dn"` (the JSON array's items) for append_json_line,
/// `D1~D2~...~Dn~` for append_compact; `size` is an upper bound of what it
/// appends. SdJwt's json_line() and compact() are these; the signer writes
/// its lines with them straight from its buffers.
template <class AppendDisclosures>
void append_json_line(std::string& out, std::string_view protected_b64, std::string_view payload_b64,
                      std::string_view signature_b64, std::string_view kb_jwt, size_t size,
                      AppendDisclosures disclosures) {
  out.reserve(out.size() + size + protected_b64.size() + payload_b64.size() + signature_b64.size() + kb_jwt.size() +
              96);
  out += "{\"header\":{\"disclosures\":[";
  disclosures(out);
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
}

template <class AppendDisclosures>
void append_compact(std::string& out, std::string_view protected_b64, std::string_view payload_b64,
                    std::string_view signature_b64, std::string_view kb_jwt, size_t size,
                    AppendDisclosures disclosures) {
  out.reserve(out.size() + size + protected_b64.size() + payload_b64.size() + signature_b64.size() + kb_jwt.size() +
              3);
  out += protected_b64;
  out += '.';
  out += payload_b64;
  out += '.';
  out += signature_b64;
  out += '~';
  disclosures(out);
  out += kb_jwt;
}

/// A sha-256 digest as base64url text.
using DigestText = std::array<char, 43>;

/// Puts in `order` the indices of digests[0..n) in the byte order of their
/// texts (equal texts by index), the order of an issuer's _sd arrays.
/// `keys` is scratch. For short lists a digest's rank is the count of those
/// before it, found without branching on random keys: first by the first
/// eight characters as one number, by the whole text and the index only
/// when those agree.
void digest_text_order(const DigestText* digests, size_t n, std::vector<uint64_t>& keys, std::vector<uint32_t>& order);

}  // namespace detail

/// Parses either serialization: text whose first non-space byte is "{" is the
/// JSON form, otherwise the compact form. Input that is not an SD-JWT at all
/// (bad JSON, missing JWS members, no "~", wrong JWS shape) → Error{data};
/// the contents are not checked here.
SdJwt parse_sd_jwt(std::string_view text, const std::string& source, const SdJwtLimits& limits = {});

/// RFC 9901 §4.2.3: base64url(SHA-256(ASCII(disclosure))).
std::string disclosure_digest(std::string_view disclosure_b64);

/// base64url of the bytes of `text`, and JWS signing of header.payload.
std::string b64(std::string_view text);
/// Signs `header` and `payload` (compact JSON) with Ed25519: the JWS compact
/// form's three parts.
void jws_sign(const crypto::SecretBytes& seed, const json::Value& header, const json::Value& payload,
              std::string& header_b64, std::string& payload_b64, std::string& signature_b64);
/// The same with a once-expanded key (many documents, one key).
void jws_sign(const crypto::Ed25519Signer& signer, const json::Value& header, const json::Value& payload,
              std::string& header_b64, std::string& payload_b64, std::string& signature_b64);

/// One disclosure as decoded and checked.
struct Disclosure {
  std::string b64;      ///< as it came
  std::string digest;   ///< disclosure_digest(b64)
  std::string salt;
  bool is_array_element = false;
  std::string name;     ///< object member name (not for array elements)
  json::Value value;
};

/// Decodes and checks one disclosure: base64url, JSON array of 3 (object
/// member) or 2 (array element) items; the salt a string of 22 to 512
/// base64url characters (at least 128 bits, RFC 9901 §9.3); the name a string that is
/// neither "_sd" nor "...". Anything else → Error{invalid} naming `index`.
Disclosure decode_disclosure(std::string_view b64, size_t index, const SdJwtLimits& limits = {});

/// Where a disclosure ended up in the processed payload.
struct DisclosedPart {
  std::string pointer;  ///< RFC 6901 pointer in the processed payload
  long parent = -1;     ///< index of the enclosing disclosure, -1 if none
  bool is_array_element = false;
};

/// The result of RFC 9901 §7.1 step 3 (disclosure processing), strict form.
struct Processed {
  json::Value claims;                 ///< payload with every disclosure applied, _sd/_sd_alg removed
  std::vector<DisclosedPart> parts;   ///< per input disclosure, same order
  size_t hidden = 0;                  ///< digests with no disclosure (removed parts and decoys)
};

/// Applies the disclosures to the (already signature-checked) payload.
/// Invalid (Error{invalid}): `_sd_alg` other than "sha-256"; an `_sd` that is
/// not an array of strings; a "..." object with other members or outside an
/// array; any digest that appears twice; a disclosure no digest references;
/// two disclosures with the same digest; a disclosure whose name is already a
/// member of its object; an array-element disclosure under `_sd` or an
/// object-member one under "..."; nesting deeper than the limit.
Processed process(const json::Value& payload, const std::vector<std::string>& disclosures,
                  const SdJwtLimits& limits = {});
/// The same, working on `payload` in place (no copy of the claims).
Processed process(json::Value&& payload, const std::vector<std::string>& disclosures,
                  const SdJwtLimits& limits = {});

/// The fast path of process() for a payload given as its JSON text (the
/// decoded JWS payload): when it returns true, `out` is exactly what
/// process(json::parse(payload), disclosures, limits) returns. It builds no
/// DOM but the result's: the payload is copied once with the disclosures
/// put in place and the copy is parsed. It returns false — and `out` is not
/// to be used — for anything it does not decide: every invalid input, and
/// valid ones it leaves to process() (escapes in names or digests, nesting
/// within two levels of the limit). Callers then parse the payload and call
/// process(), which gives the answer and words the error. Never throws for
/// the input's sake.
bool process_text(std::string_view payload, const std::vector<std::string>& disclosures, const SdJwtLimits& limits,
                  Processed& out, const std::string& source = {});

/// A top-level claim process_text leaves out of its result, as text.
struct SetAside {
  std::string_view name;  ///< the claim's name (no characters JSON escapes)
  std::string text;       ///< out: its value's text, disclosures applied, as the parse of the result would have read it
  bool found = false;     ///< out: whether the payload has the claim
};
/// process_text, but the claim `aside.name` is not parsed: on success
/// out.claims lacks it, and aside.text holds its value's text exactly as
/// the result's parse would have read it, inside the same limits (nesting,
/// size) — it is still to be parsed (json::parse, same limits), and if that
/// fails it is as if this had returned false. A name given twice, or given
/// by a disclosure, makes it return false. A caller that has read the same
/// text before may reuse what it read.
bool process_text(std::string_view payload, const std::vector<std::string>& disclosures, const SdJwtLimits& limits,
                  Processed& out, SetAside& aside, const std::string& source = {});

/// Decodes a JWS part (header or payload) strictly: base64url, then bounded
/// strict JSON that must be an object. Failures → Error{invalid} naming `what`.
json::Value decode_json_part(std::string_view b64, const char* what, const SdJwtLimits& limits = {});
/// decode_json_part's two steps: the part's text (base64url decoded into
/// `text`), then that text as bounded strict JSON that must be an object.
void decode_part_text(std::string_view b64, const char* what, std::string& text);
json::Value parse_json_part(std::string_view text, const char* what, const SdJwtLimits& limits = {});

/// Verifies an EdDSA JWS signature over `header_b64.payload_b64` with the one
/// Ed25519 acceptance rule; the header must say "alg": "EdDSA" (any other,
/// "none" included → Error{invalid}).
bool jws_verify(const crypto::Ed25519Public& key, std::string_view header_b64, std::string_view payload_b64,
                std::string_view signature_b64);

/// RFC 6901 escaping of one reference token.
std::string pointer_escape(std::string_view token);
/// Splits a pointer into unescaped tokens; throws Error{usage} if malformed.
std::vector<std::string> pointer_split(std::string_view pointer);

}  // namespace hc::ces

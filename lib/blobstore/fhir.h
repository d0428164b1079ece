// The FHIR R4 REST backend. An object is a Binary (contentType, data as
// base64, securityContext = a logical reference to its DocumentReference)
// and a DocumentReference whose identifier is
//   {"system": "urn:ietf:rfc:3986", "value": "nih:sha-256;HEX"}   (RFC 6920)
// and whose content[0].attachment.url is "Binary/ID". Interactions: create
// (POST; the DocumentReference conditionally, If-None-Exist), read (GET
// Binary/ID), search (GET DocumentReference?identifier=...). Server answers
// are untrusted input: parsed strictly, bounded, checked against the address.
#pragma once

#include "blobstore.h"
#include "http.h"

#include <optional>
#include <string_view>

namespace hc::blobstore {

namespace fhir {

inline constexpr const char* k_identifier_system = "urn:ietf:rfc:3986";

/// One hc DocumentReference found by a search.
struct DocRef {
  std::string resource_id;  ///< DocumentReference.id
  std::string object_id;    ///< 64 hex digits, from the identifier
  std::string binary_id;    ///< from content[0].attachment.url "Binary/ID"
  std::optional<uint64_t> size;
};

/// True for a FHIR id: [A-Za-z0-9\-\.]{1,64}.
bool valid_id(std::string_view id);

/// Parses a searchset Bundle and returns its hc DocumentReferences (those
/// whose identifier is an nih:sha-256 URI), only those for `want` if it is
/// not empty. `next_query` receives the query part of the "next" link, if
/// any. Error{data} for a malformed answer.
std::vector<DocRef> parse_search(std::string_view body, const std::string& want, std::string* next_query,
                                 size_t max_bytes);
/// Parses a Binary resource and returns its decoded data (Error{data}).
std::string parse_binary(std::string_view body, size_t max_bytes);
/// The id of a created resource of type `type`, from the body or else the
/// Location header ("[base/]Type/ID[/_history/V]").
std::string parse_created_id(std::string_view body, const std::string& location, const std::string& type,
                             size_t max_bytes);
/// A short, printable summary of an OperationOutcome (or "").
std::string outcome_text(std::string_view body);

}  // namespace fhir

class FhirBackend : public Backend {
 public:
  FhirBackend(const std::string& spec, const StoreOptions& options);
  ObjectInfo put(const Reader& in, const PutOptions& options) override;
  ObjectInfo get(const std::string& id, const Writer& out) override;
  std::vector<ObjectInfo> list() override;
  std::string describe() const override { return m_spec; }

 private:
  HttpResponse call(const std::string& method, const std::string& path, const std::string& body = {},
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) const;
  std::vector<fhir::DocRef> find(const std::string& id) const;
  std::string read_binary(const fhir::DocRef& ref) const;

  std::string m_spec, m_base;
  uint64_t m_max;
  size_t m_max_response;
  HttpClient m_http;
};

}  // namespace hc::blobstore

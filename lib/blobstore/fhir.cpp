// The FHIR R4 REST backend (see fhir.h).
#include "fhir.h"

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>
#include <hc/json/json.h>

#include <algorithm>
#include <map>

namespace hc::blobstore {
namespace fhir {
namespace {

constexpr const char* k_nih_prefix = "nih:sha-256;";
constexpr size_t k_max_entries = 10000;

json::Value parse_answer(std::string_view body, const std::string& what, size_t max_bytes) {
  json::Limits limits;
  limits.max_bytes = max_bytes;
  limits.max_depth = 32;
  return json::parse(body, what, limits);
}

const json::Value* member(const json::Value& v, const char* key) {
  return v.is_object() ? json::find(v, key) : nullptr;
}

const std::string* string_member(const json::Value& v, const char* key) {
  const auto* m = member(v, key);
  return m && m->is_string() ? &m->get_ref<const std::string&>() : nullptr;
}

/// The object address in an nih:sha-256 URI, or "" if it is not one.
std::string object_id_of(const std::string& value) {
  if (value.rfind(k_nih_prefix, 0) != 0) return {};
  std::string hex = value.substr(std::char_traits<char>::length(k_nih_prefix));
  if (hex.size() != 64) return {};
  for (char& c : hex) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
  }
  return hex;
}

std::string printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

std::vector<DocRef> parse_search(std::string_view body, const std::string& want, std::string* next_query,
                                 size_t max_bytes) {
  auto bundle = parse_answer(body, "FHIR search answer", max_bytes);
  const auto* type = string_member(bundle, "resourceType");
  if (!type || *type != "Bundle") throw Error(Exit::data, "FHIR search answer is not a Bundle").field("resourceType");
  if (next_query) {
    next_query->clear();
    if (const auto* links = member(bundle, "link"); links && links->is_array()) {
      for (const auto& link : *links) {
        const auto* rel = string_member(link, "relation");
        const auto* url = string_member(link, "url");
        if (rel && url && *rel == "next") {
          // Only the query is taken from the server: the request still goes
          // to the configured base, never to a host the answer names.
          auto q = url->find('?');
          if (q == std::string::npos || url->size() - q > 4096)
            throw Error(Exit::data, "FHIR search answer has an unusable next link").field("link.url");
          *next_query = url->substr(q + 1);
          for (char c : *next_query)
            if (static_cast<unsigned char>(c) <= 0x20 || c == '#' || static_cast<unsigned char>(c) >= 0x7f)
              throw Error(Exit::data, "FHIR search answer has an unusable next link").field("link.url");
        }
      }
    }
  }
  std::vector<DocRef> found;
  const auto* entries = member(bundle, "entry");
  if (!entries) return found;
  if (!entries->is_array()) throw Error(Exit::data, "FHIR search answer: entry is not an array").field("entry");
  if (entries->size() > k_max_entries) throw Error(Exit::data, "FHIR search answer has too many entries");
  for (const auto& entry : *entries) {
    const auto* res = member(entry, "resource");
    if (!res) continue;
    const auto* rtype = string_member(*res, "resourceType");
    if (!rtype || *rtype != "DocumentReference") continue;  // e.g. an OperationOutcome entry
    const auto* idents = member(*res, "identifier");
    if (!idents || !idents->is_array()) continue;
    std::string object_id;
    for (const auto& ident : *idents) {
      const auto* sys = string_member(ident, "system");
      const auto* val = string_member(ident, "value");
      if (sys && val && *sys == k_identifier_system) {
        object_id = object_id_of(*val);
        if (!object_id.empty()) break;
      }
    }
    if (object_id.empty() || (!want.empty() && object_id != want)) continue;
    DocRef ref;
    ref.object_id = object_id;
    const auto* rid = string_member(*res, "id");
    if (!rid || !valid_id(*rid)) throw Error(Exit::data, "FHIR DocumentReference without a valid id").field("id");
    ref.resource_id = *rid;
    const auto* content = member(*res, "content");
    const json::Value* att = content && content->is_array() && !content->empty() ? member((*content)[0], "attachment")
                                                                                 : nullptr;
    const auto* url = att ? string_member(*att, "url") : nullptr;
    if (!url || url->rfind("Binary/", 0) != 0 || !valid_id(std::string_view(*url).substr(7)))
      throw Error(Exit::data, "DocumentReference/" + ref.resource_id + " does not point at a Binary/ID")
          .field("content[0].attachment.url");
    ref.binary_id = url->substr(7);
    if (const auto* size = member(*att, "size")) {
      if (!size->is_number_unsigned())
        throw Error(Exit::data, "DocumentReference/" + ref.resource_id + ": size is not an unsigned integer")
            .field("content[0].attachment.size");
      ref.size = size->get<uint64_t>();
    }
    found.push_back(std::move(ref));
  }
  return found;
}

std::string parse_binary(std::string_view body, size_t max_bytes) {
  auto bin = parse_answer(body, "FHIR Binary", max_bytes);
  const auto* type = string_member(bin, "resourceType");
  if (!type || *type != "Binary") throw Error(Exit::data, "FHIR read answer is not a Binary").field("resourceType");
  const auto* data = string_member(bin, "data");
  if (!data) throw Error(Exit::data, "FHIR Binary has no data").field("data");
  auto bytes = crypto::unbase64(*data, true);
  return std::string(crypto::as_chars(bytes.data(), bytes.size()));
}

std::string parse_created_id(std::string_view body, const std::string& location, const std::string& type,
                             size_t max_bytes) {
  if (!body.empty()) {
    auto res = parse_answer(body, "FHIR create answer", max_bytes);
    const auto* rtype = string_member(res, "resourceType");
    const auto* id = string_member(res, "id");
    if (rtype && *rtype == type && id) {
      if (!valid_id(*id)) throw Error(Exit::data, "FHIR create answer has an invalid id").field("id");
      return *id;
    }
  }
  // Location: [base/]Type/ID[/_history/V]
  std::string key = type + "/";
  size_t at = location.rfind(key);
  while (at != std::string::npos && at != 0 && location[at - 1] != '/') at = location.rfind(key, at - 1);
  if (at != std::string::npos) {
    std::string rest = location.substr(at + key.size());
    std::string id = rest.substr(0, rest.find('/'));
    if (valid_id(id)) return id;
  }
  throw Error(Exit::data, "the FHIR server did not say which " + type + " it created");
}

std::string outcome_text(std::string_view body) {
  try {
    auto v = parse_answer(body, "OperationOutcome", 1u << 20);
    const auto* issues = member(v, "issue");
    if (!issues || !issues->is_array() || issues->empty()) return {};
    const auto& first = (*issues)[0];
    if (const auto* d = string_member(first, "diagnostics")) return printable(*d, 200);
    if (const auto* details = member(first, "details"))
      if (const auto* text = string_member(*details, "text")) return printable(*text, 200);
    if (const auto* code = string_member(first, "code")) return printable(*code, 200);
  } catch (const Error&) {
  }
  return {};
}

}  // namespace fhir

namespace {

void check_status(const HttpResponse& r, const std::string& what, std::initializer_list<long> ok) {
  if (std::find(ok.begin(), ok.end(), r.status) != ok.end()) return;
  std::string detail = fhir::outcome_text(r.body);
  std::string msg = what + ": HTTP " + std::to_string(r.status) + (detail.empty() ? "" : " (" + detail + ")");
  if (r.status == 401 || r.status == 403) throw Error(Exit::perm, msg);
  if (r.status == 404 || r.status == 410) throw Error(Exit::no_input, msg);
  if (r.status >= 500 || r.status == 429) throw Error(Exit::unavailable, msg);
  throw Error(Exit::data, msg);
}

std::string base_of(const std::string& spec) {
  std::string base = spec.substr(5);  // after "fhir+"
  bool http = base.rfind("http://", 0) == 0, https = base.rfind("https://", 0) == 0;
  size_t host_at = http ? 7 : 8;
  if ((!http && !https) || base.size() <= host_at || base.find_first_of("?#", 0) != std::string::npos)
    throw Error(Exit::usage, "bad FHIR store \"" + spec + "\"").hint("use fhir+http://HOST:PORT/BASE or fhir+https://HOST/BASE");
  for (char c : base)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      throw Error(Exit::usage, "bad FHIR store: spaces or control characters in the URL");
  while (base.size() > host_at + 1 && base.back() == '/') base.pop_back();
  return base;
}

}  // namespace

FhirBackend::FhirBackend(const std::string& spec, const StoreOptions& options)
    : m_spec(spec),
      m_base(base_of(spec)),
      m_max(options.max_object ? options.max_object : k_default_max_fhir),
      m_max_response(static_cast<size_t>(m_max / 3 * 4 + (1u << 20))),
      m_http(options.timeout_seconds, m_max_response) {}

HttpResponse FhirBackend::call(const std::string& method, const std::string& path, const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers) const {
  HttpRequest req;
  req.method = method;
  req.url = m_base + "/" + path;
  req.body = body;
  req.headers = {{"Accept", "application/fhir+json"}};
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/fhir+json");
  for (const auto& h : headers) req.headers.push_back(h);
  return m_http.send(req);
}

std::vector<fhir::DocRef> FhirBackend::find(const std::string& id) const {
  std::string token = std::string(fhir::k_identifier_system) + "|" + nih_uri(id);
  auto r = call("GET", "DocumentReference?identifier=" + HttpClient::escape(token));
  check_status(r, "search for object " + id + " on " + m_spec, {200});
  return fhir::parse_search(r.body, id, nullptr, m_max_response);
}

std::string FhirBackend::read_binary(const fhir::DocRef& ref) const {
  auto r = call("GET", "Binary/" + ref.binary_id);
  check_status(r, "read Binary/" + ref.binary_id + " (for DocumentReference/" + ref.resource_id + ")", {200});
  return fhir::parse_binary(r.body, m_max_response);
}

ObjectInfo FhirBackend::put(const Reader& in, const PutOptions& options) {
  std::string bytes;
  std::vector<uint8_t> buf(1u << 16);
  for (;;) {
    size_t n = in(buf.data(), buf.size());
    if (n == 0) break;
    if (bytes.size() + n > m_max)
      throw Error(Exit::data, "object larger than the FHIR store's bound of " + std::to_string(m_max) + " bytes")
          .hint("raise it with --max-size (the object travels as base64 JSON)");
    bytes.append(crypto::as_chars(buf.data(), n));
  }
  ObjectInfo info;
  info.id = address(bytes);
  info.size = bytes.size();
  for (const auto& ref : find(info.id)) {
    auto held = read_binary(ref);
    if (address(held) != info.id)
      throw Error(Exit::invalid, "the server's copy of " + info.id + " (Binary/" + ref.binary_id + ") is damaged");
    info.location = "DocumentReference/" + ref.resource_id + " Binary/" + ref.binary_id;
    return info;
  }
  json::Value identifier = {{"system", fhir::k_identifier_system}, {"value", nih_uri(info.id)}};
  json::Value binary = {{"resourceType", "Binary"},
                        {"contentType", options.content_type},
                        {"securityContext", {{"type", "DocumentReference"}, {"identifier", identifier}}},
                        {"data", crypto::base64(crypto::as_bytes(bytes), bytes.size(), true)}};
  bytes.clear();
  bytes.shrink_to_fit();
  auto r = call("POST", "Binary", binary.dump());
  check_status(r, "create Binary on " + m_spec, {200, 201});
  std::string binary_id = fhir::parse_created_id(r.body, r.location, "Binary", m_max_response);

  json::Value attachment = {{"contentType", options.content_type}, {"url", "Binary/" + binary_id}};
  if (info.size < (1ull << 31)) attachment["size"] = info.size;
  json::Value doc = {
      {"resourceType", "DocumentReference"},
      {"status", "current"},
      {"identifier", json::Value::array({identifier})},
      {"description", "hc sealed object"},
      {"securityLabel",
       json::Value::array({{{"coding", json::Value::array({{{"system",
                                                              "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"},
                                                             {"code", "R"},
                                                             {"display", "restricted"}}})}}})},
      {"content", json::Value::array({{{"attachment", attachment}}})}};
  std::string token = std::string(fhir::k_identifier_system) + "|" + nih_uri(info.id);
  r = call("POST", "DocumentReference", doc.dump(), {{"If-None-Exist", "identifier=" + HttpClient::escape(token)}});
  check_status(r, "create DocumentReference on " + m_spec, {200, 201});
  std::string doc_id = fhir::parse_created_id(r.body, r.location, "DocumentReference", m_max_response);
  info.created = r.status == 201;
  info.location = "DocumentReference/" + doc_id + " Binary/" + binary_id;
  return info;
}

ObjectInfo FhirBackend::get(const std::string& id_text, const Writer& out) {
  std::string id = parse_address(id_text);
  auto refs = find(id);
  if (refs.empty()) throw Error(Exit::no_input, "no object " + id + " on " + m_spec);
  const auto& ref = refs.front();
  auto bytes = read_binary(ref);
  std::string digest = address(bytes);
  if (digest != id)
    throw Error(Exit::invalid, "object " + id + " is damaged on the server: Binary/" + ref.binary_id +
                                   " hashes to " + digest);
  if (ref.size && *ref.size != bytes.size())
    throw Error(Exit::invalid, "DocumentReference/" + ref.resource_id + " gives a size of " +
                                   std::to_string(*ref.size) + " bytes, the Binary has " +
                                   std::to_string(bytes.size()));
  out(bytes);
  ObjectInfo info;
  info.id = id;
  info.size = bytes.size();
  info.location = "DocumentReference/" + ref.resource_id + " Binary/" + ref.binary_id;
  return info;
}

std::vector<ObjectInfo> FhirBackend::list() {
  std::map<std::string, ObjectInfo> seen;
  std::string query = "identifier=" + HttpClient::escape(std::string(fhir::k_identifier_system) + "|") + "&_count=100";
  for (int page = 0; page < 10000 && !query.empty(); ++page) {
    auto r = call("GET", "DocumentReference?" + query);
    check_status(r, "list objects on " + m_spec, {200});
    std::string next;
    for (auto& ref : fhir::parse_search(r.body, "", &next, m_max_response)) {
      ObjectInfo info;
      info.id = ref.object_id;
      info.size = ref.size.value_or(0);
      info.location = "DocumentReference/" + ref.resource_id + " Binary/" + ref.binary_id;
      seen.emplace(info.id, std::move(info));
    }
    if (next == query) break;
    query = next;
  }
  std::vector<ObjectInfo> all;
  for (auto& [k, v] : seen) all.push_back(std::move(v));
  return all;
}

}  // namespace hc::blobstore

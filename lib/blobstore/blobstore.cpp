// Addresses, store specs and the in-memory conveniences.
#include "blobstore.h"

#include "fhir.h"
#include "local.h"

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>

#include <cstring>

namespace hc::blobstore {

std::string address(std::string_view bytes) { return crypto::hex(crypto::sha256(bytes)); }

std::string parse_address(std::string_view id) {
  std::string_view text = id;
  if (text.substr(0, 7) == "sha256:") text.remove_prefix(7);
  bool ok = text.size() == 64;
  for (char c : text) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) {
    std::string shown(id.substr(0, 80));
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    throw Error(Exit::usage, "not an object address: \"" + shown + "\"")
        .hint("an address is the SHA-256 of the stored bytes, 64 lowercase hex digits");
  }
  return std::string(text);
}

std::string nih_uri(const std::string& id) { return "nih:sha-256;" + id; }

std::unique_ptr<Backend> open(const std::string& spec, const StoreOptions& options) {
  if (spec.empty()) throw Error(Exit::usage, "no store given").hint("use --store DIR or --store fhir+http://HOST/fhir");
  if (spec.rfind("fhir+", 0) == 0) return std::make_unique<FhirBackend>(spec, options);
  if (spec.find("://") != std::string::npos)
    throw Error(Exit::usage, "unknown store scheme in \"" + spec + "\"")
        .hint("a store is a folder, fhir+http://HOST:PORT/BASE or fhir+https://HOST/BASE");
  return std::make_unique<LocalBackend>(spec, options);
}

ObjectInfo put_bytes(Backend& store, std::string_view bytes, const PutOptions& options) {
  size_t pos = 0;
  return store.put(
      [&](uint8_t* buf, size_t n) {
        size_t take = std::min(n, bytes.size() - pos);
        std::memcpy(buf, bytes.data() + pos, take);
        pos += take;
        return take;
      },
      options);
}

std::string get_bytes(Backend& store, const std::string& id) {
  std::string out;
  store.get(id, [&](std::string_view chunk) { out.append(chunk); });
  return out;
}

}  // namespace hc::blobstore

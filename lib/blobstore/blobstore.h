// The off-chain store: sealed objects addressed by the SHA-256 of their
// bytes, behind one small Backend interface (a local directory by default,
// a FHIR R4 server as Binary + DocumentReference). Every read is checked
// against the address before a byte is released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hc::blobstore {

/// Reads up to `n` bytes into `buf`; returns how many, 0 at the end.
using Reader = std::function<size_t(uint8_t* buf, size_t n)>;
/// Receives verified bytes, in order.
using Writer = std::function<void(std::string_view)>;

/// Default bound on one object (1 GiB locally; FHIR keeps objects in memory
/// as base64 JSON, so its default is 64 MiB).
inline constexpr uint64_t k_default_max_local = 1ull << 30;
inline constexpr uint64_t k_default_max_fhir = 64ull << 20;

struct ObjectInfo {
  std::string id;        ///< 64 lowercase hex digits: SHA-256 of the stored bytes
  uint64_t size = 0;     ///< bytes
  std::string location;  ///< where it is: a file path, or "DocumentReference/ID Binary/ID"
  bool created = false;  ///< put: true if this call stored it, false if it was there
};

struct PutOptions {
  std::string content_type = "application/octet-stream";  ///< FHIR Binary.contentType
};

/// How to reach and bound a store.
struct StoreOptions {
  uint64_t max_object = 0;    ///< 0 = the backend's default
  long timeout_seconds = 60;  ///< network backends: whole-request timeout
};

/// One store. Implementations: LocalBackend (local.cpp), FhirBackend (fhir.cpp).
class Backend {
 public:
  virtual ~Backend() = default;
  /// Stores what `in` yields and returns its address. Idempotent: storing
  /// bytes that are already there returns created = false.
  virtual ObjectInfo put(const Reader& in, const PutOptions& options) = 0;
  /// Checks object `id` against its address, then hands its bytes to `out`.
  /// Error{no_input} if absent, Error{invalid} if the bytes do not match.
  virtual ObjectInfo get(const std::string& id, const Writer& out) = 0;
  /// Every object, sorted by id (not verified: see verify()).
  virtual std::vector<ObjectInfo> list() = 0;
  /// get() without output.
  virtual ObjectInfo verify(const std::string& id) { return get(id, [](std::string_view) {}); }
  /// The store, for messages ("/path/to/store", "fhir+http://...").
  virtual std::string describe() const = 0;
};

/// Opens a store from its spec: a folder path (created by the first put), or
/// "fhir+http://host:port/base" / "fhir+https://...". Error{usage} for a bad spec.
std::unique_ptr<Backend> open(const std::string& spec, const StoreOptions& options = {});

/// The address of `bytes`: 64 lowercase hex digits.
std::string address(std::string_view bytes);
/// Checks that `id` is an address (64 lowercase hex digits; a "sha256:"
/// prefix is accepted and removed). Error{usage} naming the text otherwise.
std::string parse_address(std::string_view id);
/// The RFC 6920 human-speakable Named Information form, "nih:sha-256;HEX",
/// used as the FHIR identifier value.
std::string nih_uri(const std::string& id);

/// Conveniences over Backend for objects that fit in memory.
ObjectInfo put_bytes(Backend& store, std::string_view bytes, const PutOptions& options = {});
std::string get_bytes(Backend& store, const std::string& id);

}  // namespace hc::blobstore

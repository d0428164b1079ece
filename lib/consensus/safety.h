// The double-sign guard: before any signature leaves the node, the highest
// (height, round, step) it has signed is made durable, and nothing at or
// below it is signed again unless it is byte-for-byte the same message (which,
// Ed25519 being deterministic, yields the same signature). A crash and
// restart therefore cannot make the node equivocate.
#pragma once

#include <hc/consensus/message.h>

#include <string>

namespace hc::consensus {

struct LastSigned {
  bool any = false;  ///< false until the first signature
  uint64_t height = 0;
  uint32_t round = 0;
  Step step = Step::propose;
  Hash sign_hash{};  ///< SHA-256 of the signed bytes
};

/// Where the guard keeps its record. save() returns only once the record is durable.
class SafetyStore {
 public:
  virtual ~SafetyStore() = default;
  virtual LastSigned load() = 0;
  virtual void save(const LastSigned& last) = 0;
};

/// In memory (tests; a "restart" keeps the object).
class MemorySafetyStore : public SafetyStore {
 public:
  LastSigned load() override { return m_last; }
  void save(const LastSigned& last) override { m_last = last; ++saves; }
  int saves = 0;

 private:
  LastSigned m_last;
};

/// A JSON file replaced atomically (temporary file, fsync, rename, fsync of
/// the folder): {"type":"hc-last-signed-v1","height":N,"round":N,
/// "step":"prevote","sign_sha256":HEX}. A missing file means nothing signed;
/// an unreadable or malformed one is an error (never silently reset).
class FileSafetyStore : public SafetyStore {
 public:
  explicit FileSafetyStore(std::string path) : m_path(std::move(path)) {}
  LastSigned load() override;
  void save(const LastSigned& last) override;

 private:
  std::string m_path;
};

class SafetyGuard {
 public:
  explicit SafetyGuard(SafetyStore& store);
  /// True if signing `sign_bytes` at (height, round, step) cannot
  /// equivocate; the new record is durable before it returns true.
  bool permit(uint64_t height, uint32_t round, Step step, std::string_view sign_bytes);
  const LastSigned& last() const { return m_last; }

 private:
  SafetyStore& m_store;
  LastSigned m_last;
};

}  // namespace hc::consensus

// Fuzzes the offline proof checker (inclusion and consistency proofs are
// untrusted input to check-proof and hc-verify) and the byte-level RFC 9162
// verifiers. Must answer or refuse with hc::Error; never crash or loop.
#include <hc/core/error.h>
#include <hc/ledger/merkle.h>
#include <hc/ledger/proof.h>

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    hc::ledger::Trust t;
    t.block_hash = std::string(64, '0');
    (void)hc::ledger::check_proof(hc::json::parse(text, "fuzz"), t);
  } catch (const hc::Error&) {
  }
  // Raw bytes: two sizes, then 32-byte hashes.
  if (size >= 16) {
    uint64_t a, b;
    std::memcpy(&a, data, 8);
    std::memcpy(&b, data + 8, 8);
    a %= 1u << 20;
    b %= 1u << 20;
    std::vector<std::string> path;
    for (size_t at = 16; at + 32 <= size && path.size() < 70; at += 32) path.emplace_back(text.substr(at, 32));
    std::string r1 = path.empty() ? std::string(32, 'a') : path.front();
    (void)hc::ledger::merkle::verify_consistency_bytes(a, b, r1, r1, path);
    (void)hc::ledger::merkle::verify_inclusion_bytes(r1, a, b, path, r1);
  }
  return 0;
}

// Tests of eight bytes at a time ("SIMD within a register") for the byte
// scanners of untrusted text: JSON strings, base64url members of SD-JWTs.
// Each test is exact: it answers whether every one of the eight bytes is of
// the class, so a scanner may skip a block that passes and must look at the
// bytes of a block that fails one at a time. Portable C++, no intrinsics.
#pragma once

#include <cstdint>
#include <cstring>

namespace hc::scan {

inline constexpr uint64_t k_ones = 0x0101010101010101ULL;
inline constexpr uint64_t k_high = 0x8080808080808080ULL;

/// Eight bytes from `p` (any alignment).
inline uint64_t load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

/// For a word whose bytes are all below 0x80: the high bit of each byte set
/// where that byte is at least `lo` (1 <= lo <= 0x80). No byte carries into
/// the next: b + 0x80 - lo <= 0xFE.
inline constexpr uint64_t at_least(uint64_t w, unsigned lo) { return (w + k_ones * (0x80u - lo)) & k_high; }

/// The high bit of each byte set where lo <= byte <= hi (bytes below 0x80,
/// 1 <= lo <= hi < 0x80).
inline constexpr uint64_t in_range(uint64_t w, unsigned lo, unsigned hi) {
  return at_least(w, lo) & ~at_least(w, hi + 1);
}

/// True when all eight bytes are printable ASCII (0x20 to 0x7E) other than
/// '"' and '\\': the bytes a JSON string holds verbatim without escapes.
inline constexpr bool plain_ascii8(uint64_t w) {
  if (w & k_high) return false;
  uint64_t ok = in_range(w, 0x20, 0x7E) & ~in_range(w, '"', '"') & ~in_range(w, '\\', '\\');
  return ok == k_high;
}

/// True when all eight bytes are of the base64url alphabet (RFC 4648 §5).
inline constexpr bool base64url8(uint64_t w) {
  if (w & k_high) return false;
  uint64_t ok = in_range(w, 'A', 'Z') | in_range(w, 'a', 'z') | in_range(w, '0', '9') | in_range(w, '-', '-') |
                in_range(w, '_', '_');
  return ok == k_high;
}

}  // namespace hc::scan

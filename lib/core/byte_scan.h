// Tests of eight bytes at a time ("SIMD within a register") for the byte
// scanners of untrusted text: JSON strings, base64url members of SD-JWTs.
// Each test is exact: it answers whether every one of the eight bytes is of
// the class, so a scanner may skip a block that passes and must look at the
// bytes of a block that fails one at a time. No intrinsics: plain C++ and
// the vector extensions GCC and Clang share.
#pragma once

#include <cstddef>
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

/// Sixteen bytes at a time with GCC/Clang vector extensions (SSE2 on
/// x86-64, plain code elsewhere): the length of the leading run of `p[0..n)`
/// that `Block(x)` (a mask of the bytes in the class) and `One(c)` accept.
using Bytes16 = unsigned char __attribute__((vector_size(16)));

template <class Block, class One>
inline size_t class_prefix(const char* p, size_t n, Block block, One one) {
  size_t i = 0;
  for (; n - i >= 16; i += 16) {
    Bytes16 x;
    std::memcpy(&x, p + i, 16);
    Bytes16 ok = block(x);
    uint64_t lo, hi;
    std::memcpy(&lo, &ok, 8);
    std::memcpy(&hi, reinterpret_cast<const char*>(&ok) + 8, 8);
    if ((lo & hi) != ~uint64_t{0}) break;
  }
  while (i < n && one(static_cast<unsigned char>(p[i]))) ++i;
  return i;
}

/// Mask of the bytes of `x` in [lo, hi] (unsigned compare after a shift).
inline Bytes16 in_range16(Bytes16 x, unsigned char lo, unsigned char hi) {
  return reinterpret_cast<Bytes16>((x - lo) <= static_cast<unsigned char>(hi - lo));
}

/// Length of the leading run of base64url characters.
inline size_t base64url_prefix(const char* p, size_t n) {
  return class_prefix(
      p, n,
      [](Bytes16 x) {
        return in_range16(x, 'A', 'Z') | in_range16(x, 'a', 'z') | in_range16(x, '0', '9') |
               reinterpret_cast<Bytes16>(x == '-') | reinterpret_cast<Bytes16>(x == '_');
      },
      [](unsigned char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      });
}

/// Length of the leading run of bytes a JSON string holds verbatim without
/// escapes: printable ASCII other than '"' and '\\'.
inline size_t plain_ascii_prefix(const char* p, size_t n) {
  return class_prefix(
      p, n,
      [](Bytes16 x) {
        return in_range16(x, 0x20, 0x7E) & ~reinterpret_cast<Bytes16>(x == '"') &
               ~reinterpret_cast<Bytes16>(x == '\\');
      },
      [](unsigned char c) { return c >= 0x20 && c <= 0x7E && c != '"' && c != '\\'; });
}

}  // namespace hc::scan

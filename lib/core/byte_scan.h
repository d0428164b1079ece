// Byte-class scans sixteen and eight bytes at a time for the scanners of
// untrusted text (JSON strings, base64url members of SD-JWTs): the length of
// the leading run of bytes in a class, exact, as a loop over single bytes
// would find it (tests/lib/core/byte_scan_test.cpp checks every byte value
// at every position). No intrinsics: plain C++ ("SIMD within a register")
// and the vector extensions GCC and Clang share.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace hc::scan {

inline constexpr uint64_t k_ones = 0x0101010101010101ULL;
inline constexpr uint64_t k_high = 0x8080808080808080ULL;

/// A word whose least significant byte is the first in memory (a byte swap
/// on big-endian machines), so that carries run toward later bytes and the
/// first byte out of a class is the lowest one.
inline uint64_t in_memory_order(uint64_t w) {
  if constexpr (std::endian::native == std::endian::big) return __builtin_bswap64(w);
  return w;
}

/// Eight bytes from `p` (any alignment), in memory order.
inline uint64_t load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return in_memory_order(w);
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

/// Masks (the high bit of each byte) of the bytes in each class. Exact for
/// the bytes below the first byte of 0x80 or more, which is itself marked
/// out: a sum can carry only toward later bytes, and callers look at no byte
/// after the first one out of the class.
inline constexpr uint64_t plain_ascii_mask(uint64_t w) {
  return in_range(w, 0x20, 0x7E) & ~in_range(w, '"', '"') & ~in_range(w, '\\', '\\') & ~(w & k_high);
}
/// (Letters of either case are one range once bit 5 is set: 'A' | 0x20 is
/// 'a', and no other byte below 0x80 lands in 'a'..'z'.)
inline constexpr uint64_t base64url_mask(uint64_t w) {
  return (in_range(w | (k_ones * 0x20), 'a', 'z') | in_range(w, '0', '9') | in_range(w, '-', '-') |
          in_range(w, '_', '_')) &
         ~(w & k_high);
}

/// True when all eight bytes are printable ASCII (0x20 to 0x7E) other than
/// '"' and '\\': the bytes a JSON string holds verbatim without escapes.
inline constexpr bool plain_ascii8(uint64_t w) { return plain_ascii_mask(w) == k_high; }

/// True when all eight bytes are of the base64url alphabet (RFC 4648 §5).
inline constexpr bool base64url8(uint64_t w) { return base64url_mask(w) == k_high; }

/// Sixteen bytes at a time with GCC/Clang vector extensions (SSE2 on
/// x86-64, plain code elsewhere), then eight, then one: the length of the
/// leading run of `p[0..n)` in a class given as a mask of sixteen bytes, of
/// eight (the masks above) and a test of one.
using Bytes16 = unsigned char __attribute__((vector_size(16)));

/// Index of the first byte whose mask bit is clear (the mask not all set).
inline size_t first_out(uint64_t mask_bits) {
  return static_cast<size_t>(__builtin_ctzll(~mask_bits & k_high)) / 8;
}

template <class Block16, class Mask8, class One>
inline size_t class_prefix(const char* p, size_t n, Block16 block, Mask8 mask8, One one) {
  size_t i = 0;
  for (; n - i >= 16; i += 16) {
    Bytes16 x;
    std::memcpy(&x, p + i, 16);
    Bytes16 ok = block(x);
    uint64_t lo, hi;
    std::memcpy(&lo, &ok, 8);
    std::memcpy(&hi, reinterpret_cast<const char*>(&ok) + 8, 8);
    lo = in_memory_order(lo);
    hi = in_memory_order(hi);
    if ((lo & k_high) != k_high) return i + first_out(lo);
    if ((hi & k_high) != k_high) return i + 8 + first_out(hi);
  }
  if (n - i >= 8) {
    uint64_t m = mask8(load8(p + i));
    if (m != k_high) return i + first_out(m);
    i += 8;
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
        return in_range16(x | 0x20, 'a', 'z') | in_range16(x, '0', '9') | reinterpret_cast<Bytes16>(x == '-') |
               reinterpret_cast<Bytes16>(x == '_');
      },
      base64url_mask,
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
      plain_ascii_mask, [](unsigned char c) { return c >= 0x20 && c <= 0x7E && c != '"' && c != '\\'; });
}

}  // namespace hc::scan

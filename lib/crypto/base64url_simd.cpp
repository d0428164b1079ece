// base64url_write: see base64url_simd.h. The AVX2 step follows the method of
// W. Muła and D. Lemire, "Faster Base64 Encoding and Decoding Using AVX2
// Instructions" (ACM TOMS 44(3), 2018): spread 3 bytes over 4, cut out the
// four 6-bit values with two multiplies, then add to each the offset of its
// alphabet range, found with one byte shuffle. The AVX2 decoding step is the
// same paper's in reverse: the alphabet checked with two nibble-indexed
// shuffles, each character's offset to its 6-bit value found by a third,
// then two multiply-adds join four 6-bit values into three bytes. The
// AVX-512 VBMI encoder follows their later "Base64 encoding and decoding at
// almost the speed of a memory copy" (Software: Practice and Experience
// 50(2), 2020): byte permutation, multishift, alphabet permutation.
#include <hc/crypto/base64url_simd.h>

#include <hc/core/byte_scan.h>
#include <hc/core/error.h>
#include <hc/crypto/crypto.h>

#include <atomic>
#include <bit>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HC_B64_X86 1
#endif

namespace hc::crypto {
namespace {

constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// For every 12-bit value, its two characters in memory order.
struct PairTable {
  char v[4096][2];
  constexpr PairTable() : v() {
    for (int i = 0; i < 4096; ++i) {
      v[i][0] = k_alphabet[i >> 6];
      v[i][1] = k_alphabet[i & 63];
    }
  }
};
constexpr PairTable k_pairs;

char* write_portable(char* o, const uint8_t* d, size_t n) {
  // Six bytes (two groups) per step from one 8-byte big-endian read.
  for (; n >= 8; n -= 6, d += 6, o += 8) {
    uint64_t x;
    std::memcpy(&x, d, 8);
    if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap64(x);
    std::memcpy(o, k_pairs.v[x >> 52], 2);
    std::memcpy(o + 2, k_pairs.v[(x >> 40) & 0xFFF], 2);
    std::memcpy(o + 4, k_pairs.v[(x >> 28) & 0xFFF], 2);
    std::memcpy(o + 6, k_pairs.v[(x >> 16) & 0xFFF], 2);
  }
  for (; n >= 3; n -= 3, d += 3, o += 4) {
    uint32_t v = (uint32_t(d[0]) << 16) | (uint32_t(d[1]) << 8) | d[2];
    std::memcpy(o, k_pairs.v[v >> 12], 2);
    std::memcpy(o + 2, k_pairs.v[v & 0xFFF], 2);
  }
  if (n == 1) {
    o[0] = k_alphabet[d[0] >> 2];
    o[1] = k_alphabet[(d[0] & 3) << 4];
    o += 2;
  } else if (n == 2) {
    o[0] = k_alphabet[d[0] >> 2];
    o[1] = k_alphabet[((d[0] & 3) << 4) | (d[1] >> 4)];
    o[2] = k_alphabet[(d[1] & 15) << 2];
    o += 3;
  }
  return o;
}

#ifdef HC_B64_X86
/// 24 bytes to 32 characters: lane 0 of `in` holds bytes 0..11 (its bytes
/// 12..15 unused), lane 1 bytes 12..23.
__attribute__((target("avx2"), always_inline)) inline __m256i encode_avx2(__m256i in) {
  // Within a lane, group g (bytes a b c at 3g) becomes the 32-bit word whose
  // bytes are b a c b: its low 16 bits are a:b, its high 16 bits b:c.
  const __m256i spread = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,  //
                                          1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  // Per 16-bit word: a:b holds i0 in bits 15..10 and i1 in bits 9..4; b:c
  // holds i2 in bits 11..6 and i3 in bits 5..0. mulhi moves i0 and i2 to
  // bits 0..5 of their words, mullo moves i1 and i3 to bits 8..13.
  const __m256i mask_hi = _mm256_set1_epi32(0x0FC0FC00);
  const __m256i mul_hi = _mm256_set1_epi32(0x04000040);
  const __m256i mask_lo = _mm256_set1_epi32(0x003F03F0);
  const __m256i mul_lo = _mm256_set1_epi32(0x01000010);
  // Offset to add to a 6-bit value, by class: 0 = 26..51 ('a'-26), 1..10 =
  // 52..61 ('0'-52), 11 = 62 ('-'-62), 12 = 63 ('_'-63), 13 = 0..25 ('A').
  const __m256i offsets = _mm256_setr_epi8(71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -17, 32, 65, 0, 0,  //
                                           71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -17, 32, 65, 0, 0);
  in = _mm256_shuffle_epi8(in, spread);
  __m256i a = _mm256_mulhi_epu16(_mm256_and_si256(in, mask_hi), mul_hi);
  __m256i b = _mm256_mullo_epi16(_mm256_and_si256(in, mask_lo), mul_lo);
  __m256i idx = _mm256_or_si256(a, b);  // one 6-bit value per byte
  __m256i cls = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
  cls = _mm256_or_si256(cls, _mm256_and_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(26), idx), _mm256_set1_epi8(13)));
  return _mm256_add_epi8(idx, _mm256_shuffle_epi8(offsets, cls));
}

/// One step: 24 bytes at `d` (28 readable) to 32 characters at `o`.
__attribute__((target("avx2"), always_inline)) inline void step_avx2(char* o, const uint8_t* d) {
  __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d));
  __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + 12));
  __m256i text = encode_avx2(_mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), text);
}

/// 16 bytes (a salt) to 22 characters, from one load: lane 1 takes bytes
/// 12..15 followed by zeros, which give the same leading characters of the
/// partial group as the unpadded encoding.
__attribute__((target("avx2"))) char* write16_avx2(char* o, const uint8_t* d) {
  __m128i r = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d));
  __m256i text = encode_avx2(_mm256_inserti128_si256(_mm256_castsi128_si256(r), _mm_srli_si128(r, 12), 1));
  alignas(32) char t[32];
  _mm256_store_si256(reinterpret_cast<__m256i*>(t), text);
  std::memcpy(o, t, 22);
  return o + 22;
}

/// 32 bytes (a digest) to 43 characters, from two loads: bytes 0..23 in
/// one step, bytes 24..31 (then zeros) in a second.
__attribute__((target("avx2"))) char* write32_avx2(char* o, const uint8_t* d) {
  __m128i r0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d));
  __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + 16));
  __m256i first = encode_avx2(_mm256_inserti128_si256(_mm256_castsi128_si256(r0), _mm_alignr_epi8(r1, r0, 12), 1));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), first);
  __m256i second = encode_avx2(_mm256_castsi128_si256(_mm_srli_si128(r1, 8)));
  alignas(32) char t[32];
  _mm256_store_si256(reinterpret_cast<__m256i*>(t), second);
  std::memcpy(o + 32, t, 11);
  return o + 43;
}

__attribute__((target("avx2"))) char* write_avx2(char* o, const uint8_t* d, size_t n) {
  // Other short inputs go portable: they were often just written in small
  // pieces, and a 16-byte load over such stores would wait for them (no
  // store forwarding) longer than the portable loop takes.
  if (n == 32) return write32_avx2(o, d);
  if (n == 16) return write16_avx2(o, d);
  if (n < 64) return write_portable(o, d, n);
  for (; n >= 28; n -= 24, d += 24, o += 32) step_avx2(o, d);
  return write_portable(o, d, n);
}

#ifdef __x86_64__  // 64-bit masks
#define HC_B64_VBMI_PATH 1
// GCC 12 warns about the unmasked AVX-512 intrinsics themselves (their
// _mm512_undefined_epi32() operand), wrongly.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define HC_B64_VBMI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,bmi2")))

/// 48 bytes (bytes 0..47 of `in`; the rest ignored) to 64 characters, the
/// AVX-512 VBMI form of the same method: one byte permutation gives each
/// 32-bit word the bytes b a c b of its group (as in encode_avx2), one
/// multishift cuts out the four 6-bit values (from bits 10, 4, 22 and 16 of
/// the word), and one more byte permutation, which only reads the low 6
/// bits of each index, looks them up in the 64-character alphabet.
HC_B64_VBMI inline __m512i encode_vbmi(__m512i in) {
  const __m512i spread = _mm512_set_epi32(0x2e2f2d2e, 0x2b2c2a2b, 0x28292728, 0x25262425,  //
                                          0x22232122, 0x1f201e1f, 0x1c1d1b1c, 0x191a1819,  //
                                          0x16171516, 0x13141213, 0x10110f10, 0x0d0e0c0d,  //
                                          0x0a0b090a, 0x07080607, 0x04050304, 0x01020001);
  const __m512i shifts = _mm512_set1_epi64(0x3036242a1016040a);
  const __m512i alphabet = _mm512_loadu_si512(k_alphabet);
  __m512i words = _mm512_permutexvar_epi8(spread, in);
  __m512i idx = _mm512_multishift_epi64_epi8(shifts, words);
  return _mm512_permutexvar_epi8(idx, alphabet);
}

/// n < 64 bytes at `d` (only those read) to their text at `o` (only it written).
HC_B64_VBMI inline char* write_short_vbmi(char* o, const uint8_t* d, size_t n) {
  if (n > 48) {
    _mm512_storeu_si512(o, encode_vbmi(_mm512_maskz_loadu_epi8(0xFFFFFFFFFFFFull, d)));
    n -= 48, d += 48, o += 64;
  }
  const size_t chars = base64url_size(n);
  __m512i text = encode_vbmi(_mm512_maskz_loadu_epi8(_bzhi_u64(~0ull, static_cast<unsigned>(n)), d));
  _mm512_mask_storeu_epi8(o, _bzhi_u64(~0ull, static_cast<unsigned>(chars)), text);
  return o + chars;
}

HC_B64_VBMI char* write_vbmi(char* o, const uint8_t* d, size_t n) {
  // 32 bytes (a digest) to 43 characters and 16 (a salt) to 22: one step
  // each, from a load whose bytes past the input are zero, which give the
  // same leading characters of the partial group as the unpadded encoding.
  if (n == 32) {
    __m512i text = encode_vbmi(_mm512_zextsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(d))));
    _mm512_mask_storeu_epi8(o, (1ull << 43) - 1, text);
    return o + 43;
  }
  if (n == 16) {
    __m512i text = encode_vbmi(_mm512_zextsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(d))));
    _mm512_mask_storeu_epi8(o, (1ull << 22) - 1, text);
    return o + 22;
  }
  for (; n >= 64; n -= 48, d += 48, o += 64) _mm512_storeu_si512(o, encode_vbmi(_mm512_loadu_si512(d)));
  return write_short_vbmi(o, d, n);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif  // __x86_64__
#endif

using WriteFn = char* (*)(char*, const uint8_t*, size_t);

enum class Path { portable, avx2, vbmi };

Path best_path() {
#ifdef HC_B64_X86
  __builtin_cpu_init();
#ifdef HC_B64_VBMI_PATH
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("bmi2"))
    return Path::vbmi;
#endif
  if (__builtin_cpu_supports("avx2")) return Path::avx2;
#endif
  return Path::portable;
}

WriteFn write_fn(Path p) {
  switch (p) {
#ifdef HC_B64_VBMI_PATH
    case Path::vbmi: return write_vbmi;
#endif
#ifdef HC_B64_X86
    case Path::avx2: return write_avx2;
#endif
    default: return write_portable;
  }
}

char* write_first(char* o, const uint8_t* d, size_t n);

/// The encoder of this CPU, chosen on the first call (no static
/// initialisation order to depend on): afterwards each call is one load
/// and one indirect jump. Relaxed: every thread that picks stores the same.
constinit std::atomic<WriteFn> g_write{write_first};

char* write_first(char* o, const uint8_t* d, size_t n) {
  WriteFn f = write_fn(best_path());
  g_write.store(f, std::memory_order_relaxed);
  return f(o, d, n);
}

#ifdef HC_B64_X86
bool have_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}

/// Per byte of `in`, nonzero when it is not a base64url character; `hi`
/// gets the high nibbles.
__attribute__((target("avx2"), always_inline)) inline __m256i not_base64url(__m256i in, __m256i& hi) {
  // The alphabet by nibbles (high:low): '-' 2:D, '0'-'9' 3:0-9, 'A'-'O' and
  // 'a'-'o' 4:1-F and 6:1-F, 'P'-'Z' 5:0-A, '_' 5:F, 'p'-'z' 7:0-A. Each
  // high nibble gets one bit (bit 5 for those no character has); a low
  // nibble's entry sets the bits of the high nibbles it is NOT valid with.
  // A character is in the alphabet when the two entries share no bit.
  const __m256i hi_bits = _mm256_setr_epi8(32, 32, 1, 2, 4, 8, 4, 16, 32, 32, 32, 32, 32, 32, 32, 32,  //
                                           32, 32, 1, 2, 4, 8, 4, 16, 32, 32, 32, 32, 32, 32, 32, 32);
  const __m256i lo_bits = _mm256_setr_epi8(32 | 1 | 4, 32 | 1, 32 | 1, 32 | 1, 32 | 1, 32 | 1, 32 | 1, 32 | 1,
                                           32 | 1, 32 | 1, 32 | 1 | 2, 32 | 1 | 2 | 8 | 16, 32 | 1 | 2 | 8 | 16,
                                           32 | 2 | 8 | 16, 32 | 1 | 2 | 8 | 16, 32 | 1 | 2 | 16,  //
                                           32 | 1 | 4, 32 | 1, 32 | 1, 32 | 1, 32 | 1, 32 | 1, 32 | 1, 32 | 1,
                                           32 | 1, 32 | 1, 32 | 1 | 2, 32 | 1 | 2 | 8 | 16, 32 | 1 | 2 | 8 | 16,
                                           32 | 2 | 8 | 16, 32 | 1 | 2 | 8 | 16, 32 | 1 | 2 | 16);
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  hi = _mm256_and_si256(_mm256_srli_epi32(in, 4), low4);
  __m256i lo = _mm256_and_si256(in, low4);
  return _mm256_and_si256(_mm256_shuffle_epi8(lo_bits, lo), _mm256_shuffle_epi8(hi_bits, hi));
}

/// 32 characters at `t` to 24 bytes at `o`; false (nothing written) when any
/// of them is not base64url.
__attribute__((target("avx2"), always_inline)) inline bool read_step_avx2(uint8_t* o, const char* t) {
  // Offset from a character to its value by high nibble; '_' (5:F, the one
  // exception in its row) is moved to the unused row 13.
  const __m256i offsets = _mm256_setr_epi8(0, 0, 17, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, -32, 0, 0,  //
                                           0, 0, 17, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, -32, 0, 0);
  __m256i in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t));
  __m256i hi;
  __m256i bad = not_base64url(in, hi);
  if (!_mm256_testz_si256(bad, bad)) return false;
  __m256i row = _mm256_or_si256(hi, _mm256_and_si256(_mm256_cmpeq_epi8(in, _mm256_set1_epi8('_')), _mm256_set1_epi8(8)));
  __m256i v = _mm256_add_epi8(in, _mm256_shuffle_epi8(offsets, row));  // one 6-bit value per byte
  // Pairs a, b to the 12-bit a:b in 16 bits, then pairs of those to the
  // 24-bit a:b:c:d in 32 bits (its bytes in memory order: low, mid, high).
  v = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
  v = _mm256_madd_epi16(v, _mm256_set1_epi32(0x00011000));
  // Per lane: the three bytes of each word, high first, packed to 12 bytes;
  // then the two lanes' 12 bytes made contiguous.
  const __m256i pack = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  v = _mm256_shuffle_epi8(v, pack);
  v = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm256_castsi256_si128(v));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(o + 16), _mm256_extracti128_si256(v, 1));
  return true;
}

__attribute__((target("avx2"))) size_t run_avx2(const char* t, size_t n) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i hi;
    __m256i bad = not_base64url(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + i)), hi);
    auto good = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(bad, _mm256_setzero_si256())));
    if (good != 0xFFFFFFFFu) return i + static_cast<size_t>(std::countr_one(good));
  }
  return i + scan::base64url_prefix(t + i, n - i);
}

__attribute__((target("avx2"))) size_t read_blocks_avx2(uint8_t* o, const char* t, size_t n) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32, o += 24)
    if (!read_step_avx2(o, t + i)) break;
  return i;
}
#endif

}  // namespace

char* base64url_write(char* out, const uint8_t* data, size_t n) {
  return g_write.load(std::memory_order_relaxed)(out, data, n);
}

// base64url_append (crypto.h): every base64url of the SD-JWT paths (JWS
// parts, disclosures, digests, salts) goes through base64url_write.
void base64url_append(std::string& out, const uint8_t* data, size_t n) {
  const size_t at = out.size();
  out.resize(at + base64url_size(n));
  base64url_write(out.data() + at, data, n);
}

char* base64url_write_portable(char* out, const uint8_t* data, size_t n) { return write_portable(out, data, n); }

size_t base64url_read_blocks(uint8_t* out, const char* text, size_t n) {
#ifdef HC_B64_X86
  if (n >= 32 && have_avx2()) return read_blocks_avx2(out, text, n);
#endif
  (void)out, (void)text, (void)n;
  return 0;
}

size_t base64url_run(const char* text, size_t n) {
#ifdef HC_B64_X86
  if (n >= 32 && have_avx2()) return run_avx2(text, n);
#endif
  return scan::base64url_prefix(text, n);
}

bool base64url_read_is_vectorised() {
#ifdef HC_B64_X86
  return have_avx2();
#else
  return false;
#endif
}

bool base64url_write_is_vectorised() { return best_path() != Path::portable; }

bool base64url_write_has_avx2() {
#ifdef HC_B64_X86
  return have_avx2();
#else
  return false;
#endif
}
bool base64url_write_has_vbmi() { return best_path() == Path::vbmi; }

char* base64url_write_avx2(char* out, const uint8_t* data, size_t n) {
  if (!base64url_write_has_avx2()) throw Error(Exit::internal, "base64url_write_avx2: this CPU has no AVX2");
  return write_fn(Path::avx2)(out, data, n);
}

char* base64url_write_vbmi(char* out, const uint8_t* data, size_t n) {
  if (!base64url_write_has_vbmi()) throw Error(Exit::internal, "base64url_write_vbmi: this CPU has no AVX-512 VBMI");
  return write_fn(Path::vbmi)(out, data, n);
}

}  // namespace hc::crypto

// base64url (RFC 4648 §5, no padding) for the SD-JWT hot paths, and behind
// base64url_append (crypto.h): the same text as base64url(), written
// straight into the caller's memory, 48 input bytes per step with AVX-512
// VBMI or 24 with AVX2 when the CPU has them (chosen on the first call; the
// portable loop otherwise and for AVX2's tail). Decoding (unbase64url*,
// crypto.h) reads 32 characters per step with AVX2 and leaves the rest, and
// every block holding a character outside the alphabet, to the strict
// portable decoder. An encoding, not cryptography: like every table-driven
// base64, its memory accesses depend on the data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hc::crypto {

/// Number of base64url characters (no padding) for `n` bytes.
constexpr size_t base64url_size(size_t n) { return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0); }

/// Writes the base64url text of data[0..n) at `out` (exactly
/// base64url_size(n) characters, no terminator); returns the end.
char* base64url_write(char* out, const uint8_t* data, size_t n);

/// True when base64url_write uses a vector path (AVX-512 VBMI or AVX2) on
/// this CPU (for tests).
bool base64url_write_is_vectorised();
/// base64url_write without the vector paths (what other CPUs run; for tests).
char* base64url_write_portable(char* out, const uint8_t* data, size_t n);
/// Whether this CPU can run each vector path of base64url_write, and that
/// path itself, whichever one base64url_write picked (for tests; each throws
/// hc::Error when the CPU lacks its instructions).
bool base64url_write_has_avx2();
bool base64url_write_has_vbmi();
char* base64url_write_avx2(char* out, const uint8_t* data, size_t n);
char* base64url_write_vbmi(char* out, const uint8_t* data, size_t n);

/// Decodes the longest run of whole 32-character blocks at text[0..n) that
/// are all base64url into `out` (24 bytes per block, nothing written past
/// them); returns the characters read, a multiple of 32 — 0 without AVX2.
/// Stops before the first block holding any other character, so that the
/// caller's strict decoder, going on from there, finds it and words the
/// error. The strict decoders of crypto.h (unbase64url, unbase64url_text,
/// unbase64url_text_into) start with this.
size_t base64url_read_blocks(uint8_t* out, const char* text, size_t n);

/// Length of the leading run of base64url characters at text[0..n): the
/// same answer as scan::base64url_prefix (hc/core/byte_scan.h), 32
/// characters per step with AVX2 (the alphabet test of the decoder).
size_t base64url_run(const char* text, size_t n);

/// True when base64url_read_blocks and base64url_run use the AVX2 path on
/// this CPU (for tests).
bool base64url_read_is_vectorised();
/// unbase64url_text_into without base64url_read_blocks: the portable
/// decoder alone (what other CPUs run; for tests).
void unbase64url_text_portable_into(std::string_view text, std::string& out);

}  // namespace hc::crypto

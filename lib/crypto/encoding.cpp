// Hex and base64 codecs with strict decoding: every text has one encoding, so
// signed bytes cannot be re-encoded into a second accepted form.
#include <hc/crypto/crypto.h>

#include <hc/core/error.h>
#include <hc/crypto/base64url_simd.h>

#include <bit>
#include <cstring>

namespace hc::crypto {
namespace {

constexpr char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char k_b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(const uint8_t* d, size_t n, const char* alphabet, bool pad) {
  // Sized once and written through a pointer: this runs on every disclosure
  // and JWS part, so no per-character push_back.
  size_t full = n / 3, rest = n % 3;
  size_t len = full * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1);
  std::string out(len, '\0');
  char* o = out.data();
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t(d[i]) << 16) | (uint32_t(d[i + 1]) << 8) | d[i + 2];
    o[0] = alphabet[(v >> 18) & 63];
    o[1] = alphabet[(v >> 12) & 63];
    o[2] = alphabet[(v >> 6) & 63];
    o[3] = alphabet[v & 63];
    o += 4;
  }
  if (rest == 1) {
    uint32_t v = uint32_t(d[i]) << 16;
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    if (pad) {
      *o++ = '=';
      *o++ = '=';
    }
  } else if (rest == 2) {
    uint32_t v = (uint32_t(d[i]) << 16) | (uint32_t(d[i + 1]) << 8);
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    if (pad) *o++ = '=';
  }
  return out;
}

/// Sextet values of the two alphabets; 0xFF = not in the alphabet.
struct DecodeTable {
  uint8_t v[256];
  constexpr explicit DecodeTable(bool url) : v() {
    for (auto& x : v) x = 0xFF;
    for (int i = 0; i < 26; ++i) {
      v['A' + i] = static_cast<uint8_t>(i);
      v['a' + i] = static_cast<uint8_t>(26 + i);
    }
    for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<uint8_t>(52 + i);
    v[static_cast<unsigned char>(url ? '-' : '+')] = 62;
    v[static_cast<unsigned char>(url ? '_' : '/')] = 63;
  }
};
constexpr DecodeTable k_dec_url(true), k_dec_std(false);

/// The same sextets already shifted to their place in a 24-bit group, one
/// table per position in a block of four characters; a character outside the
/// alphabet sets bits 24..31, so one test covers the four.
struct GroupTables {
  uint32_t at[4][256];
  constexpr explicit GroupTables(const DecodeTable& d) : at() {
    for (int c = 0; c < 256; ++c)
      for (int k = 0; k < 4; ++k)
        at[k][c] = d.v[c] == 0xFF ? 0xFF000000u : uint32_t(d.v[c]) << (18 - 6 * k);
  }
};
constexpr GroupTables k_group_url(k_dec_url), k_group_std(k_dec_std);

void decode_into(std::string_view t, bool url, bool padded, uint8_t* out, size_t& out_len, bool vector = true);

Bytes decode(std::string_view t, bool url, bool padded) {
  Bytes out(t.size() / 4 * 3 + 3);
  size_t n = 0;
  decode_into(t, url, padded, out.data(), n);
  out.resize(n);
  return out;
}

/// Strict decoding into `out` (room for t.size() / 4 * 3 + 3 bytes); the
/// same checks and messages as before, one table lookup per character.
/// base64url first goes through whole 32-character blocks with AVX2
/// (base64url_read_blocks, unless `vector` is false), which stops before any
/// block with a character outside the alphabet: the loops below go on from
/// there, so errors are found and worded as without it.
void decode_into(std::string_view t, bool url, bool padded, uint8_t* out, size_t& out_len, bool vector) {
  const char* what = url ? "base64url" : "base64";
  if (padded) {
    if (t.size() % 4 != 0) throw Error(Exit::data, std::string("bad ") + what + ": length is not a multiple of 4");
    size_t pads = 0;
    while (pads < 2 && pads < t.size() && t[t.size() - 1 - pads] == '=') ++pads;
    t.remove_suffix(pads);
  }
  if (t.size() % 4 == 1) throw Error(Exit::data, std::string("bad ") + what + ": impossible length");
  const uint8_t* tab = url ? k_dec_url.v : k_dec_std.v;
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  size_t n = t.size(), i = 0;
  uint8_t* o = out;
  if (url && vector) {
    i = base64url_read_blocks(o, t.data(), n);
    o += i / 4 * 3;
  }
  auto bad_char = [&] { return Error(Exit::data, std::string("bad ") + what + ": unexpected character"); };
  const auto& g = url ? k_group_url.at : k_group_std.at;
  // Eight characters make six bytes, written as one eight-byte store (the
  // output has room: at least 4 more characters, so 3 more bytes, follow).
  for (; i + 12 <= n; i += 8) {
    uint32_t v0 = g[0][p[i]] | g[1][p[i + 1]] | g[2][p[i + 2]] | g[3][p[i + 3]];
    uint32_t v1 = g[0][p[i + 4]] | g[1][p[i + 5]] | g[2][p[i + 6]] | g[3][p[i + 7]];
    if ((v0 | v1) >> 24) throw bad_char();
    uint64_t six = (uint64_t{v0} << 40) | (uint64_t{v1} << 16);  // bytes in order from the top
    if constexpr (std::endian::native == std::endian::little) six = __builtin_bswap64(six);
    std::memcpy(o, &six, 8);
    o += 6;
  }
  for (; i + 4 <= n; i += 4) {
    uint32_t v = g[0][p[i]] | g[1][p[i + 1]] | g[2][p[i + 2]] | g[3][p[i + 3]];
    if (v >> 24) throw bad_char();
    o[0] = uint8_t(v >> 16);
    o[1] = uint8_t(v >> 8);
    o[2] = uint8_t(v);
    o += 3;
  }
  uint32_t acc = 0;
  int bits = 0;
  for (; i < n; ++i) {
    uint32_t v = tab[p[i]];
    if (v & 0x80) throw bad_char();
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *o++ = uint8_t(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) throw Error(Exit::data, std::string("bad ") + what + ": non-canonical trailing bits");
  out_len = static_cast<size_t>(o - out);
}

}  // namespace

std::string hex(const uint8_t* data, size_t n) {
  static const char* k = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = k[data[i] >> 4];
    out[2 * i + 1] = k[data[i] & 15];
  }
  return out;
}

Bytes unhex(std::string_view t) {
  if (t.size() % 2) throw Error(Exit::data, "bad hex: odd length");
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out(t.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int h = nib(t[2 * i]), l = nib(t[2 * i + 1]);
    if (h < 0 || l < 0) throw Error(Exit::data, "bad hex: unexpected character");
    out[i] = uint8_t(h << 4 | l);
  }
  return out;
}

std::string base64url(const uint8_t* data, size_t n) { return encode(data, n, k_b64url, false); }
Bytes unbase64url(std::string_view text) { return decode(text, true, false); }
std::string unbase64url_text(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t n = 0;
  decode_into(text, true, false, reinterpret_cast<uint8_t*>(out.data()), n);
  out.resize(n);
  return out;
}
void unbase64url_text_into(std::string_view text, std::string& out) {
  out.resize(text.size() / 4 * 3 + 3);
  size_t n = 0;
  decode_into(text, true, false, reinterpret_cast<uint8_t*>(out.data()), n);
  out.resize(n);
}
void unbase64url_text_portable_into(std::string_view text, std::string& out) {
  out.resize(text.size() / 4 * 3 + 3);
  size_t n = 0;
  decode_into(text, true, false, reinterpret_cast<uint8_t*>(out.data()), n, false);
  out.resize(n);
}
std::string base64(const uint8_t* data, size_t n, bool padded) { return encode(data, n, k_b64, padded); }
Bytes unbase64(std::string_view text, bool padded) { return decode(text, false, padded); }

}  // namespace hc::crypto

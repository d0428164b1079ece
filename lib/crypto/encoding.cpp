// Hex and base64 codecs with strict decoding: every text has one encoding, so
// signed bytes cannot be re-encoded into a second accepted form.
#include <hc/crypto/crypto.h>

#include <hc/core/error.h>

namespace hc::crypto {
namespace {

constexpr char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char k_b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(const uint8_t* d, size_t n, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t(d[i]) << 16) | (uint32_t(d[i + 1]) << 8) | d[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  if (n - i == 1) {
    uint32_t v = uint32_t(d[i]) << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out += "==";
  } else if (n - i == 2) {
    uint32_t v = (uint32_t(d[i]) << 16) | (uint32_t(d[i + 1]) << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

int value_of(char c, bool url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (url ? '-' : '+')) return 62;
  if (c == (url ? '_' : '/')) return 63;
  return -1;
}

Bytes decode(std::string_view t, bool url, bool padded) {
  const char* what = url ? "base64url" : "base64";
  if (padded) {
    if (t.size() % 4 != 0) throw Error(Exit::data, std::string("bad ") + what + ": length is not a multiple of 4");
    size_t pads = 0;
    while (pads < 2 && pads < t.size() && t[t.size() - 1 - pads] == '=') ++pads;
    t.remove_suffix(pads);
  }
  if (t.size() % 4 == 1) throw Error(Exit::data, std::string("bad ") + what + ": impossible length");
  Bytes out;
  out.reserve(t.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : t) {
    int v = value_of(c, url);
    if (v < 0) throw Error(Exit::data, std::string("bad ") + what + ": unexpected character");
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) throw Error(Exit::data, std::string("bad ") + what + ": non-canonical trailing bits");
  return out;
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
std::string base64(const uint8_t* data, size_t n, bool padded) { return encode(data, n, k_b64, padded); }
Bytes unbase64(std::string_view text, bool padded) { return decode(text, false, padded); }

}  // namespace hc::crypto

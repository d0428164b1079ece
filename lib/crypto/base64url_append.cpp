// base64url_append (crypto.h): the encoder of the SD-JWT hot paths, where
// every disclosure, digest and JWS part is base64url. Same output as
// base64url(); it writes into the caller's string and looks up two output
// characters (12 bits) at a time.
#include <hc/crypto/crypto.h>

#include <bit>
#include <cstring>

namespace hc::crypto {
namespace {

constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// For every 12-bit value, its two base64url characters as the 16-bit word
/// whose bytes in memory are those two characters in order.
struct PairTable {
  uint16_t v[4096];
  constexpr PairTable() : v() {
    for (int i = 0; i < 4096; ++i) {
      auto first = static_cast<uint8_t>(k_alphabet[i >> 6]), second = static_cast<uint8_t>(k_alphabet[i & 63]);
      if constexpr (std::endian::native == std::endian::little) v[i] = static_cast<uint16_t>(first | (second << 8));
      else v[i] = static_cast<uint16_t>((first << 8) | second);
    }
  }
};
constexpr PairTable k_pairs;

}  // namespace

void base64url_append(std::string& out, const uint8_t* d, size_t n) {
  const size_t full = n / 3, rest = n % 3;
  const size_t at = out.size();
  out.resize(at + full * 4 + (rest ? rest + 1 : 0));
  char* o = out.data() + at;
  for (size_t i = 0; i < full; ++i, d += 3, o += 4) {
    uint32_t v = (uint32_t(d[0]) << 16) | (uint32_t(d[1]) << 8) | d[2];
    uint16_t w[2] = {k_pairs.v[v >> 12], k_pairs.v[v & 0xFFF]};
    std::memcpy(o, w, 4);  // one store of four characters
  }
  if (rest == 1) {
    uint32_t v = uint32_t(d[0]) << 16;
    o[0] = k_alphabet[(v >> 18) & 63];
    o[1] = k_alphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    uint32_t v = (uint32_t(d[0]) << 16) | (uint32_t(d[1]) << 8);
    o[0] = k_alphabet[(v >> 18) & 63];
    o[1] = k_alphabet[(v >> 12) & 63];
    o[2] = k_alphabet[(v >> 6) & 63];
  }
}

}  // namespace hc::crypto

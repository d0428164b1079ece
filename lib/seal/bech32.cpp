// BIP 173 Bech32, written from the specification's reference description.
#include <hc/seal/bech32.h>

#include <hc/core/error.h>

namespace hc::seal {
namespace {

constexpr std::string_view k_charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr size_t k_max_length = 1024;

uint32_t polymod(const uint8_t* v, size_t n, uint32_t chk = 1) {
  static constexpr uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  for (size_t i = 0; i < n; ++i) {
    uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v[i];
    for (int j = 0; j < 5; ++j)
      if ((top >> j) & 1) chk ^= gen[j];
  }
  return chk;
}

/// hrp expanded as BIP 173 specifies: high bits, a zero, low bits.
crypto::SecretBytes expand_hrp(std::string_view hrp) {
  crypto::SecretBytes out;
  out.reserve(hrp.size() * 2 + 1);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(static_cast<uint8_t>(c) >> 5));
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<uint8_t>(static_cast<uint8_t>(c) & 31));
  return out;
}

Error bad(const std::string& why) { return Error(Exit::data, "bad Bech32 key: " + why); }

}  // namespace

crypto::SecretString bech32_encode(std::string_view hrp, const uint8_t* data, size_t n) {
  crypto::SecretString lower_hrp;
  for (char c : hrp) lower_hrp.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  // 8-bit to 5-bit groups, zero-padded.
  crypto::SecretBytes values = expand_hrp(std::string_view(lower_hrp.data(), lower_hrp.size()));
  const size_t start = values.size();
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc = ((acc << 8) | data[i]) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push_back(static_cast<uint8_t>((acc >> bits) & 31));
    }
  }
  if (bits > 0) values.push_back(static_cast<uint8_t>((acc << (5 - bits)) & 31));
  acc = 0;
  const size_t data_end = values.size();
  values.insert(values.end(), 6, 0);
  uint32_t mod = polymod(values.data(), values.size()) ^ 1;
  crypto::SecretString out = lower_hrp;
  out.push_back('1');
  for (size_t i = start; i < data_end; ++i) out.push_back(k_charset[values[i]]);
  for (int i = 0; i < 6; ++i) out.push_back(k_charset[(mod >> (5 * (5 - i))) & 31]);
  return out;
}

Bech32 bech32_decode(std::string_view text) {
  if (text.size() > k_max_length) throw bad("longer than 1024 characters");
  bool lower = false, upper = false;
  for (char c : text) {
    if (c < 33 || c > 126) throw bad("character outside printable ASCII");
    if (c >= 'a' && c <= 'z') lower = true;
    if (c >= 'A' && c <= 'Z') upper = true;
  }
  if (lower && upper) throw bad("mixed upper and lower case");
  size_t sep = text.rfind('1');
  if (sep == std::string_view::npos || sep == 0) throw bad("no separator '1' after a prefix");
  if (text.size() - sep - 1 < 6) throw bad("too short for its checksum");
  Bech32 out;
  for (size_t i = 0; i < sep; ++i) {
    char c = text[i];
    out.hrp.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  crypto::SecretBytes values = expand_hrp(out.hrp);
  const size_t start = values.size();
  for (size_t i = sep + 1; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    size_t v = k_charset.find(c);
    if (v == std::string_view::npos) throw bad("character outside the Bech32 alphabet");
    values.push_back(static_cast<uint8_t>(v));
  }
  if (polymod(values.data(), values.size()) != 1) throw bad("checksum does not verify");
  // 5-bit groups (without the checksum) back to bytes; at most 4 zero bits of padding.
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = start; i + 6 < values.size(); ++i) {
    acc = ((acc << 5) | values[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.data.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  bool padding_ok = bits < 5 && ((acc << (8 - bits)) & 0xff) == 0;
  acc = 0;
  if (!padding_ok) throw bad("non-zero or excess padding bits");
  return out;
}

}  // namespace hc::seal

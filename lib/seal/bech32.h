// Bech32 (BIP 173) as age uses it for keys: "age1..." recipients and
// "AGE-SECRET-KEY-1..." identities. Unlike BIP 173, no 90-character limit
// (age's keys are longer); a bound of 1024 characters still applies.
#pragma once

#include <hc/crypto/crypto.h>

#include <string>
#include <string_view>

namespace hc::seal {

/// Encodes `data` under the human-readable part `hrp`, in lower case. The
/// result is a SecretString because identities are encoded with it.
crypto::SecretString bech32_encode(std::string_view hrp, const uint8_t* data, size_t n);

struct Bech32 {
  std::string hrp;           ///< lower case
  crypto::SecretBytes data;  ///< the 8-bit payload
};
/// Strict decoding: one case throughout, valid characters, a checksum that
/// verifies, zero padding bits. Throws Error{data} (never echoing the text,
/// which may be a secret key).
Bech32 bech32_decode(std::string_view text);

}  // namespace hc::seal

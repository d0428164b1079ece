// The age v1 file format (C2SP age specification, age-encryption.org/v1):
// X25519 recipient stanzas, an HKDF-SHA-256 / HMAC-SHA-256 header MAC, and a
// STREAM payload of ChaCha20-Poly1305 chunks of 64 KiB with a last-chunk flag.
// Built from lib/crypto's Botan primitives; files interoperate with age(1).
#pragma once

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>
#include <hc/seal/stream.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace hc::seal {

inline constexpr size_t k_chunk_size = 64 * 1024;
/// Bounds on what a reader accepts (age itself sets none): the whole header,
/// one header line, and the number of recipient stanzas.
inline constexpr size_t k_max_header = 1 << 20;
inline constexpr size_t k_max_line = 64 * 1024;
inline constexpr size_t k_max_stanzas = 1024;

/// The ways opening can fail, as the age test vectors name them.
enum class Failure {
  header,    ///< malformed header or recipient stanza → Exit::data
  no_match,  ///< no stanza is for any of the given keys → Exit::perm
  hmac,      ///< the header MAC does not verify → Exit::invalid
  payload,   ///< a chunk fails authentication, or the stream is cut, reordered or extended → Exit::invalid
  armor,     ///< malformed ASCII armor (PEM-like text form) → Exit::data
};
const char* failure_name(Failure f) noexcept;

/// An hc::Error that also says which kind of failure it is.
class AgeError : public Error {
 public:
  AgeError(Failure kind, std::string message);
  Failure kind() const noexcept { return m_kind; }

 private:
  Failure m_kind;
};

// ---- Keys in age's text forms -------------------------------------------

/// "age1..." for an X25519 public key.
std::string recipient_string(const crypto::X25519Public& pub);
/// Parses "age1..." (Error{data} if malformed).
crypto::X25519Public parse_recipient(std::string_view text);
/// "AGE-SECRET-KEY-1..." for an X25519 secret scalar.
crypto::SecretString identity_string(const crypto::SecretBytes& scalar);
/// Parses "AGE-SECRET-KEY-1..." (Error{data}, never echoing the key).
crypto::SecretBytes parse_identity(std::string_view text);
/// An age identity file: one identity per line, '#' comments and blank lines
/// ignored. Error{data} names the line.
std::vector<crypto::SecretBytes> parse_identity_file(std::string_view text, const std::string& source);

// ---- Header ---------------------------------------------------------------

struct Stanza {
  std::string type;               ///< first argument ("X25519", ...)
  std::vector<std::string> args;  ///< the other arguments
  crypto::Bytes body;
};

struct Header {
  std::vector<Stanza> stanzas;
  std::array<uint8_t, 32> mac{};
  std::string mac_input;  ///< the header bytes the MAC covers (through "---")
};

/// Reads and strictly parses a header, leaving `in` just after the MAC
/// line. Throws AgeError{header} naming the line.
Header read_header(Reader& in);

// ---- Sealing and opening ----------------------------------------------------

/// Encrypts `in` to `out` for every recipient. Throws Error{data} for a
/// recipient key of low order, Error{usage} with no recipient.
void encrypt(const std::vector<crypto::X25519Public>& recipients, Source& in, Sink& out);

struct OpenResult {
  uint64_t plaintext_bytes = 0;
  size_t stanza_index = 0;  ///< which stanza the file key came from
};

/// How the input is encoded: binary age, ASCII armor (armor.h), or detect:
/// armor if it starts with '-' or whitespace (a binary file starts "age-").
enum class Input { detect, binary, armor };

/// Decrypts `in` to `out` with the first identity that matches a stanza.
/// Only authenticated chunks reach `out`, each as soon as it is verified, so
/// on failure `out` holds an authenticated prefix of the plaintext and the
/// caller must discard it. Throws AgeError (see Failure).
OpenResult decrypt(const std::vector<crypto::SecretBytes>& identities, Source& in, Sink& out,
                   Input form = Input::detect);

}  // namespace hc::seal

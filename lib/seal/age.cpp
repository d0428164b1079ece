// age v1, written from the C2SP specification. Parsing is strict: every
// encoding has one accepted form, so the MAC over the raw header bytes is the
// MAC over the canonical header.
#include <hc/seal/age.h>

#include <hc/crypto/aead_inplace.h>
#include <hc/seal/armor.h>
#include <hc/seal/bech32.h>

#include <cstring>

#include <fmt/format.h>

namespace hc::seal {
namespace {

constexpr std::string_view k_version_line = "age-encryption.org/v1";
constexpr std::string_view k_x25519_label = "age-encryption.org/v1/X25519";
constexpr std::string_view k_recipient_hrp = "age";
constexpr std::string_view k_identity_hrp = "age-secret-key-";
constexpr size_t k_file_key_size = 16;
constexpr size_t k_nonce_size = 16;
constexpr size_t k_tag = crypto::ChaCha20Poly1305InPlace::k_tag_size;
constexpr size_t k_enc_chunk = k_chunk_size + k_tag;
constexpr size_t k_columns = 64;

AgeError header_error(const std::string& msg, const std::string& file, uint64_t line) {
  AgeError e(Failure::header, "age header: " + msg);
  e.file(file);
  if (line) e.line(line);
  return e;
}

std::string b64(const uint8_t* p, size_t n) { return crypto::base64(p, n, false); }

/// Strict unpadded standard base64 (one canonical form), or nullopt-like false.
bool unb64(std::string_view text, crypto::Bytes& out) {
  try {
    out = crypto::unbase64(text, false);
    return true;
  } catch (const Error&) {
    return false;
  }
}

bool is_vchar_string(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < 33 || c > 126) return false;
  return true;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t sp = s.find(' ', start);
    out.push_back(s.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start));
    if (sp == std::string_view::npos) return out;
    start = sp + 1;
  }
}

crypto::SecretBytes hkdf32(const uint8_t* ikm, size_t n, std::string_view salt, std::string_view info) {
  return crypto::hkdf_sha256(ikm, n, salt, info, 32);
}

std::string_view chars(const uint8_t* p, size_t n) { return crypto::as_chars(p, n); }

/// The STREAM nonce: 11-byte big-endian chunk counter, then the last-chunk flag.
void stream_nonce(uint8_t* nonce, uint64_t counter, bool last) {
  std::memset(nonce, 0, 12);
  for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<uint8_t>(counter >> (8 * i));
  nonce[11] = last ? 1 : 0;
}

/// Structural checks of an X25519 stanza (Go's age applies them when it
/// tries the stanza; hc applies them to every X25519 stanza, up front).
void check_x25519_stanza(const Stanza& s, size_t index, const std::string& file) {
  auto where = fmt::format("X25519 recipient stanza {}: ", index + 1);
  if (s.args.size() != 1) throw header_error(where + "expected exactly one argument (the ephemeral share)", file, 0);
  crypto::Bytes share;
  if (!unb64(s.args[0], share) || share.size() != 32)
    throw header_error(where + "the ephemeral share is not 32 bytes in canonical base64", file, 0);
  if (s.body.size() != k_file_key_size + k_tag)
    throw header_error(where + "the wrapped file key is not 32 bytes", file, 0);
}

}  // namespace

const char* failure_name(Failure f) noexcept {
  switch (f) {
    case Failure::header: return "header failure";
    case Failure::no_match: return "no match";
    case Failure::hmac: return "HMAC failure";
    case Failure::payload: return "payload failure";
    case Failure::armor: return "armor failure";
  }
  return "?";
}

static Exit exit_of(Failure f) {
  switch (f) {
    case Failure::header:
    case Failure::armor: return Exit::data;
    case Failure::no_match: return Exit::perm;
    case Failure::hmac:
    case Failure::payload: return Exit::invalid;
  }
  return Exit::internal;
}

AgeError::AgeError(Failure kind, std::string message) : Error(exit_of(kind), std::move(message)), m_kind(kind) {}

// ---- Keys ---------------------------------------------------------------------

std::string recipient_string(const crypto::X25519Public& pub) {
  auto s = bech32_encode(k_recipient_hrp, pub.data(), pub.size());
  return std::string(s.begin(), s.end());
}

crypto::X25519Public parse_recipient(std::string_view text) {
  Bech32 b;
  try {
    b = bech32_decode(text);
  } catch (const Error& e) {
    throw Error(Exit::data, "bad age recipient: " + e.message()).hint("an age recipient looks like age1...");
  }
  if (b.hrp != k_recipient_hrp) throw Error(Exit::data, "bad age recipient: it does not start with age1");
  for (char c : text)
    if (c >= 'A' && c <= 'Z') throw Error(Exit::data, "bad age recipient: age recipients are lower case");
  if (b.data.size() != 32) throw Error(Exit::data, "bad age recipient: not a 32-byte X25519 key");
  crypto::X25519Public out;
  std::memcpy(out.data(), b.data.data(), 32);
  return out;
}

crypto::SecretString identity_string(const crypto::SecretBytes& scalar) {
  if (scalar.size() != 32) throw Error(Exit::internal, "X25519 secret must be 32 bytes");
  auto s = bech32_encode(k_identity_hrp, scalar.data(), scalar.size());
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return s;
}

crypto::SecretBytes parse_identity(std::string_view text) {
  Bech32 b;
  try {
    b = bech32_decode(text);
  } catch (const Error& e) {
    throw Error(Exit::data, "bad age identity: " + e.message());
  }
  if (b.hrp != k_identity_hrp) throw Error(Exit::data, "bad age identity: it does not start with AGE-SECRET-KEY-1");
  for (char c : text)
    if (c >= 'a' && c <= 'z') throw Error(Exit::data, "bad age identity: age identities are upper case");
  if (b.data.size() != 32) throw Error(Exit::data, "bad age identity: not a 32-byte X25519 key");
  return std::move(b.data);
}

std::vector<crypto::SecretBytes> parse_identity_file(std::string_view text, const std::string& source) {
  std::vector<crypto::SecretBytes> out;
  uint64_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    try {
      out.push_back(parse_identity(line));
    } catch (Error& e) {
      throw std::move(e.file(source).line(line_no));
    }
  }
  if (out.empty()) throw Error(Exit::data, "no age identity in the file").file(source);
  return out;
}

// ---- Header -------------------------------------------------------------------

Header read_header(Reader& in) {
  Header h;
  const std::string& file = in.name();
  std::string line;
  uint64_t line_no = 0;
  auto next = [&](const char* what) {
    ++line_no;
    size_t budget = k_max_header - std::min(k_max_header, h.mac_input.size());
    bool complete;
    try {
      complete = in.read_line(line, std::min(k_max_line, budget));
    } catch (const AgeError&) {
      throw;
    } catch (const Error& e) {
      if (e.code() != Exit::data) throw;
      throw header_error(fmt::format("the header is larger than {} bytes or has a line longer than {}", k_max_header,
                                     k_max_line),
                         file, line_no);
    }
    if (!complete) throw header_error(fmt::format("the file ends inside the header, expected {}", what), file, line_no);
  };

  next("the version line");
  if (line != k_version_line) {
    if (line.rfind("age-encryption.org/", 0) == 0)
      throw header_error("unsupported version (only age-encryption.org/v1 is known)", file, line_no);
    throw header_error("not an age file (the first line is not age-encryption.org/v1)", file, line_no);
  }
  h.mac_input.append(line).push_back('\n');

  for (;;) {
    next("a recipient stanza or the MAC line");
    if (line.rfind("---", 0) == 0) {
      // "--- " and the base64 of a 32-byte MAC; the MAC covers everything up to "---".
      crypto::Bytes mac;
      if (line.size() < 4 || line[3] != ' ' || !unb64(std::string_view(line).substr(4), mac) || mac.size() != 32)
        throw header_error("the MAC line is not \"--- \" and 43 characters of canonical base64", file, line_no);
      if (h.stanzas.empty()) throw header_error("no recipient stanza", file, line_no);
      std::memcpy(h.mac.data(), mac.data(), 32);
      h.mac_input.append("---");
      return h;
    }
    if (line.rfind("-> ", 0) != 0)
      throw header_error("expected a line starting with \"-> \" (a recipient stanza) or \"---\"", file, line_no);
    if (h.stanzas.size() >= k_max_stanzas)
      throw header_error(fmt::format("more than {} recipient stanzas", k_max_stanzas), file, line_no);
    auto parts = split_spaces(std::string_view(line).substr(3));
    Stanza s;
    for (auto p : parts)
      if (!is_vchar_string(p))
        throw header_error("a stanza argument is empty or has a character outside printable ASCII", file, line_no);
    s.type = std::string(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) s.args.emplace_back(parts[i]);
    h.mac_input.append(line).push_back('\n');
    // Body: base64 lines of exactly 64 columns, ended by a shorter line (maybe empty).
    for (;;) {
      next("a stanza body line");
      crypto::Bytes piece;
      if (line.size() > k_columns || !unb64(line, piece))
        throw header_error("a stanza body line is not canonical base64 of at most 64 columns", file, line_no);
      s.body.insert(s.body.end(), piece.begin(), piece.end());
      h.mac_input.append(line).push_back('\n');
      if (line.size() < k_columns) break;
    }
    h.stanzas.push_back(std::move(s));
  }
}

// ---- Encrypt ------------------------------------------------------------------

void encrypt(const std::vector<crypto::X25519Public>& recipients, Source& in, Sink& out) {
  if (recipients.empty()) throw Error(Exit::usage, "no recipient to seal for");
  crypto::SecretBytes file_key(k_file_key_size);
  crypto::random_bytes(file_key.data(), file_key.size());

  std::string header(k_version_line);
  header.push_back('\n');
  const uint8_t zero_nonce[12] = {};
  for (const auto& r : recipients) {
    crypto::SecretBytes eph(32);
    crypto::random_bytes(eph.data(), eph.size());
    crypto::X25519Public share = crypto::x25519_public(eph);
    crypto::SecretBytes shared;
    try {
      shared = crypto::x25519(eph, r.data());
    } catch (const Error&) {
      throw Error(Exit::data, "recipient key " + recipient_string(r) + " is of low order: nothing can be sealed for it");
    }
    std::string salt(chars(share.data(), 32));
    salt.append(chars(r.data(), 32));
    auto wrap_key = hkdf32(shared.data(), shared.size(), salt, k_x25519_label);
    crypto::ChaCha20Poly1305 aead(wrap_key.data());
    auto body = aead.seal(zero_nonce, chars(file_key.data(), file_key.size()));
    header += "-> X25519 " + b64(share.data(), share.size()) + "\n";
    std::string enc = b64(body.data(), body.size());
    for (size_t i = 0; i <= enc.size(); i += k_columns) {
      header.append(enc, i, k_columns);  // the last line is shorter than 64, maybe empty
      header.push_back('\n');
    }
  }
  header += "---";
  auto mac_key = hkdf32(file_key.data(), file_key.size(), {}, "header");
  auto mac = crypto::hmac_sha256(mac_key.data(), mac_key.size(), header);
  header += " " + b64(mac.data(), mac.size()) + "\n";

  uint8_t nonce[k_nonce_size];
  crypto::random_bytes(nonce, sizeof nonce);
  auto payload_key = hkdf32(file_key.data(), file_key.size(), chars(nonce, sizeof nonce), "payload");
  crypto::secure_zero(file_key.data(), file_key.size());
  out.write(crypto::as_bytes(header), header.size());
  out.write(nonce, sizeof nonce);

  crypto::ChaCha20Poly1305InPlace aead(payload_key.data());
  Reader reader(in, 4096);
  crypto::SecretBytes buf(k_enc_chunk);
  uint8_t chunk_nonce[12];
  for (uint64_t counter = 0;; ++counter) {
    size_t n = reader.read_full(buf.data(), k_chunk_size);
    // The last chunk is the one the input ends in; it may be full, and it is
    // empty only if the whole input is.
    bool last = n < k_chunk_size || reader.at_end();
    if (n == 0 && counter > 0) throw Error(Exit::internal, "STREAM: empty non-first last chunk");
    stream_nonce(chunk_nonce, counter, last);
    aead.seal(chunk_nonce, buf.data(), n, buf.data() + n);
    out.write(buf.data(), n + k_tag);
    if (last) break;
  }
}

// ---- Decrypt ------------------------------------------------------------------

namespace {
OpenResult decrypt_binary(const std::vector<crypto::SecretBytes>& identities, Reader& reader, Sink& out);
}

OpenResult decrypt(const std::vector<crypto::SecretBytes>& identities, Source& in, Sink& out, Input form) {
  Reader reader(in);
  // A binary age file starts with "age-encryption.org/v1"; armor starts with
  // "-----BEGIN", possibly after whitespace. Anything else is read as binary
  // (and refused as a header failure).
  bool is_armor = form == Input::armor;
  if (form == Input::detect) {
    is_armor = reader.starts_with("-");
    for (const char* ws : {" ", "\t", "\r", "\n"}) is_armor = is_armor || reader.starts_with(ws);
  }
  if (is_armor) {
    ArmorSource text(reader);
    Reader inner(text);
    return decrypt_binary(identities, inner, out);
  }
  return decrypt_binary(identities, reader, out);
}

namespace {
OpenResult decrypt_binary(const std::vector<crypto::SecretBytes>& identities, Reader& reader, Sink& out) {
  const std::string& file = reader.name();
  Header h = read_header(reader);

  bool has_scrypt = false;
  for (size_t i = 0; i < h.stanzas.size(); ++i) {
    if (h.stanzas[i].type == "X25519") check_x25519_stanza(h.stanzas[i], i, file);
    if (h.stanzas[i].type == "scrypt") has_scrypt = true;
  }
  if (has_scrypt && h.stanzas.size() != 1)
    throw header_error("an scrypt stanza must be the only stanza of a file", file, 0);

  // Unwrap the file key: identities in order, stanzas in order (as age does).
  crypto::SecretBytes file_key;
  OpenResult result;
  const uint8_t zero_nonce[12] = {};
  for (const auto& id : identities) {
    if (id.size() != 32) throw Error(Exit::internal, "X25519 identity must be 32 bytes");
    crypto::X25519Public own = crypto::x25519_public(id);
    for (size_t i = 0; i < h.stanzas.size() && file_key.empty(); ++i) {
      const Stanza& s = h.stanzas[i];
      if (s.type != "X25519") continue;
      crypto::Bytes share;
      unb64(s.args[0], share);
      crypto::SecretBytes shared;
      try {
        shared = crypto::x25519(id, share.data());
      } catch (const Error&) {
        throw header_error(fmt::format("X25519 recipient stanza {}: the ephemeral share is of low order", i + 1), file,
                           0);
      }
      std::string salt(chars(share.data(), 32));
      salt.append(chars(own.data(), 32));
      auto wrap_key = hkdf32(shared.data(), shared.size(), salt, k_x25519_label);
      crypto::ChaCha20Poly1305 aead(wrap_key.data());
      crypto::SecretBytes key;
      if (aead.open(zero_nonce, chars(s.body.data(), s.body.size()), key) && key.size() == k_file_key_size) {
        file_key = std::move(key);
        result.stanza_index = i;
      }
    }
    if (!file_key.empty()) break;
  }
  if (file_key.empty()) {
    AgeError e(Failure::no_match, "this file is not sealed for any of the given keys");
    e.file(file).hint("open it with a key whose public key was given to hc-seal --to (or age -r)");
    throw e;
  }

  auto mac_key = hkdf32(file_key.data(), file_key.size(), {}, "header");
  auto mac = crypto::hmac_sha256(mac_key.data(), mac_key.size(), h.mac_input);
  if (!crypto::constant_time_equal(mac.data(), h.mac.data(), 32)) {
    AgeError e(Failure::hmac, "the header MAC does not verify: the header was changed");
    e.file(file);
    throw e;
  }

  uint8_t nonce[k_nonce_size];
  if (reader.read_full(nonce, sizeof nonce) != sizeof nonce)
    throw header_error("the file ends before the 16-byte payload nonce (truncated)", file, 0);
  auto payload_key = hkdf32(file_key.data(), file_key.size(), chars(nonce, sizeof nonce), "payload");
  crypto::secure_zero(file_key.data(), file_key.size());

  crypto::ChaCha20Poly1305InPlace aead(payload_key.data());
  // `enc` holds a chunk as read; it is decrypted in `buf`, so that a full-size
  // chunk that fails as a middle chunk can be tried again as the final one.
  crypto::Bytes enc(k_enc_chunk);
  crypto::SecretBytes buf(k_enc_chunk);
  uint8_t chunk_nonce[12];
  auto payload_error = [&](uint64_t chunk, const std::string& msg) {
    AgeError e(Failure::payload, fmt::format("payload chunk {} (at plaintext byte {}): {}", chunk + 1,
                                             chunk * k_chunk_size, msg));
    e.file(file).hint("discard everything already written: the file was truncated or changed");
    return e;
  };
  auto try_open = [&](uint64_t counter, size_t len, bool last) {
    std::memcpy(buf.data(), enc.data(), len);
    stream_nonce(chunk_nonce, counter, last);
    return aead.open(chunk_nonce, buf.data(), len, enc.data() + len);
  };
  for (uint64_t counter = 0;; ++counter) {
    size_t n = reader.read_full(enc.data(), k_enc_chunk);
    if (n == 0) throw payload_error(counter, "the file ends without a final chunk (truncated)");
    bool last = n < k_enc_chunk;
    if (last && counter > 0 && n == k_tag)
      throw payload_error(counter, "the final chunk is empty, which only an empty file may have");
    if (n < k_tag) throw payload_error(counter, "the chunk is shorter than its 16-byte tag (truncated)");
    size_t len = n - k_tag;
    bool ok = try_open(counter, len, last);
    if (!ok && !last) {
      // A full-size chunk may be the final one: its nonce's flag decides.
      last = true;
      ok = try_open(counter, len, true);
    }
    if (!ok) throw payload_error(counter, "the chunk does not authenticate (changed, reordered or cut)");
    out.write(buf.data(), len);
    result.plaintext_bytes += len;
    if (last) {
      if (!reader.at_end()) throw payload_error(counter + 1, "data follows the final chunk");
      break;
    }
  }
  return result;
}
}  // namespace

}  // namespace hc::seal

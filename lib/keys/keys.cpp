// Key generation, key files and public key export.
#include <hc/keys/keys.h>

#include <hc/core/error.h>
#include <hc/core/io.h>

#include <ctime>
#include <unistd.h>

#include <fmt/format.h>

namespace hc::keys {
namespace {

constexpr const char* k_secret_tag = "hc-secret-key-v1";
constexpr const char* k_public_tag = "hc-public-key-v1";
constexpr size_t k_plain_size = 96;  // seed || x25519 || pseudonym root
constexpr uint32_t k_max_memory_kib = 4u << 20;  // refuse files asking for > 4 GiB
constexpr uint32_t k_max_iterations = 64;

template <size_t N>
std::array<uint8_t, N> fixed(const json::Value& obj, const char* key, const std::string& source) {
  auto text = json::require_string(obj, key);
  crypto::Bytes raw;
  try {
    raw = crypto::unbase64url(text);
  } catch (Error& e) {
    throw Error(Exit::data, e.message()).file(source).field(key);
  }
  if (raw.size() != N) throw Error(Exit::data, fmt::format("must be {} bytes", N)).file(source).field(key);
  std::array<uint8_t, N> out;
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

/// The associated data that binds every clear member of the key file to the
/// ciphertext: the canonical JSON of the file without "secret".
std::string header_aad(json::Value file) {
  file.erase("secret");
  return json::canonical(file);
}

crypto::SecretBytes seal_key(const crypto::SecretString& pass, const uint8_t* salt, const crypto::Argon2Params& p) {
  return crypto::argon2id(std::string_view(pass.data(), pass.size()), salt, 16, p, 32);
}

}  // namespace

const char* role_name(Role r) {
  switch (r) {
    case Role::doctor: return "doctor";
    case Role::patient: return "patient";
    case Role::org: return "org";
  }
  return "org";
}

Role parse_role(std::string_view name) {
  if (name == "doctor") return Role::doctor;
  if (name == "patient") return Role::patient;
  if (name == "org") return Role::org;
  throw Error(Exit::usage, fmt::format("unknown role \"{}\" (expected doctor, patient or org)", name));
}

std::string key_id(const crypto::Ed25519Public& pk) {
  auto h = crypto::sha256(pk.data(), pk.size());
  return crypto::hex(h.data(), 8);
}

json::Value PublicKey::to_json() const {
  return json::Value{{"type", k_public_tag},
                     {"role", role_name(role)},
                     {"label", label},
                     {"key_id", key_id},
                     {"ed25519", crypto::base64url(ed25519.data(), ed25519.size())},
                     {"x25519", crypto::base64url(x25519.data(), x25519.size())},
                     {"created", created}};
}

PublicKey PublicKey::from_json(const json::Value& v, const std::string& source) {
  try {
    if (!v.is_object()) throw Error(Exit::data, "a public key file must be a JSON object");
    auto type = json::require_string(v, "type");
    if (type != k_public_tag && type != k_secret_tag)
      throw Error(Exit::data, fmt::format("not an hc public key (type \"{}\")", type)).field("type");
    PublicKey pk;
    pk.role = parse_role(json::require_string(v, "role"));
    pk.label = json::require_string(v, "label");
    pk.created = json::require_string(v, "created");
    pk.ed25519 = fixed<32>(v, "ed25519", source);
    pk.x25519 = fixed<32>(v, "x25519", source);
    pk.key_id = json::require_string(v, "key_id");
    if (pk.key_id != keys::key_id(pk.ed25519))
      throw Error(Exit::data, "does not match the ed25519 key").field("key_id");
    return pk;
  } catch (Error& e) {
    if (e.code() == Exit::usage) throw Error(Exit::data, e.message()).file(source).field("role");
    if (e.file().empty()) e.file(source);
    throw;
  }
}

SecretKey SecretKey::pseudonym(std::string_view context) const {
  auto seed = crypto::hkdf_sha256(pseudonym_root.data(), pseudonym_root.size(), "",
                                  std::string("hc pseudonym v1") + std::string(context), 96);
  SecretKey k;
  k.ed25519_seed.assign(seed.begin(), seed.begin() + 32);
  k.x25519_secret.assign(seed.begin() + 32, seed.begin() + 64);
  k.pseudonym_root.assign(seed.begin() + 64, seed.end());
  k.pub.role = Role::patient;
  k.pub.label = std::string(context);
  k.pub.created = pub.created;
  k.pub.ed25519 = crypto::ed25519_public(k.ed25519_seed);
  k.pub.x25519 = crypto::x25519_public(k.x25519_secret);
  k.pub.key_id = keys::key_id(k.pub.ed25519);
  return k;
}

SecretKey generate(Role role, std::string label, std::string created) {
  SecretKey k;
  k.ed25519_seed.resize(32);
  k.x25519_secret.resize(32);
  k.pseudonym_root.resize(32);
  crypto::random_bytes(k.ed25519_seed.data(), 32);
  crypto::random_bytes(k.x25519_secret.data(), 32);
  crypto::random_bytes(k.pseudonym_root.data(), 32);
  k.pub.role = role;
  k.pub.label = std::move(label);
  k.pub.created = std::move(created);
  k.pub.ed25519 = crypto::ed25519_public(k.ed25519_seed);
  k.pub.x25519 = crypto::x25519_public(k.x25519_secret);
  k.pub.key_id = keys::key_id(k.pub.ed25519);
  return k;
}

std::string encode_secret(const SecretKey& key, const crypto::SecretString* passphrase, const SealOptions& options) {
  json::Value file = key.pub.to_json();
  file["type"] = k_secret_tag;
  crypto::Bytes plain;
  plain.reserve(k_plain_size);
  plain.insert(plain.end(), key.ed25519_seed.begin(), key.ed25519_seed.end());
  plain.insert(plain.end(), key.x25519_secret.begin(), key.x25519_secret.end());
  plain.insert(plain.end(), key.pseudonym_root.begin(), key.pseudonym_root.end());
  std::string out;
  if (passphrase == nullptr) {
    file["kdf"] = json::Value{{"alg", "none"}};
    file["secret"] = crypto::base64url(plain.data(), plain.size());
  } else {
    auto salt = crypto::random_bytes(16);
    auto nonce = crypto::random_bytes(crypto::ChaCha20Poly1305::k_nonce_size);
    const auto& p = options.argon2;
    file["kdf"] = json::Value{{"alg", "argon2id"},
                              {"memory_kib", p.memory_kib},
                              {"iterations", p.iterations},
                              {"parallelism", p.parallelism},
                              {"salt", crypto::base64url(salt.data(), salt.size())}};
    file["cipher"] = "chacha20-poly1305";
    file["nonce"] = crypto::base64url(nonce.data(), nonce.size());
    auto k = seal_key(*passphrase, salt.data(), p);
    crypto::ChaCha20Poly1305 aead(k.data());
    std::string aad = header_aad(file);
    aead.seal_in_place(nonce.data(), plain, aad);
    file["secret"] = crypto::base64url(plain.data(), plain.size());
  }
  crypto::secure_zero(plain.data(), plain.size());
  return json::dump(file, true);
}

bool secret_is_encrypted(std::string_view text, const std::string& source) {
  auto v = json::parse(text, source, {.max_bytes = 64 * 1024, .max_depth = 4});
  const json::Value* kdf = json::find(v, "kdf");
  return !(kdf && kdf->is_object() && json::find(*kdf, "alg") && (*kdf)["alg"] == "none");
}

SecretKey decode_secret(std::string_view text, const std::string& source, const PassphraseFn& passphrase) {
  auto v = json::parse(text, source, {.max_bytes = 64 * 1024, .max_depth = 4});
  try {
    if (!v.is_object() || json::require_string(v, "type") != k_secret_tag)
      throw Error(Exit::data, "not an hc private key file").field("type");
    SecretKey key;
    key.pub = PublicKey::from_json(v, source);
    const json::Value& kdf = json::require(v, "kdf");
    auto alg = json::require_string(kdf, "alg", "kdf");
    auto secret_text = json::require_string(v, "secret");
    crypto::Bytes sealed;
    try {
      sealed = crypto::unbase64url(secret_text);
    } catch (Error& e) {
      throw Error(Exit::data, e.message()).field("secret");
    }
    crypto::SecretBytes plain;
    if (alg == "none") {
      plain.assign(sealed.begin(), sealed.end());
    } else if (alg == "argon2id") {
      crypto::Argon2Params p;
      auto num = [&](const char* name, uint32_t lo, uint32_t hi) {
        const json::Value& n = json::require(kdf, name, "kdf");
        if (!n.is_number_unsigned() || n.get<uint64_t>() < lo || n.get<uint64_t>() > hi)
          throw Error(Exit::data, fmt::format("must be an integer from {} to {}", lo, hi))
              .field(std::string("kdf.") + name);
        return static_cast<uint32_t>(n.get<uint64_t>());
      };
      // Bounds stop a crafted file from asking for terabytes or hours.
      p.memory_kib = num("memory_kib", 8, k_max_memory_kib);
      p.iterations = num("iterations", 1, k_max_iterations);
      p.parallelism = num("parallelism", 1, 16);
      auto salt = fixed<16>(kdf, "salt", source);
      auto nonce = fixed<12>(v, "nonce", source);
      if (json::require_string(v, "cipher") != "chacha20-poly1305")
        throw Error(Exit::data, "unsupported cipher").field("cipher");
      auto pass = passphrase();
      auto k = seal_key(pass, salt.data(), p);
      crypto::ChaCha20Poly1305 aead(k.data());
      std::string aad = header_aad(v);
      if (!aead.open(nonce.data(), crypto::as_chars(sealed.data(), sealed.size()), plain, aad))
        throw Error(Exit::perm, "wrong passphrase or damaged key file");
    } else {
      throw Error(Exit::data, fmt::format("unsupported key derivation \"{}\"", alg)).field("kdf.alg");
    }
    if (plain.size() != k_plain_size) throw Error(Exit::data, "secret has the wrong length").field("secret");
    key.ed25519_seed.assign(plain.begin(), plain.begin() + 32);
    key.x25519_secret.assign(plain.begin() + 32, plain.begin() + 64);
    key.pseudonym_root.assign(plain.begin() + 64, plain.end());
    // The clear public keys must belong to the secrets: a swapped public key
    // would make others encrypt to, or trust, a key this file cannot use.
    if (crypto::ed25519_public(key.ed25519_seed) != key.pub.ed25519 ||
        crypto::x25519_public(key.x25519_secret) != key.pub.x25519)
      throw Error(Exit::data, "public keys do not match the secret keys").field("ed25519");
    return key;
  } catch (Error& e) {
    if (e.file().empty()) e.file(source);
    throw;
  }
}

SecretKey load_secret(const std::string& path, const PassphraseFn& passphrase) {
  if (path != "-") {
    unsigned mode = io::file_mode(path);
    if (mode & 077)
      throw Error(Exit::perm, fmt::format("private key file is readable by others (mode {:04o})", mode))
          .file(path)
          .hint(fmt::format("run: chmod 600 {}", path));
  }
  return decode_secret(io::read_all(path, 64 * 1024), path, passphrase);
}

PublicKey load_public(const std::string& path) {
  auto v = json::parse(io::read_all(path, 64 * 1024), path, {.max_bytes = 64 * 1024, .max_depth = 4});
  return PublicKey::from_json(v, path);
}

std::string to_pem(const PublicKey& pk) {
  // RFC 8410 §4: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING key }.
  static const uint8_t k_prefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
  crypto::Bytes der(std::begin(k_prefix), std::end(k_prefix));
  der.insert(der.end(), pk.ed25519.begin(), pk.ed25519.end());
  return "-----BEGIN PUBLIC KEY-----\n" + crypto::base64(der.data(), der.size()) + "\n-----END PUBLIC KEY-----\n";
}

json::Value to_jwk(const PublicKey& pk) {
  return json::Value{{"kty", "OKP"},
                     {"crv", "Ed25519"},
                     {"x", crypto::base64url(pk.ed25519.data(), pk.ed25519.size())},
                     {"kid", pk.key_id},
                     {"alg", "EdDSA"},
                     {"use", "sig"}};
}

std::string now_rfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace hc::keys

namespace hc::keys {

void write_key_pair(const std::string& prefix, const SecretKey& key, const crypto::SecretString* passphrase,
                    const SealOptions& options) {
  std::string key_path = prefix + ".key", pub_path = prefix + ".pub";
  for (const auto& p : {key_path, pub_path})
    if (io::exists(p)) throw Error(Exit::cant_create, "file exists").file(p).hint("key files are never overwritten");
  std::string secret_text = encode_secret(key, passphrase, options);
  io::AtomicFile secret_file(key_path, 0600, io::Overwrite::refuse);
  secret_file.write(secret_text);
  crypto::secure_zero(secret_text.data(), secret_text.size());
  io::AtomicFile public_file(pub_path, 0644, io::Overwrite::refuse);
  public_file.write(json::dump(key.pub.to_json(), true));
  secret_file.commit();
  try {
    public_file.commit();
  } catch (...) {
    ::unlink(key_path.c_str());  // the secret was only just created by us
    throw;
  }
}

void change_passphrase(const std::string& path, const PassphraseFn& old_passphrase,
                       const crypto::SecretString* new_passphrase, const SealOptions& options) {
  SecretKey key = load_secret(path, old_passphrase);
  std::string text = encode_secret(key, new_passphrase, options);
  io::AtomicFile f(path, 0600, io::Overwrite::replace);
  f.write(text);
  crypto::secure_zero(text.data(), text.size());
  f.commit();
}

}  // namespace hc::keys

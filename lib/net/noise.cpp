// Noise_XX_25519_ChaChaPoly_SHA256 (Noise revision 34, §5 and §7.5). Every
// primitive comes from lib/crypto; this file is only the specification's
// composition of them.
#include <hc/net/noise.h>

#include <hc/core/error.h>

#include <cstring>

namespace hc::net {
namespace {

constexpr size_t k_dhlen = 32, k_hashlen = 32;

std::string_view sv(const uint8_t* p, size_t n) { return crypto::as_chars(p, n); }
std::string_view sv(const Bytes& b) { return sv(b.data(), b.size()); }
template <size_t N>
std::string_view sv(const std::array<uint8_t, N>& a) { return sv(a.data(), N); }

[[noreturn]] void fail(const std::string& what) { throw Error(Exit::invalid, "Noise handshake: " + what); }

}  // namespace

void noise_hkdf2(const Hash256& chaining_key, const uint8_t* ikm, size_t ikm_len, Hash256& out1, Hash256& out2) {
  // §4.3: temp_key = HMAC(ck, ikm); out1 = HMAC(temp_key, 0x01);
  // out2 = HMAC(temp_key, out1 || 0x02).
  Hash256 temp = crypto::hmac_sha256(chaining_key.data(), chaining_key.size(), sv(ikm, ikm_len));
  const uint8_t one = 0x01;
  out1 = crypto::hmac_sha256(temp.data(), temp.size(), sv(&one, 1));
  uint8_t buf[k_hashlen + 1];
  std::memcpy(buf, out1.data(), k_hashlen);
  buf[k_hashlen] = 0x02;
  out2 = crypto::hmac_sha256(temp.data(), temp.size(), sv(buf, sizeof buf));
  crypto::secure_zero(temp.data(), temp.size());
  crypto::secure_zero(buf, sizeof buf);
}

// ---- §5.1 CipherState -------------------------------------------------------

void CipherState::initialize_key(const uint8_t* key32) {
  m_aead = std::make_unique<crypto::ChaCha20Poly1305>(key32);
  m_n = 0;
}

void CipherState::next_nonce(uint8_t out[12]) {
  // 2^64-1 is reserved (§5.1); reaching it ends the session.
  if (m_n == UINT64_MAX) throw Error(Exit::invalid, "Noise nonce exhausted: the link must be re-established");
  // §12.3 ChaChaPoly: 32 bits of zeros, then the nonce little-endian.
  std::memset(out, 0, 4);
  for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<uint8_t>(m_n >> (8 * i));
  ++m_n;
}

Bytes CipherState::encrypt_with_ad(std::string_view ad, std::string_view plaintext) {
  if (!m_aead) return Bytes(crypto::as_bytes(plaintext), crypto::as_bytes(plaintext) + plaintext.size());
  uint8_t nonce[12];
  next_nonce(nonce);
  return m_aead->seal(nonce, plaintext, ad);
}

Bytes CipherState::decrypt_with_ad(std::string_view ad, std::string_view ciphertext) {
  if (!m_aead) return Bytes(crypto::as_bytes(ciphertext), crypto::as_bytes(ciphertext) + ciphertext.size());
  if (m_n == UINT64_MAX) throw Error(Exit::invalid, "Noise nonce exhausted: the link must be re-established");
  uint8_t nonce[12];
  std::memset(nonce, 0, 4);
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(m_n >> (8 * i));
  Bytes buf(crypto::as_bytes(ciphertext), crypto::as_bytes(ciphertext) + ciphertext.size());
  // §5.1: the nonce advances only when decryption succeeds.
  if (!m_aead->open_in_place(nonce, buf, ad)) throw Error(Exit::invalid, "Noise message failed authentication");
  ++m_n;
  return buf;
}

void CipherState::encrypt_in_place(Bytes& buf) {
  if (!m_aead) throw Error(Exit::internal, "Noise transport cipher has no key");
  uint8_t nonce[12];
  next_nonce(nonce);
  m_aead->seal_in_place(nonce, buf);
}

bool CipherState::decrypt_in_place(Bytes& buf) {
  if (!m_aead) throw Error(Exit::internal, "Noise transport cipher has no key");
  if (m_n == UINT64_MAX) return false;
  uint8_t nonce[12];
  std::memset(nonce, 0, 4);
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(m_n >> (8 * i));
  if (!m_aead->open_in_place(nonce, buf)) return false;
  ++m_n;
  return true;
}

// ---- §5.2 SymmetricState and §5.3 HandshakeState ----------------------------

HandshakeXX::HandshakeXX(bool initiator, const SecretBytes& static_secret, std::string_view prologue,
                         std::optional<SecretBytes> ephemeral)
    : m_initiator(initiator), m_s(static_secret) {
  if (m_s.size() != 32) throw Error(Exit::internal, "Noise static key must be 32 bytes");
  m_s_pub = crypto::x25519_public(m_s);
  // InitializeSymmetric: the protocol name is exactly HASHLEN bytes, so h = name.
  static_assert(k_noise_protocol.size() == k_hashlen);
  std::memcpy(m_h.data(), k_noise_protocol.data(), k_hashlen);
  m_ck = m_h;
  mix_hash(prologue);
  // XX has no pre-messages. The ephemeral key is generated now so that a
  // test can fix it; GenerateKeypair() would make the same draw later.
  if (ephemeral) {
    if (ephemeral->size() != 32) throw Error(Exit::internal, "Noise ephemeral key must be 32 bytes");
    m_e = std::move(*ephemeral);
  } else {
    m_e.resize(32);
    crypto::random_bytes(m_e.data(), m_e.size());
  }
  m_e_pub = crypto::x25519_public(m_e);
}

bool HandshakeXX::my_turn() const {
  if (complete()) return false;
  return (m_step % 2 == 0) == m_initiator;
}

void HandshakeXX::mix_hash(std::string_view data) {
  crypto::Sha256 hash;
  m_h = hash.update(m_h.data(), m_h.size()).update(data).final();
}

void HandshakeXX::mix_key(const SecretBytes& ikm) {
  Hash256 temp_k;
  noise_hkdf2(m_ck, ikm.data(), ikm.size(), m_ck, temp_k);
  m_cs.initialize_key(temp_k.data());  // HASHLEN == 32: no truncation
  crypto::secure_zero(temp_k.data(), temp_k.size());
}

Bytes HandshakeXX::encrypt_and_hash(std::string_view plaintext) {
  Bytes c = m_cs.encrypt_with_ad(sv(m_h), plaintext);
  mix_hash(sv(c));
  return c;
}

Bytes HandshakeXX::decrypt_and_hash(std::string_view ciphertext) {
  Bytes p = m_cs.decrypt_with_ad(sv(m_h), ciphertext);
  mix_hash(ciphertext);
  return p;
}

SecretBytes HandshakeXX::dh(const SecretBytes& secret, const X25519Public& pub) {
  // lib/crypto refuses an all-zero result (a low-order point) with Error{invalid}.
  try {
    return crypto::x25519(secret, pub.data());
  } catch (const Error& e) {
    fail(e.message());
  }
}

Bytes HandshakeXX::write_message(std::string_view payload) {
  if (!my_turn()) throw Error(Exit::internal, "Noise handshake: not this side's turn to write");
  Bytes out;
  auto append = [&out](const auto& b) { out.insert(out.end(), b.begin(), b.end()); };
  switch (m_step) {
    case 0:  // -> e
      append(m_e_pub);
      mix_hash(sv(m_e_pub));
      break;
    case 1:  // <- e, ee, s, es
      append(m_e_pub);
      mix_hash(sv(m_e_pub));
      mix_key(dh(m_e, *m_re));
      append(encrypt_and_hash(sv(m_s_pub)));
      mix_key(dh(m_s, *m_re));  // es, responder side: DH(s, re)
      break;
    case 2:  // -> s, se
      append(encrypt_and_hash(sv(m_s_pub)));
      mix_key(dh(m_s, *m_re));  // se, initiator side: DH(s, re)
      break;
  }
  append(encrypt_and_hash(payload));
  if (out.size() > k_noise_max_message) throw Error(Exit::internal, "Noise handshake message over 65535 bytes");
  ++m_step;
  return out;
}

Bytes HandshakeXX::read_message(std::string_view message) {
  if (complete() || my_turn()) fail("unexpected message");
  if (message.size() > k_noise_max_message) fail("message over 65535 bytes");
  size_t pos = 0;
  auto take = [&](size_t n) {
    if (message.size() - pos < n) fail("message too short");
    auto part = message.substr(pos, n);
    pos += n;
    return part;
  };
  auto read_e = [&] {
    X25519Public re;
    auto part = take(k_dhlen);
    std::memcpy(re.data(), part.data(), k_dhlen);
    m_re = re;
    mix_hash(part);
  };
  auto read_s = [&] {
    // With a key, s is encrypted: DHLEN + 16 bytes.
    Bytes s = decrypt_and_hash(take(k_dhlen + (m_cs.has_key() ? k_noise_tag : 0)));
    X25519Public rs;
    std::memcpy(rs.data(), s.data(), k_dhlen);
    m_rs = rs;
  };
  switch (m_step) {
    case 0:  // -> e (responder reads)
      read_e();
      break;
    case 1:  // <- e, ee, s, es (initiator reads)
      read_e();
      mix_key(dh(m_e, *m_re));
      read_s();
      mix_key(dh(m_e, *m_rs));  // es, initiator side: DH(e, rs)
      break;
    case 2:  // -> s, se (responder reads)
      read_s();
      mix_key(dh(m_e, *m_rs));  // se, responder side: DH(e, rs)
      break;
  }
  std::string_view rest = message.substr(pos);
  if (m_cs.has_key() && rest.size() < k_noise_tag) fail("message too short");
  Bytes payload = decrypt_and_hash(rest);
  ++m_step;
  return payload;
}

Transport HandshakeXX::split() {
  if (!complete()) throw Error(Exit::internal, "Noise handshake: split before the handshake is complete");
  Hash256 k1, k2;
  noise_hkdf2(m_ck, nullptr, 0, k1, k2);
  Transport t;
  // c1 carries initiator → responder, c2 responder → initiator.
  t.send.initialize_key(m_initiator ? k1.data() : k2.data());
  t.recv.initialize_key(m_initiator ? k2.data() : k1.data());
  crypto::secure_zero(k1.data(), k1.size());
  crypto::secure_zero(k2.data(), k2.size());
  crypto::secure_zero(m_ck.data(), m_ck.size());
  t.handshake_hash = m_h;
  t.remote_static = *m_rs;
  return t;
}

}  // namespace hc::net

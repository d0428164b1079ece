// Botan's AEAD_Mode::process() works in place on whole 64-byte blocks; the
// tail and the tag go through finish() on a small buffer.
#include <hc/crypto/aead_inplace.h>

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>

#include <botan/aead.h>

#include <cstring>

namespace hc::crypto {

struct ChaCha20Poly1305InPlace::Impl {
  std::unique_ptr<Botan::AEAD_Mode> enc = Botan::AEAD_Mode::create_or_throw("ChaCha20Poly1305", Botan::ENCRYPTION);
  std::unique_ptr<Botan::AEAD_Mode> dec = Botan::AEAD_Mode::create_or_throw("ChaCha20Poly1305", Botan::DECRYPTION);
  Botan::secure_vector<uint8_t> tail;
};

ChaCha20Poly1305InPlace::ChaCha20Poly1305InPlace(const uint8_t* key) : m_impl(std::make_unique<Impl>()) {
  m_impl->enc->set_key(key, k_key_size);
  m_impl->dec->set_key(key, k_key_size);
  m_impl->tail.reserve(256);
}

ChaCha20Poly1305InPlace::~ChaCha20Poly1305InPlace() = default;

void ChaCha20Poly1305InPlace::seal(const uint8_t* nonce, uint8_t* buf, size_t len, uint8_t* tag) {
  auto& m = *m_impl->enc;
  m.start(nonce, k_nonce_size);
  const size_t g = m.update_granularity();
  const size_t bulk = len - len % g;
  if (bulk > 0) m.process(buf, bulk);
  auto& tail = m_impl->tail;
  tail.assign(buf + bulk, buf + len);
  m.finish(tail);
  if (tail.size() != len - bulk + k_tag_size) throw Error(Exit::internal, "ChaCha20-Poly1305: unexpected output size");
  std::memcpy(buf + bulk, tail.data(), len - bulk);
  std::memcpy(tag, tail.data() + (len - bulk), k_tag_size);
}

bool ChaCha20Poly1305InPlace::open(const uint8_t* nonce, uint8_t* buf, size_t len, const uint8_t* tag) {
  auto& m = *m_impl->dec;
  m.start(nonce, k_nonce_size);
  const size_t g = m.update_granularity();
  const size_t bulk = len - len % g;
  if (bulk > 0) m.process(buf, bulk);
  auto& tail = m_impl->tail;
  tail.assign(buf + bulk, buf + len);
  tail.insert(tail.end(), tag, tag + k_tag_size);
  try {
    m.finish(tail);
  } catch (const Botan::Invalid_Authentication_Tag&) {
    m.reset();
    secure_zero(buf, len);
    secure_zero(tail.data(), tail.size());
    return false;
  }
  std::memcpy(buf + bulk, tail.data(), len - bulk);
  return true;
}

}  // namespace hc::crypto

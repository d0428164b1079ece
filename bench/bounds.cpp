// Bounds measured directly against Botan 2 and libsodium (not through hc).
#include "bounds.h"

#include "bench.h"

#include <botan/aead.h>
#include <botan/auto_rng.h>
#include <botan/ed25519.h>
#include <botan/hash.h>
#include <botan/pubkey.h>
#include <sodium.h>

#include <array>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace hc::bench {
namespace {

/// Runs `make_op()` per thread and sums the rates.
template <class MakeOp>
double parallel_rate(unsigned threads, MakeOp make_op) {
  std::vector<double> rates(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] { rates[t] = rate(make_op(), seconds()); });
  for (auto& th : pool) th.join();
  double sum = 0;
  for (double r : rates) sum += r;
  return sum;
}

}  // namespace

double botan_ed25519_verify_rate(unsigned threads) {
  return parallel_rate(threads, [] {
    auto rng = std::make_shared<Botan::AutoSeeded_RNG>();
    auto key = std::make_shared<Botan::Ed25519_PrivateKey>(*rng);
    std::vector<uint8_t> msg(200, 0x42);
    Botan::PK_Signer signer(*key, *rng, "Pure");
    auto sig = signer.sign_message(msg, *rng);
    return [key, msg, sig]() -> size_t {
      Botan::PK_Verifier v(*key, "Pure");  // fresh per check: see lib/crypto note
      return v.verify_message(msg, sig) ? 1 : 0;
    };
  });
}

std::function<size_t()> sodium_ed25519_verify_op(size_t message_bytes) {
  if (sodium_init() < 0) return [] { return size_t{0}; };
  auto pk = std::make_shared<std::array<uint8_t, 32>>();
  std::array<uint8_t, 64> sk{};
  crypto_sign_keypair(pk->data(), sk.data());
  auto msg = std::make_shared<std::vector<uint8_t>>(message_bytes, 0x42);
  auto sig = std::make_shared<std::array<uint8_t, 64>>();
  crypto_sign_detached(sig->data(), nullptr, msg->data(), msg->size(), sk.data());
  return [pk, msg, sig]() -> size_t {
    return crypto_sign_verify_detached(sig->data(), msg->data(), msg->size(), pk->data()) == 0 ? 1 : 0;
  };
}

std::function<size_t()> sodium_ed25519_sign_op(size_t message_bytes) {
  if (sodium_init() < 0) return [] { return size_t{0}; };
  auto sk = std::make_shared<std::array<uint8_t, 64>>();
  std::array<uint8_t, 32> pk{};
  crypto_sign_keypair(pk.data(), sk->data());
  auto msg = std::make_shared<std::vector<uint8_t>>(message_bytes, 0x42);
  return [sk, msg]() -> size_t {
    std::array<uint8_t, 64> sig;
    crypto_sign_detached(sig.data(), nullptr, msg->data(), msg->size(), sk->data());
    return 1;
  };
}

std::function<size_t()> sha256_op(size_t size) {
  std::shared_ptr<Botan::HashFunction> h = Botan::HashFunction::create_or_throw("SHA-256");
  auto msg = std::make_shared<std::vector<uint8_t>>(size, 0x61);
  auto out = std::make_shared<std::array<uint8_t, 32>>();
  return [h, msg, out]() -> size_t {
    h->update(*msg);
    h->final(out->data());
    return 1;
  };
}

double sodium_ed25519_verify_rate(unsigned threads, size_t message_bytes) {
  return parallel_rate(threads, [message_bytes] { return sodium_ed25519_verify_op(message_bytes); });
}

double sodium_ed25519_sign_rate(unsigned threads, size_t message_bytes) {
  return parallel_rate(threads, [message_bytes] { return sodium_ed25519_sign_op(message_bytes); });
}

double botan_ed25519_sign_rate() {
  Botan::AutoSeeded_RNG rng;
  Botan::Ed25519_PrivateKey key(rng);
  std::vector<uint8_t> msg(200, 0x42);
  Botan::PK_Signer signer(key, rng, "Pure");
  return rate([&]() -> size_t {
    signer.sign_message(msg, rng);
    return 1;
  }, seconds());
}

double sha256_rate(size_t size) { return rate(sha256_op(size), seconds()); }

double sha256_bytes_per_second(size_t size) { return sha256_rate(size) * static_cast<double>(size); }

double chacha20poly1305_bytes_per_second(size_t chunk) {
  auto enc = Botan::AEAD_Mode::create_or_throw("ChaCha20Poly1305", Botan::ENCRYPTION);
  std::vector<uint8_t> key(32, 7), nonce(12, 0);
  enc->set_key(key);
  Botan::secure_vector<uint8_t> buf(chunk, 0x61);
  return rate([&]() -> size_t {
    buf.resize(chunk);
    enc->start(nonce);
    enc->finish(buf);
    return 1;
  }, seconds()) * static_cast<double>(chunk);
}

double sodium_x25519_rate() {
  if (sodium_init() < 0) return 0;
  std::array<uint8_t, 32> sk{}, pk{}, out{};
  randombytes_buf(sk.data(), sk.size());
  crypto_scalarmult_base(pk.data(), sk.data());
  return rate(
      [&]() -> size_t {
        int rc = crypto_scalarmult(out.data(), sk.data(), pk.data());
        sk[0] ^= out[0];  // (constant time: the inputs do not change the cost)
        return rc == 0 ? 1 : 0;
      },
      seconds());
}

}  // namespace hc::bench

// Reference rates measured with the primitives' own libraries in the same
// run: the bounds that hc's figures are judged against.
#pragma once

#include <cstddef>
#include <functional>

namespace hc::bench {

/// One operation of a bound, for rate() or paired(): each returns 1. They
/// own their keys and messages (made when the operation is made).
/// A libsodium Ed25519 signature of a `message_bytes`-byte message.
std::function<size_t()> sodium_ed25519_sign_op(size_t message_bytes);
/// A libsodium Ed25519 verification of a `message_bytes`-byte message.
std::function<size_t()> sodium_ed25519_verify_op(size_t message_bytes);
/// A Botan SHA-256 of a `size`-byte message.
std::function<size_t()> sha256_op(size_t size);

/// Ed25519 verifications per second with Botan 2 on `threads` threads.
double botan_ed25519_verify_rate(unsigned threads = 1);
/// Ed25519 verifications per second with libsodium on `threads` threads, of
/// `message_bytes`-byte messages (Ed25519 hashes the message with SHA-512, so
/// a bound for a format's real messages is measured at their real size).
double sodium_ed25519_verify_rate(unsigned threads = 1, size_t message_bytes = 200);
/// Ed25519 signatures per second (libsodium, the library hc signs with), of
/// `message_bytes`-byte messages (signing hashes the message twice).
double sodium_ed25519_sign_rate(unsigned threads = 1, size_t message_bytes = 200);
/// Botan 2's Ed25519 signatures per second.
double botan_ed25519_sign_rate();
/// SHA-256 (Botan) throughput in bytes per second over messages of `size` bytes.
double sha256_bytes_per_second(size_t size);
/// SHA-256 (Botan) hashes per second of `size`-byte messages.
double sha256_rate(size_t size);
/// ChaCha20-Poly1305 (Botan) encryption throughput in bytes/s, `chunk`-byte messages.
double chacha20poly1305_bytes_per_second(size_t chunk);

/// X25519 scalar multiplications (crypto_scalarmult) per second, libsodium, one thread.
double sodium_x25519_rate();

}  // namespace hc::bench

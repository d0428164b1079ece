// hc-net links: Noise XX handshakes per second, and encrypted throughput
// (seal + frame + open + reassemble) in memory and over TCP on loopback,
// against the primitives they are built from, measured in the same run.
#include "bench.h"
#include "bounds.h"

#include <hc/crypto/crypto.h>
#include <hc/net/link.h>
#include <hc/net/network.h>

#include <string>

namespace {

using namespace hc;
using namespace hc::net;

Identity ident(uint8_t tag) {
  Identity id;
  id.x25519_secret = crypto::SecretBytes(32, tag);
  id.info.x25519 = crypto::x25519_public(id.x25519_secret);
  id.info.key_id = "m" + std::to_string(tag);
  return id;
}

void pump(Link& a, Link& b) {
  while (a.out_size() || b.out_size()) {
    if (a.out_size()) {
      b.receive(a.out_data(), a.out_size());
      a.out_consumed(a.out_size());
    }
    if (b.out_size()) {
      a.receive(b.out_data(), b.out_size());
      b.out_consumed(b.out_size());
    }
  }
}

struct Pair {
  Identity a = ident(1), b = ident(2);
  AllowedPeers allowed;
  Limits limits;
  Pair() {
    allowed.add(a.info);
    allowed.add(b.info);
    limits.max_outbox = 64u << 20;
  }
};

/// X25519 scalar multiplications per second (Botan, through lib/crypto).
double x25519_rate() {
  crypto::SecretBytes s(32, 9);
  auto peer = crypto::x25519_public(crypto::SecretBytes(32, 5));
  return bench::rate([&]() -> size_t { return crypto::x25519(s, peer.data()).size() == 32; }, bench::seconds());
}

}  // namespace

HC_BENCHMARK("net/handshake") {
  Pair p;
  double hs = bench::rate([&]() -> size_t {
    Link a(true, p.a, p.allowed, "bench", p.limits);
    Link b(false, p.b, p.allowed, "bench", p.limits);
    pump(a, b);
    return a.established() && b.established();
  }, bench::seconds());
  // Each side does five X25519 scalar multiplications: its static and
  // ephemeral public keys, and ee, es, se.
  bench::report("net/handshake (Noise XX, both sides, in memory)", hs, "handshakes/s",
                "X25519 rate / 10", x25519_rate() / 10, 0.8);
}

HC_BENCHMARK("net/throughput") {
  Pair p;
  Link a(true, p.a, p.allowed, "bench", p.limits);
  Link b(false, p.b, p.allowed, "bench", p.limits);
  pump(a, b);
  for (size_t size : {size_t(1024), size_t(65517)}) {
    std::string msg(size, 'x');
    double per_s = bench::rate([&]() -> size_t {
      a.send(msg);
      b.receive(a.out_data(), a.out_size());
      a.out_consumed(a.out_size());
      return b.next_message().has_value();
    }, bench::seconds());
    // Both directions of the AEAD run (seal on one side, open on the other).
    bench::report("net/throughput in memory (" + std::to_string(size) + "-byte messages)", per_s * size / 1e6,
                  "MB/s", "ChaCha20-Poly1305 seal / 2",
                  bench::chacha20poly1305_bytes_per_second(size + 1) / 2 / 1e6, 0.7);
  }
}

HC_BENCHMARK("net/tcp") {
  Identity ia = ident(1), ib = ident(2);
  AllowedPeers allowed;
  allowed.add(ia.info);
  allowed.add(ib.info);
  Limits limits;
  limits.max_outbox = 64u << 20;
  Network a(ia, allowed, {limits, "bench"}), b(ib, allowed, {limits, "bench"});
  uint16_t port = b.listen("127.0.0.1", 0);
  size_t got = 0;
  b.on_message = [&](const PeerInfo&, Bytes m) { got += m.size(); };
  a.connect("127.0.0.1", port);
  while (!a.connected(ib.info.x25519) || !b.connected(ia.info.x25519)) {
    a.run_once(5);
    b.run_once(5);
  }
  std::string msg(256 * 1024, 'y');
  double per_s = bench::rate([&]() -> size_t {
    size_t before = got;
    a.send(ib.info.x25519, msg);
    while (got < before + msg.size()) {
      a.run_once(0);
      b.run_once(0);
    }
    return 1;
  }, bench::seconds());
  bench::report("net/throughput TCP loopback, one thread (256 KiB messages)", per_s * msg.size() / 1e6, "MB/s",
                "ChaCha20-Poly1305 seal / 2", bench::chacha20poly1305_bytes_per_second(65517) / 2 / 1e6, 0.5);
}

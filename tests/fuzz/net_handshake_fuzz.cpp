// Fuzzes the Noise XX handshake and the transport path of hc-net links.
// Mode 0: the input is the raw byte stream a responder receives from an
// unknown dialler. Mode 1: two members handshake and exchange messages while
// the input corrupts, truncates, splits or injects bytes in transit. Oracle:
// nothing but hc::Error escapes, and no message that was not sent is ever
// delivered (authentication holds).
#include <hc/core/error.h>
#include <hc/net/link.h>

#include <cstdlib>
#include <set>
#include <string>

using namespace hc;
using namespace hc::net;

namespace {

SecretBytes fixed(uint8_t tag) { return SecretBytes(32, tag); }

Identity ident(uint8_t tag) {
  Identity id;
  id.x25519_secret = fixed(tag);
  id.info.x25519 = crypto::x25519_public(id.x25519_secret);
  id.info.key_id = "member" + std::to_string(tag);
  return id;
}

struct World {
  Identity a = ident(1), b = ident(2);
  AllowedPeers allowed;
  Limits limits;
  World() {
    allowed.add(a.info);
    allowed.add(b.info);
    limits.max_message = 200'000;
    limits.max_outbox = 1 << 20;
  }
};

World& world() {
  static World w;
  return w;
}

struct Input {
  const uint8_t* p;
  size_t n;
  uint8_t byte() {
    if (!n) return 0;
    --n;
    return *p++;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  World& w = world();
  Input in{data + 1, size - 1};
  if (data[0] % 2 == 0) {
    Link r(false, w.b, w.allowed, "fuzz", w.limits, std::nullopt, fixed(3));
    try {
      r.receive(in.p, in.n);
    } catch (const Error&) {
    }
    if (r.established()) std::abort();  // cannot complete without a member's key
    return 0;
  }
  Link a(true, w.a, w.allowed, "fuzz", w.limits, std::nullopt, fixed(4));
  Link b(false, w.b, w.allowed, "fuzz", w.limits, std::nullopt, fixed(5));
  std::set<std::string> sent;
  try {
    for (int round = 0; round < 16 && in.n > 0; ++round) {
      uint8_t op = in.byte();
      if ((op & 0x10) && a.established()) {
        std::string m(size_t(in.byte()) * 263, char(op));
        if (a.send(m)) sent.insert(m);
      }
      if ((op & 0x20) && b.established()) {
        std::string m(size_t(in.byte()) * 13, char(op + 1));
        if (b.send(m)) sent.insert(m);
      }
      for (Link* from : {&a, &b}) {
        Link* to = from == &a ? &b : &a;
        std::string wire(reinterpret_cast<const char*>(from->out_data()), from->out_size());
        from->out_consumed(from->out_size());
        switch (op & 0x3) {
          case 0: break;
          case 1:
            if (!wire.empty()) wire[in.byte() % wire.size()] ^= char(in.byte() | 1);
            break;
          case 2: wire.resize(wire.size() / 2); break;
          case 3: {
            size_t k = in.byte() % 64;
            for (size_t i = 0; i < k; ++i) wire.push_back(char(in.byte()));
            break;
          }
        }
        // Deliver in up to two pieces.
        size_t cut = wire.empty() ? 0 : in.byte() % (wire.size() + 1);
        to->receive(reinterpret_cast<const uint8_t*>(wire.data()), cut);
        to->receive(reinterpret_cast<const uint8_t*>(wire.data()) + cut, wire.size() - cut);
        while (auto m = to->next_message()) {
          if (!sent.count(std::string(m->begin(), m->end()))) std::abort();  // forged or corrupted
        }
      }
    }
  } catch (const Error&) {
  }
  if (a.established() && b.established() && a.handshake_hash() != b.handshake_hash()) std::abort();
  return 0;
}

#include <hc/consensus/evidence.h>

#include <hc/core/error.h>

namespace hc::consensus {

DoubleSign make_evidence(const Vote& x, const Vote& y, std::string_view chain_id) {
  if (x.sign_bytes(chain_id) < y.sign_bytes(chain_id)) return {x, y};
  return {y, x};
}

void check(const DoubleSign& ev, std::string_view chain_id) {
  if (!ev.a.same_slot(ev.b)) throw Error(Exit::invalid, "evidence: the two messages are not for one validator, height, round and step");
  if (ev.a.value == ev.b.value) throw Error(Exit::invalid, "evidence: the two messages sign the same value");
  if (!(ev.a.sign_bytes(chain_id) < ev.b.sign_bytes(chain_id)))
    throw Error(Exit::invalid, "evidence: messages not in canonical order");
  if (!ev.a.verify(chain_id) || !ev.b.verify(chain_id))
    throw Error(Exit::invalid, "evidence: a signature does not verify");
}

Bytes encode(const DoubleSign& ev) {
  Bytes out;
  for (const Vote* v : {&ev.a, &ev.b}) {
    Bytes e = encode(*v);
    for (int i = 3; i >= 0; --i) out.push_back(uint8_t(e.size() >> (8 * i)));
    out.insert(out.end(), e.begin(), e.end());
  }
  return out;
}

DoubleSign decode_evidence(const uint8_t* data, size_t n) {
  Vote parts[2];
  for (auto& part : parts) {
    if (n < 4) throw Error(Exit::data, "evidence truncated");
    size_t len = (size_t(data[0]) << 24) | (size_t(data[1]) << 16) | (size_t(data[2]) << 8) | data[3];
    data += 4;
    n -= 4;
    if (len > n || len > 256) throw Error(Exit::data, "evidence: bad message length");
    // Proposal headers carry no value bytes here: the signed header is enough.
    part = decode_header(data, len);
    data += len;
    n -= len;
  }
  if (n != 0) throw Error(Exit::data, "evidence: trailing bytes");
  return {parts[0], parts[1]};
}

}  // namespace hc::consensus

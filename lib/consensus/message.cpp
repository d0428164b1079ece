#include <hc/consensus/message.h>

#include <hc/core/error.h>

#include <cstring>

namespace hc::consensus {
namespace {

void put_u16(std::string& o, uint16_t v) {
  o.push_back(char(v >> 8));
  o.push_back(char(v));
}
void put_u32(Bytes& o, uint32_t v) {
  for (int i = 3; i >= 0; --i) o.push_back(uint8_t(v >> (8 * i)));
}
void put_u64(Bytes& o, uint64_t v) {
  for (int i = 7; i >= 0; --i) o.push_back(uint8_t(v >> (8 * i)));
}

/// The body without the signature (shared by signing and the wire form).
Bytes body(const Vote& v) {
  Bytes o;
  o.push_back(1);
  o.push_back(uint8_t(v.step));
  put_u64(o, v.height);
  put_u32(o, v.round);
  put_u32(o, uint32_t(v.valid_round));
  o.push_back(v.value ? 1 : 0);
  if (v.value) o.insert(o.end(), v.value->begin(), v.value->end());
  o.insert(o.end(), v.validator.begin(), v.validator.end());
  return o;
}

struct Reader {
  const uint8_t* p;
  size_t n;
  const uint8_t* take(size_t k) {
    if (n < k) throw Error(Exit::data, "consensus message truncated");
    auto r = p;
    p += k;
    n -= k;
    return r;
  }
  uint8_t u8() { return *take(1); }
  uint32_t u32() {
    auto q = take(4);
    return (uint32_t(q[0]) << 24) | (uint32_t(q[1]) << 16) | (uint32_t(q[2]) << 8) | q[3];
  }
  uint64_t u64() {
    uint64_t hi = u32();
    return (hi << 32) | u32();
  }
};

}  // namespace

const char* step_name(Step s) {
  switch (s) {
    case Step::propose: return "propose";
    case Step::prevote: return "prevote";
    case Step::precommit: return "precommit";
  }
  return "?";
}

std::string Vote::sign_bytes(std::string_view chain_id) const {
  if (chain_id.size() > 0xffff) throw Error(Exit::internal, "chain ID too long");
  std::string s = "hc-consensus/1";
  s.push_back('\0');
  put_u16(s, uint16_t(chain_id.size()));
  s.append(chain_id);
  Bytes b = body(*this);
  s.append(crypto::as_chars(b.data(), b.size()));
  return s;
}

bool Vote::verify(std::string_view chain_id) const {
  return crypto::ed25519_verify(validator, sign_bytes(chain_id), signature);
}

Bytes encode(const Vote& v) {
  Bytes o = body(v);
  o.insert(o.end(), v.signature.begin(), v.signature.end());
  return o;
}

Bytes encode(const Proposal& p) {
  if (p.value.data.size() > k_max_value) throw Error(Exit::data, "proposed value over the size limit");
  Bytes o = encode(p.header);
  put_u32(o, uint32_t(p.value.data.size()));
  o.insert(o.end(), p.value.data.begin(), p.value.data.end());
  return o;
}

namespace {

Vote read_header(Reader& r) {
  if (r.u8() != 1) throw Error(Exit::data, "consensus message: unknown version");
  Vote v;
  uint8_t step = r.u8();
  if (step > 2) throw Error(Exit::data, "consensus message: unknown step");
  v.step = Step(step);
  v.height = r.u64();
  v.round = r.u32();
  v.valid_round = int32_t(r.u32());
  uint8_t has = r.u8();
  if (has > 1) throw Error(Exit::data, "consensus message: bad value flag");
  if (has) {
    Hash h;
    std::memcpy(h.data(), r.take(32), 32);
    v.value = h;
  }
  std::memcpy(v.validator.data(), r.take(32), 32);
  std::memcpy(v.signature.data(), r.take(64), 64);
  if (v.step == Step::propose) {
    if (!v.value) throw Error(Exit::data, "consensus message: a proposal without a value");
    if (v.valid_round < -1 || (v.valid_round >= 0 && uint32_t(v.valid_round) >= v.round))
      throw Error(Exit::data, "consensus message: proposal valid_round must be -1 or below its round");
  } else if (v.valid_round != -1) {
    throw Error(Exit::data, "consensus message: a vote with a valid_round");
  }
  return v;
}

}  // namespace

Vote decode_header(const uint8_t* data, size_t n) {
  Reader r{data, n};
  Vote v = read_header(r);
  if (r.n != 0) throw Error(Exit::data, "consensus message: trailing bytes");
  return v;
}

Message decode(const uint8_t* data, size_t n) {
  Reader r{data, n};
  Vote v = read_header(r);
  Message m;
  if (v.step == Step::propose) {
    uint32_t len = r.u32();
    if (len > k_max_value) throw Error(Exit::data, "consensus message: proposed value over the size limit");
    auto p = r.take(len);
    m.proposal = Proposal{v, Value{*v.value, Bytes(p, p + len)}};
  } else {
    m.vote = v;
  }
  if (r.n != 0) throw Error(Exit::data, "consensus message: trailing bytes");
  return m;
}

}  // namespace hc::consensus

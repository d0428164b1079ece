#include <hc/node/wire.h>

#include <hc/core/error.h>

#include <set>

namespace hc::node {
namespace {

void put_u8(std::string& s, uint8_t v) { s.push_back(char(v)); }
void put_u32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s.push_back(char(uint8_t(v >> (8 * i))));
}
void put_u64(std::string& s, uint64_t v) {
  for (int i = 7; i >= 0; --i) s.push_back(char(uint8_t(v >> (8 * i))));
}

/// A bounds-checked reader over one message; every shortfall is Error{data}.
struct Reader {
  const uint8_t* p;
  size_t n, pos = 0;
  const char* what;
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(Exit::data, std::string(what) + ": " + why).field("offset " + std::to_string(pos));
  }
  void need(size_t k) const {
    if (n - pos < k) fail("truncated");
  }
  uint8_t u8() {
    need(1);
    return p[pos++];
  }
  uint32_t u32() {
    need(4);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | p[pos++];
    return v;
  }
  uint64_t u64() {
    need(8);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[pos++];
    return v;
  }
  Hash hash() {
    need(32);
    Hash h;
    std::copy(p + pos, p + pos + 32, h.begin());
    pos += 32;
    return h;
  }
  const uint8_t* take(size_t k) {
    need(k);
    const uint8_t* at = p + pos;
    pos += k;
    return at;
  }
  void end() const {
    if (pos != n) fail("trailing bytes");
  }
};

Reader body(const Bytes& m, MsgType t, const char* what) {
  if (m.empty() || m[0] != uint8_t(t)) throw Error(Exit::data, std::string(what) + ": wrong message type");
  return Reader{m.data() + 1, m.size() - 1, 0, what};
}

}  // namespace

std::string encode_consensus(const Bytes& cm) {
  std::string s;
  s.reserve(cm.size() + 1);
  put_u8(s, uint8_t(MsgType::consensus));
  s.append(reinterpret_cast<const char*>(cm.data()), cm.size());
  return s;
}

std::string encode_txs(const std::vector<std::string_view>& txs) {
  if (txs.size() > k_max_txs_per_msg) throw Error(Exit::internal, "too many transactions for one message");
  std::string s;
  put_u8(s, uint8_t(MsgType::txs));
  put_u32(s, uint32_t(txs.size()));
  for (auto t : txs) {
    put_u32(s, uint32_t(t.size()));
    s.append(t);
  }
  return s;
}

std::string encode_status(const Status& st) {
  std::string s;
  put_u8(s, uint8_t(MsgType::status));
  put_u64(s, st.next_height);
  s.append(reinterpret_cast<const char*>(st.head.data()), st.head.size());
  return s;
}

std::string encode_get_blocks(const GetBlocks& g) {
  std::string s;
  put_u8(s, uint8_t(MsgType::get_blocks));
  put_u64(s, g.from);
  put_u32(s, g.count);
  return s;
}

std::string encode_block(const BlockMsg& b) {
  std::string s;
  s.reserve(5 + b.certificate.size() + b.block.size());
  put_u8(s, uint8_t(MsgType::block));
  put_u32(s, uint32_t(b.certificate.size()));
  s.append(reinterpret_cast<const char*>(b.certificate.data()), b.certificate.size());
  s.append(b.block);
  return s;
}

Bytes encode(const Certificate& c) {
  std::string s;
  put_u64(s, c.height);
  put_u32(s, c.round);
  s.append(reinterpret_cast<const char*>(c.block.data()), c.block.size());
  put_u32(s, uint32_t(c.precommits.size()));
  for (const auto& v : c.precommits) {
    Bytes e = consensus::encode(v);
    put_u32(s, uint32_t(e.size()));
    s.append(reinterpret_cast<const char*>(e.data()), e.size());
  }
  return Bytes(s.begin(), s.end());
}

MsgType message_type(const Bytes& m) {
  if (m.empty()) throw Error(Exit::data, "node message: empty");
  if (m[0] < 1 || m[0] > 5) throw Error(Exit::data, "node message: unknown type " + std::to_string(m[0]));
  return MsgType(m[0]);
}

std::vector<std::string_view> decode_txs(const Bytes& m) {
  Reader r = body(m, MsgType::txs, "txs message");
  uint32_t count = r.u32();
  if (count > k_max_txs_per_msg) r.fail("more than 10000 transactions");
  std::vector<std::string_view> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = r.u32();
    if (len == 0 || len > (64u << 10)) r.fail("transaction length out of range");
    out.emplace_back(reinterpret_cast<const char*>(r.take(len)), len);
  }
  r.end();
  return out;
}

Status decode_status(const Bytes& m) {
  Reader r = body(m, MsgType::status, "status message");
  Status s;
  s.next_height = r.u64();
  s.head = r.hash();
  r.end();
  if (s.next_height == 0) r.fail("next height 0");
  return s;
}

GetBlocks decode_get_blocks(const Bytes& m) {
  Reader r = body(m, MsgType::get_blocks, "get_blocks message");
  GetBlocks g;
  g.from = r.u64();
  g.count = r.u32();
  r.end();
  if (g.from == 0) r.fail("height 0 is the genesis block");
  if (g.count == 0 || g.count > k_max_blocks_per_request) r.fail("count out of range 1..64");
  return g;
}

BlockMsg decode_block(const Bytes& m) {
  Reader r = body(m, MsgType::block, "block message");
  uint32_t len = r.u32();
  if (len > k_max_cert_votes * 256 + 64) r.fail("certificate too long");
  BlockMsg b;
  const uint8_t* c = r.take(len);
  b.certificate.assign(c, c + len);
  size_t rest = r.n - r.pos;
  if (rest == 0) r.fail("no block");
  const uint8_t* bl = r.take(rest);
  b.block.assign(reinterpret_cast<const char*>(bl), rest);
  return b;
}

Certificate decode_certificate(const uint8_t* data, size_t n) {
  Reader r{data, n, 0, "commit certificate"};
  Certificate c;
  c.height = r.u64();
  c.round = r.u32();
  c.block = r.hash();
  uint32_t count = r.u32();
  if (count == 0 || count > k_max_cert_votes) r.fail("precommit count out of range 1..1024");
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = r.u32();
    if (len > 256) r.fail("precommit too long");
    const uint8_t* v = r.take(len);
    c.precommits.push_back(consensus::decode_header(v, len));
  }
  r.end();
  return c;
}

void check_certificate(const Certificate& c, const consensus::ValidatorSet& set, std::string_view chain_id,
                       uint64_t height, const Hash& hash) {
  auto bad = [&](const std::string& why) {
    return Error(Exit::invalid, "commit certificate for block " + std::to_string(height) + ": " + why);
  };
  if (c.height != height) throw bad("names height " + std::to_string(c.height));
  if (c.block != hash) throw bad("names another block");
  std::set<consensus::PublicKey> seen;
  uint64_t weight = 0;
  for (const auto& v : c.precommits) {
    if (v.step != consensus::Step::precommit) throw bad("holds a vote that is not a precommit");
    if (v.height != height || v.round != c.round) throw bad("holds a precommit of another height or round");
    if (!v.value || *v.value != hash) throw bad("holds a precommit for another value");
    uint64_t w = set.weight(v.validator);
    if (w == 0) throw bad("holds a precommit by a key that is not a validator of this height");
    if (!seen.insert(v.validator).second) throw bad("holds two precommits by one validator");
    if (!v.verify(chain_id)) throw bad("holds a precommit whose signature does not verify");
    weight += w;
  }
  if (!set.quorum(weight)) throw bad("precommits hold no more than 2/3 of the weight");
}

}  // namespace hc::node

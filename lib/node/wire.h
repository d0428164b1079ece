// hc-node's messages between peers (inside lib/net's encrypted links) and
// the commit certificate that makes a block final. Fixed-width big-endian
// binary, parsed strictly with every count and length bounded
// (hc-formats(5), NODE MESSAGES).
//
//   u8 type, then
//   1 consensus   a lib/consensus message (proposal or vote), verbatim
//   2 txs         u32 count (≤ 10000), count × (u32 length ≤ 64 KiB, canonical tx bytes)
//   3 status      u64 next height, 32-byte head hash
//   4 get_blocks  u64 first height, u32 count (1..64)
//   5 block       u32 certificate length, certificate, then the block's canonical line
//
// A commit certificate: u64 height, u32 round, 32-byte block hash, u32 count
// (≤ 1024), count × (u32 length, an encoded precommit).
#pragma once

#include <hc/consensus/message.h>
#include <hc/consensus/validators.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hc::node {

using consensus::Bytes;
using consensus::Hash;

enum class MsgType : uint8_t { consensus = 1, txs = 2, status = 3, get_blocks = 4, block = 5 };

inline constexpr size_t k_max_txs_per_msg = 10000;
inline constexpr uint32_t k_max_blocks_per_request = 64;
inline constexpr size_t k_max_cert_votes = 1024;

struct Status {
  uint64_t next_height = 0;
  Hash head{};
};

struct GetBlocks {
  uint64_t from = 0;
  uint32_t count = 0;
};

/// The > 2/3 precommits that made a block final.
struct Certificate {
  uint64_t height = 0;
  uint32_t round = 0;
  Hash block{};
  std::vector<consensus::Vote> precommits;
};

struct BlockMsg {
  Bytes certificate;  ///< encoded Certificate
  std::string block;  ///< the block's canonical JSON line
};

std::string encode_consensus(const Bytes& consensus_message);
std::string encode_txs(const std::vector<std::string_view>& txs);
std::string encode_status(const Status& s);
std::string encode_get_blocks(const GetBlocks& g);
std::string encode_block(const BlockMsg& b);
Bytes encode(const Certificate& c);

/// The message type, or Error{data} for an empty message or an unknown type.
MsgType message_type(const Bytes& m);
/// Strict decoders of the body (the bytes after the type); Error{data}.
std::vector<std::string_view> decode_txs(const Bytes& m);
Status decode_status(const Bytes& m);
GetBlocks decode_get_blocks(const Bytes& m);
BlockMsg decode_block(const Bytes& m);
Certificate decode_certificate(const uint8_t* data, size_t n);

/// Checks that `c` makes block `hash` final at `height` for `validators`:
/// precommits only, for this height, round and block, from distinct members
/// of the set, every signature valid for `chain_id`, and more than 2/3 of the
/// total weight. Throws Error{invalid} naming the reason.
void check_certificate(const Certificate& c, const consensus::ValidatorSet& validators, std::string_view chain_id,
                       uint64_t height, const Hash& hash);

}  // namespace hc::node

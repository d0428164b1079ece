// Consensus messages: a proposal or a vote, signed with the validator's
// Ed25519 key over bytes that name the chain, so a signature is never valid
// on another network. The wire form is fixed-width big-endian binary,
// parsed strictly (hc-formats(5), CONSENSUS MESSAGES).
#pragma once

#include <hc/crypto/crypto.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hc::consensus {

using crypto::Bytes;
using Hash = crypto::Hash256;
using PublicKey = crypto::Ed25519Public;
using Signature = crypto::Ed25519Signature;

/// The three steps of a Tendermint round, in order.
enum class Step : uint8_t { propose = 0, prevote = 1, precommit = 2 };
const char* step_name(Step s);

/// An abstract value: its ID (the block hash) and opaque bytes (the block).
struct Value {
  Hash id{};
  Bytes data;
  bool operator==(const Value&) const = default;
};

/// Largest value a proposal may carry.
constexpr size_t k_max_value = 8u << 20;

/// The signed part of a message: for step propose it is the proposal header
/// (value = the proposed value's ID, valid_round ≥ -1); for prevote and
/// precommit it is a vote (value absent = nil, valid_round = -1).
struct Vote {
  Step step = Step::prevote;
  uint64_t height = 0;
  uint32_t round = 0;
  std::optional<Hash> value;
  int32_t valid_round = -1;
  PublicKey validator{};
  Signature signature{};

  /// "hc-consensus/1" NUL, u16 chain ID length, chain ID, then the body
  /// without the signature.
  std::string sign_bytes(std::string_view chain_id) const;
  bool verify(std::string_view chain_id) const;
  /// Same position (validator, height, round, step).
  bool same_slot(const Vote& o) const {
    return validator == o.validator && height == o.height && round == o.round && step == o.step;
  }
};

struct Proposal {
  Vote header;  ///< step propose, value = value.id
  Value value;
};

/// A message on the wire: exactly one of a vote or a proposal.
struct Message {
  std::optional<Vote> vote;
  std::optional<Proposal> proposal;
};

/// Wire form: u8 version (1), u8 step, u64 height, u32 round, i32
/// valid_round, u8 has_value, [32 value ID], 32 validator, 64 signature,
/// and for a proposal u32 length + the value's bytes.
Bytes encode(const Vote& v);
Bytes encode(const Proposal& p);
/// Strict: unknown version or step, a nil proposal, a vote with a
/// valid_round, valid_round ≥ round, an oversized value or trailing bytes →
/// Error{data}. Signatures are not checked here.
Message decode(const uint8_t* data, size_t n);
/// The signed header alone (any step, no value bytes), as evidence carries it.
Vote decode_header(const uint8_t* data, size_t n);

}  // namespace hc::consensus

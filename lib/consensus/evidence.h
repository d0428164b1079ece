// Evidence of double signing: two messages signed by one validator for one
// (height, round, step) with different values (nil counts as a value). Any
// node can check it with the validator's public key and the chain ID alone.
#pragma once

#include <hc/consensus/message.h>

namespace hc::consensus {

struct DoubleSign {
  Vote a, b;  ///< ordered: a's sign bytes sort before b's (one canonical form)
};

/// Builds evidence from two conflicting messages, in canonical order.
DoubleSign make_evidence(const Vote& x, const Vote& y, std::string_view chain_id);

/// Throws Error{invalid} naming the reason unless the evidence holds: same
/// validator, height, round and step, different values, canonical order,
/// and both signatures valid for `chain_id`.
void check(const DoubleSign& ev, std::string_view chain_id);

/// Wire form: u32 length + encode(a), u32 length + encode(b).
Bytes encode(const DoubleSign& ev);
/// Strict (Error{data}); check() still has to be called.
DoubleSign decode_evidence(const uint8_t* data, size_t n);

}  // namespace hc::consensus

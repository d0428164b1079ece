// Offline checks of the proofs Ledger::prove_inclusion / prove_consistency
// print: no ledger needed, only the proof and something trusted (a block
// hash, or a block header, e.g. the head `hc-ledger stat` showed).
#pragma once

#include <hc/json/json.h>

#include <optional>
#include <string>

namespace hc::ledger {

struct Trust {
  std::optional<std::string> block_hash;  ///< hex hash of a trusted block
  std::optional<json::Value> header;      ///< a trusted header ({"header",...} or the header object)
};

/// Checks an inclusion or a consistency proof (told apart by their members)
/// against `trust`. Returns a JSON summary {"ok":true,"kind":...}; throws
/// Error{invalid} if the proof does not verify or is not anchored in the
/// trusted block, Error{data} if it is malformed, Error{usage} if `trust` is empty.
json::Value check_proof(const json::Value& proof, const Trust& trust);

}  // namespace hc::ledger

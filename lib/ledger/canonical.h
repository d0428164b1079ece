// A one-pass check that JSON text is already in RFC 8785 canonical form,
// without building a DOM or re-encoding: verify and import use it on stored
// and received transactions, which must be canonical byte for byte.
#pragma once

#include <string_view>

namespace hc::ledger {

/// For text that hc::json::parse accepts: true only if the text is exactly
/// hc::json::canonical(hc::json::parse(text)). It is conservative: false
/// also for some canonical texts it does not decide (non-ASCII or escaped
/// member names, numbers other than integers of magnitude below 2^53), for
/// which the caller re-encodes and compares. The json_canonical check of the
/// ledger_tx fuzz target holds it to that.
bool certainly_canonical(std::string_view text);

}  // namespace hc::ledger

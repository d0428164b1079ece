// Values that hc-share and hc-consent read from their command lines: times,
// parties and the ledger folder. No printing, no exits: Error{usage}.
#pragma once

#include <hc/keys/keys.h>

#include <cstdint>
#include <optional>
#include <string>

namespace hc::share {

/// A time: "now", RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ", or "+N" / "-N" with a
/// unit s, m, h or d, relative to `now`. Error{usage} naming `option`.
int64_t parse_when(const std::string& text, int64_t now, const std::string& option);

/// A key ID from a key file (NAME.pub or NAME.key) or 16 lowercase hex
/// digits; "*" too if `allow_any`. Error{usage}.
std::string party_id(const std::string& text, const std::string& option, bool allow_any = false);

/// A relationship name for SecretKey::pseudonym: 1-128 printable ASCII
/// characters. Error{usage}.
std::string check_context(const std::string& context);

}  // namespace hc::share

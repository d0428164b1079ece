// Options and steps that several tool mains share: unlocking a private key
// with its passphrase, printing one JSON value, and the ledger tools' folder
// and producer options. Behaviour, messages and exit codes are those each
// tool had on its own.
#pragma once

#include "common/cli.h"

#include <hc/json/json.h>
#include <hc/keys/keys.h>

#include <string>

namespace hc::tool {

/// The passphrase callback hc::keys calls only for an encrypted key: reads
/// it from `src` (--passphrase-file, HC_PASSPHRASE, /dev/tty), naming `what`.
keys::PassphraseFn passphrase_for(const std::string& what, const PassphraseSource& src = {});

/// Loads the private key file `path`, asking for its passphrase (from `src`) if it is encrypted.
keys::SecretKey unlock_key(const std::string& path, const PassphraseSource& src = {});

/// Writes `value` to stdout: one JSON line, or indented with `pretty`.
void print_json(const json::Value& value, bool pretty = false);

/// The options of the tools that read and append to the ledger.
struct LedgerOptions {
  std::string dir;       ///< -d, --dir (default: $HC_LEDGER)
  std::string producer;  ///< --producer: a delegate key that seals the block
};
/// The ledger folder: --dir, else $HC_LEDGER; Error{usage} if neither.
std::string ledger_dir(const LedgerOptions& options);
/// Adds -d,--dir DIR to `app`.
CLI::Option* add_ledger_dir(CLI::App& app, LedgerOptions& options);
/// Adds --producer KEY to a (sub)command, with its own description.
CLI::Option* add_producer(CLI::App& app, LedgerOptions& options, const std::string& description);

/// Adds --passphrase-file FILE (into src.file), with its own description.
CLI::Option* add_passphrase_file(CLI::App& app, PassphraseSource& src, const std::string& description);

}  // namespace hc::tool

// What every hc tool's main shares: the run wrapper that turns errors into
// messages and exit codes, --version, passphrase prompts, and diagnostics.
#pragma once

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace hc::tool {

/// Sets up a CLI11 app the hc way: --version, a footer naming the man page
/// and the exit codes.
void setup(CLI::App& app, const std::string& name);

/// Parses argv and runs `body`; returns the process exit code. Usage errors
/// print `NAME: error: ...` and a hint and return 2; hc::Error is printed as
/// `NAME: error: file:line: field "f": message` (plus `NAME: hint: ...`) and
/// returns its code; anything else is an internal error (70).
int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body);

/// Prints `NAME: warning: msg` on stderr (in colour on a terminal).
void warn(const std::string& message);
/// Prints `NAME: msg` on stderr unless --quiet was given.
void note(const std::string& message);
void set_quiet(bool quiet);

/// Where a passphrase comes from, in order: --passphrase-file, HC_PASSPHRASE,
/// then a no-echo prompt on /dev/tty. Throws Error{usage} if none is there.
struct PassphraseSource {
  std::string file;          ///< --passphrase-file
  bool allow_env = true;     ///< read HC_PASSPHRASE
  std::string env_name = "HC_PASSPHRASE";
};
/// Reads a passphrase for unlocking `what`.
crypto::SecretString read_passphrase(const PassphraseSource& src, const std::string& what);
/// Reads a new passphrase (asked twice on a terminal); refuses an empty one.
crypto::SecretString read_new_passphrase(const PassphraseSource& src, const std::string& what);

/// True if stderr is a terminal (for progress output).
bool stderr_is_tty();

}  // namespace hc::tool

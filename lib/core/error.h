// The one error type and exit-code table shared by every hc library and tool.
#pragma once

#include <cstdint>
#include <exception>
#include <string>

namespace hc {

/// Process exit codes, stated in hc(7): 0 ok, 1 checked and found invalid,
/// 2 usage, then the BSD sysexits codes. Scripts tell "tampered" (1) from
/// "typo" (2) and "unreadable" (65/66).
enum class Exit : int {
  ok = 0,
  invalid = 1,        ///< a signature, chain, proof or consent check failed
  usage = 2,          ///< bad command line
  data = 65,          ///< EX_DATAERR: malformed input
  no_input = 66,      ///< EX_NOINPUT: input missing or unreadable
  unavailable = 69,   ///< EX_UNAVAILABLE: a peer or service is not there
  internal = 70,      ///< EX_SOFTWARE: a bug in hc
  cant_create = 73,   ///< EX_CANTCREAT: output exists or cannot be created
  io = 74,            ///< EX_IOERR: read/write/network failure
  temp = 75,          ///< EX_TEMPFAIL: try again (e.g. ledger busy)
  perm = 77,          ///< EX_NOPERM: permission denied, wrong passphrase
  config = 78,        ///< EX_CONFIG: bad configuration file
};

/// Short name of an exit code ("invalid", "data", ...), used in JSON reports.
const char* exit_name(Exit code) noexcept;

/// Every failure in hc: what went wrong, where (file, line, field), and an
/// optional hint for people. Libraries throw it; tools catch it once in main
/// and exit with `code`. Nothing else escapes a library boundary.
class Error : public std::exception {
 public:
  Error(Exit code, std::string message) : m_code(code), m_message(std::move(message)) {}

  Error& file(std::string f) & { m_file = std::move(f); return *this; }
  Error&& file(std::string f) && { m_file = std::move(f); return std::move(*this); }
  Error& line(uint64_t l) & { m_line = l; return *this; }
  Error&& line(uint64_t l) && { m_line = l; return std::move(*this); }
  Error& field(std::string f) & { m_field = std::move(f); return *this; }
  Error&& field(std::string f) && { m_field = std::move(f); return std::move(*this); }
  Error& hint(std::string h) & { m_hint = std::move(h); return *this; }
  Error&& hint(std::string h) && { m_hint = std::move(h); return std::move(*this); }

  Exit code() const noexcept { return m_code; }
  const std::string& message() const noexcept { return m_message; }
  const std::string& file() const noexcept { return m_file; }
  uint64_t line() const noexcept { return m_line; }
  const std::string& field() const noexcept { return m_field; }
  const std::string& hint() const noexcept { return m_hint; }

  /// One line: `file:line: field "f": message` (parts that are unset are left out).
  std::string describe() const;
  const char* what() const noexcept override;

 private:
  Exit m_code;
  std::string m_message;
  std::string m_file;
  uint64_t m_line = 0;
  std::string m_field;
  std::string m_hint;
  mutable std::string m_what;
};

}  // namespace hc

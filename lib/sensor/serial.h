// Serial ports through termios (raw mode, exclusive open, saved settings
// restored on close) and pseudo-terminals for the simulator and the tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace hc::sensor {

struct SerialConfig {
  unsigned baud = 115200;
  int data_bits = 8;      ///< 5 to 8
  char parity = 'N';      ///< 'N', 'E' or 'O'
  int stop_bits = 1;      ///< 1 or 2
  enum class Flow { none, rtscts, xonxoff } flow = Flow::none;
};

/// Parses "none", "rtscts", "xonxoff". Throws Error{usage}.
SerialConfig::Flow parse_flow(const std::string& text);

/// An open input: a serial device or pty (configured raw, locked with
/// flock and TIOCEXCL, settings restored on close), or "-" (stdin), a
/// regular file or a FIFO (read as they are).
class SerialPort {
 public:
  /// Opens `path`. Throws Error{no_input} if it is missing or unreadable,
  /// Error{unavailable} if another process holds it, Error{usage} for a
  /// configuration the device refuses.
  SerialPort(const std::string& path, const SerialConfig& config);
  ~SerialPort();
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  int fd() const { return m_fd; }
  bool is_tty() const { return m_tty; }
  const std::string& path() const { return m_path; }
  /// Closes now, restoring the saved settings when the device is still there.
  void close();

 private:
  std::string m_path;
  int m_fd = -1;
  bool m_tty = false;
  bool m_owned = false;
  bool m_saved = false;
  unsigned char m_old[128] = {};  // struct termios, kept opaque here
};

/// A pseudo-terminal pair as the simulator's "device end": the master is
/// written by the simulator, the slave path is what a reader opens.
class Pty {
 public:
  /// Opens a new pty (posix_openpt), configures the slave raw at `baud`.
  explicit Pty(unsigned baud = 115200);
  ~Pty();
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;
  int master() const { return m_master; }
  const std::string& slave_path() const { return m_slave_path; }
  /// True while a reader has the slave end open (Linux reports POLLHUP on
  /// the master while no one does).
  bool reader_attached() const;
  /// Waits (at most `max_ms`) until a reader has taken every byte written:
  /// closing the master discards what the slave side has not read yet.
  void drain(int max_ms) const;
  /// Closes the master: readers see a hang-up, as when a device is unplugged.
  void close();

 private:
  int m_master = -1;
  std::string m_slave_path;
};

}  // namespace hc::sensor

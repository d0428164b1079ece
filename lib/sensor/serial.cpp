#include <hc/sensor/serial.h>

#include <hc/core/error.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

namespace hc::sensor {
namespace {

static_assert(sizeof(struct termios) <= 128);

speed_t speed_of(unsigned baud) {
  switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 500000: return B500000;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 2000000: return B2000000;
    default:
      throw Error(Exit::usage, fmt::format("unsupported baud rate {}", baud))
          .field("baud")
          .hint("use a standard rate: 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, ...");
  }
}

void make_raw(struct termios& t, const SerialConfig& c) {
  ::cfmakeraw(&t);
  t.c_cflag |= CLOCAL | CREAD;
  t.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
  switch (c.data_bits) {
    case 5: t.c_cflag |= CS5; break;
    case 6: t.c_cflag |= CS6; break;
    case 7: t.c_cflag |= CS7; break;
    default: t.c_cflag |= CS8; break;
  }
  if (c.parity == 'E') t.c_cflag |= PARENB;
  if (c.parity == 'O') t.c_cflag |= PARENB | PARODD;
  if (c.parity != 'N') t.c_iflag |= INPCK;
  if (c.stop_bits == 2) t.c_cflag |= CSTOPB;
  t.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  if (c.flow == SerialConfig::Flow::rtscts) t.c_cflag |= CRTSCTS;
  if (c.flow == SerialConfig::Flow::xonxoff) t.c_iflag |= IXON | IXOFF;
  // Reads are driven by poll(); read() returns what is there.
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 0;
  speed_t sp = speed_of(c.baud);
  ::cfsetispeed(&t, sp);
  ::cfsetospeed(&t, sp);
}

}  // namespace

SerialConfig::Flow parse_flow(const std::string& text) {
  if (text == "none") return SerialConfig::Flow::none;
  if (text == "rtscts") return SerialConfig::Flow::rtscts;
  if (text == "xonxoff") return SerialConfig::Flow::xonxoff;
  throw Error(Exit::usage, "flow control is none, rtscts or xonxoff").field("flow");
}

SerialPort::SerialPort(const std::string& path, const SerialConfig& config) : m_path(path) {
  if (config.data_bits < 5 || config.data_bits > 8 || (config.parity != 'N' && config.parity != 'E' &&
                                                       config.parity != 'O') ||
      (config.stop_bits != 1 && config.stop_bits != 2))
    throw Error(Exit::usage, "data bits 5-8, parity N/E/O, stop bits 1 or 2");
  speed_of(config.baud);  // validate even for files
  if (path == "-") {
    m_fd = 0;
    m_tty = false;
    return;
  }
  m_fd = ::open(path.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (m_fd < 0) {
    int e = errno;
    throw Error(e == EBUSY ? Exit::unavailable : Exit::no_input,
                fmt::format("cannot open {}: {}", path, std::strerror(e)))
        .file(path);
  }
  m_owned = true;
  m_tty = ::isatty(m_fd) == 1;
  if (!m_tty) return;
  // Exclusive: an advisory lock every well-behaved reader honours (also
  // for root), and TIOCEXCL so that further open()s fail with EBUSY.
  if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    ::close(m_fd);
    m_fd = -1;
    throw Error(Exit::unavailable, fmt::format("{} is in use by another process", path))
        .file(path)
        .hint(e == EWOULDBLOCK ? "stop the other reader first" : std::strerror(e));
  }
  ::ioctl(m_fd, TIOCEXCL);
  struct termios old {};
  if (::tcgetattr(m_fd, &old) != 0) {
    int e = errno;
    close();
    throw Error(Exit::no_input, fmt::format("cannot read the settings of {}: {}", path, std::strerror(e))).file(path);
  }
  std::memcpy(m_old, &old, sizeof old);
  m_saved = true;
  struct termios t = old;
  make_raw(t, config);
  if (::tcsetattr(m_fd, TCSANOW, &t) != 0) {
    int e = errno;
    close();
    throw Error(Exit::usage, fmt::format("cannot configure {}: {}", path, std::strerror(e))).file(path);
  }
}

SerialPort::~SerialPort() { close(); }

void SerialPort::close() {
  if (m_fd < 0) return;
  if (m_tty) {
    if (m_saved) {
      struct termios old {};
      std::memcpy(&old, m_old, sizeof old);
      ::tcsetattr(m_fd, TCSANOW, &old);  // fails harmlessly if the device is gone
    }
    ::ioctl(m_fd, TIOCNXCL);
    ::flock(m_fd, LOCK_UN);
  }
  if (m_owned) ::close(m_fd);
  m_fd = -1;
  m_saved = false;
}

Pty::Pty(unsigned baud) {
  m_master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m_master < 0 || ::grantpt(m_master) != 0 || ::unlockpt(m_master) != 0)
    throw Error(Exit::unavailable, fmt::format("cannot create a pseudo-terminal: {}", std::strerror(errno)));
  char name[128];
  if (::ptsname_r(m_master, name, sizeof name) != 0)
    throw Error(Exit::unavailable, "cannot name the pseudo-terminal");
  m_slave_path = name;
  // Configure the line discipline raw (as a board's port would be) through a
  // short-lived slave descriptor; readers set their own settings anyway.
  int s = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s >= 0) {
    struct termios t {};
    if (::tcgetattr(s, &t) == 0) {
      SerialConfig c;
      c.baud = baud;
      make_raw(t, c);
      ::tcsetattr(s, TCSANOW, &t);
    }
    ::close(s);
  }
}

Pty::~Pty() { close(); }

void Pty::close() {
  if (m_master >= 0) ::close(m_master);
  m_master = -1;
}

void Pty::drain(int max_ms) const {
  if (m_master < 0) return;
  int s = ::open(m_slave_path.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (s < 0) {  // TIOCEXCL refuses us (not root): wait a fixed time instead
    ::usleep(static_cast<useconds_t>(std::min(max_ms, 300)) * 1000);
    return;
  }
  // FIONREAD counts what waits in the reader's line discipline, not bytes
  // still in the tty layer's flip buffers (pushed by a kernel worker that
  // may lag on a loaded machine): so the queue must stay empty a while.
  int quiet_ms = 0;
  for (int waited = 0; waited < max_ms && quiet_ms < 250; waited += 5) {
    int queued = 0;
    if (::ioctl(s, FIONREAD, &queued) != 0) break;
    quiet_ms = queued == 0 ? quiet_ms + 5 : 0;
    ::usleep(5000);
  }
  ::close(s);
}

bool Pty::reader_attached() const {
  if (m_master < 0) return false;
  struct pollfd p {m_master, POLLOUT, 0};
  if (::poll(&p, 1, 0) < 0) return false;
  return (p.revents & POLLHUP) == 0;
}

}  // namespace hc::sensor

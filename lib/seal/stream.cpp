#include <hc/seal/stream.h>

#include <hc/core/error.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace hc::seal {

FileSource::FileSource(const std::string& path) {
  if (path.empty() || path == "-") {
    m_fd = 0;
    m_name = "<stdin>";
    return;
  }
  m_name = path;
  m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m_fd < 0) {
    int e = errno;
    throw Error(e == EACCES ? Exit::perm : Exit::no_input, fmt::format("cannot open: {}", std::strerror(e))).file(path);
  }
  m_owned = true;
}

FileSource::~FileSource() {
  if (m_owned) ::close(m_fd);
}

size_t FileSource::read(uint8_t* buf, size_t n) {
  for (;;) {
    ssize_t r = ::read(m_fd, buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    throw Error(Exit::io, fmt::format("cannot read: {}", std::strerror(errno))).file(m_name);
  }
}

size_t MemorySource::read(uint8_t* buf, size_t n) {
  n = std::min(n, m_data.size());
  if (n) std::memcpy(buf, m_data.data(), n);
  m_data.remove_prefix(n);
  return n;
}

void StdoutSink::write(const uint8_t* buf, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(1, buf, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw Error(Exit::io, fmt::format("cannot write to standard output: {}", std::strerror(errno)));
    }
    buf += w;
    n -= static_cast<size_t>(w);
  }
}

Reader::Reader(Source& src, size_t buffer) : m_src(src), m_buf(new uint8_t[buffer]), m_cap(buffer) {}

bool Reader::fill() {
  if (m_pos < m_len) return true;
  if (m_eof) return false;
  m_pos = 0;
  m_len = m_src.read(m_buf.get(), m_cap);
  if (m_len == 0) m_eof = true;
  return m_len > 0;
}

bool Reader::read_line(std::string& out, size_t max) {
  out.clear();
  for (;;) {
    if (!fill()) return false;
    const uint8_t* start = m_buf.get() + m_pos;
    size_t avail = m_len - m_pos;
    auto* nl = static_cast<const uint8_t*>(std::memchr(start, '\n', avail));
    size_t take = nl ? static_cast<size_t>(nl - start) : avail;
    if (out.size() + take > max)
      throw Error(Exit::data, fmt::format("line is longer than {} bytes", max)).file(name());
    out.append(reinterpret_cast<const char*>(start), take);
    m_pos += take;
    if (nl) {
      ++m_pos;
      return true;
    }
  }
}

size_t Reader::read_full(uint8_t* buf, size_t n) {
  size_t got = 0;
  // Buffered bytes first, then straight into the caller's buffer (no copy).
  if (m_pos < m_len) {
    size_t take = std::min(n, m_len - m_pos);
    std::memcpy(buf, m_buf.get() + m_pos, take);
    m_pos += take;
    got = take;
  }
  while (got < n && !m_eof) {
    size_t r = m_src.read(buf + got, n - got);
    if (r == 0) m_eof = true;
    got += r;
  }
  return got;
}

bool Reader::at_end() { return !fill(); }

bool Reader::starts_with(std::string_view prefix) {
  if (prefix.size() > m_cap) return false;
  // Gather at least prefix.size() bytes at the front of the buffer.
  if (m_pos > 0 && m_pos < m_len) std::memmove(m_buf.get(), m_buf.get() + m_pos, m_len - m_pos);
  m_len = m_pos < m_len ? m_len - m_pos : 0;
  m_pos = 0;
  while (m_len < prefix.size() && !m_eof) {
    size_t r = m_src.read(m_buf.get() + m_len, m_cap - m_len);
    if (r == 0) m_eof = true;
    m_len += r;
  }
  return m_len >= prefix.size() && std::memcmp(m_buf.get(), prefix.data(), prefix.size()) == 0;
}

}  // namespace hc::seal

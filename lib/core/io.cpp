// Bounded reads and atomic writes (temp file, fsync, rename, fsync folder).
#include <hc/core/io.h>

#include <hc/core/error.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace hc::io {
namespace {

std::string display_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

Error errno_error(Exit code, const std::string& what, const std::string& path) {
  return Error(code, fmt::format("{}: {}", what, std::strerror(errno))).file(path);
}

Exit open_error_code(int err) {
  if (err == EACCES || err == EPERM) return Exit::perm;
  return Exit::no_input;
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: some filesystems refuse to open folders
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string read_all(const std::string& path, size_t max_bytes) {
  int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    throw errno_error(open_error_code(err), "cannot open", path);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto e = errno_error(errno == EISDIR ? Exit::no_input : Exit::io, "cannot read", display_name(path));
      if (fd != 0) ::close(fd);
      throw e;
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      if (fd != 0) ::close(fd);
      throw Error(Exit::data, fmt::format("input is larger than the limit of {} bytes", max_bytes))
          .file(display_name(path));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  if (fd != 0) ::close(fd);
  return out;
}

LineReader::LineReader(const std::string& path, size_t max_line)
    : m_name(display_name(path)), m_max(max_line) {
  if (path == "-") {
    m_file = stdin;
  } else {
    m_file = std::fopen(path.c_str(), "rbe");
    if (!m_file) throw errno_error(open_error_code(errno), "cannot open", path);
    m_owned = true;
  }
}

LineReader::~LineReader() {
  if (m_owned && m_file) std::fclose(m_file);
}

bool LineReader::next(std::string& out) {
  out.clear();
  bool any = false;
  for (;;) {
    int c = std::getc(m_file);
    if (c == EOF) {
      if (std::ferror(m_file)) throw Error(Exit::io, "read error").file(m_name).line(m_line + 1);
      if (!any) return false;
      break;
    }
    any = true;
    if (c == '\n') break;
    if (out.size() >= m_max)
      throw Error(Exit::data, fmt::format("line is longer than the limit of {} bytes", m_max))
          .file(m_name)
          .line(m_line + 1);
    out.push_back(static_cast<char>(c));
  }
  if (!out.empty() && out.back() == '\r') out.pop_back();
  ++m_line;
  return true;
}

AtomicFile::AtomicFile(std::string path, unsigned mode, Overwrite overwrite)
    : m_path(std::move(path)), m_overwrite(overwrite) {
  if (m_overwrite == Overwrite::refuse && exists(m_path))
    throw Error(Exit::cant_create, "file exists").file(m_path).hint("use --force to replace it");
  std::random_device rd;
  for (int attempt = 0; attempt < 16 && m_fd < 0; ++attempt) {
    m_temp = fmt::format("{}/.{}.tmp-{:08x}", dir_of(m_path),
                         m_path.substr(m_path.rfind('/') == std::string::npos ? 0 : m_path.rfind('/') + 1),
                         rd());
    m_fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (m_fd < 0 && errno != EEXIST) break;
  }
  if (m_fd < 0) throw errno_error(errno == EACCES ? Exit::perm : Exit::cant_create, "cannot create", m_path);
  ::fchmod(m_fd, mode);  // the umask must not widen nor narrow what was asked for
}

AtomicFile::~AtomicFile() {
  if (m_fd >= 0) ::close(m_fd);
  if (!m_committed && !m_temp.empty()) ::unlink(m_temp.c_str());
}

void AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(m_fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw errno_error(Exit::io, "cannot write", m_path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void AtomicFile::commit() {
  if (::fsync(m_fd) != 0) throw errno_error(Exit::io, "cannot sync", m_path);
  if (::close(m_fd) != 0) {
    m_fd = -1;
    throw errno_error(Exit::io, "cannot close", m_path);
  }
  m_fd = -1;
  if (m_overwrite == Overwrite::refuse) {
    // link() fails if the destination appeared meanwhile: never clobber.
    if (::link(m_temp.c_str(), m_path.c_str()) != 0) {
      if (errno == EEXIST) throw Error(Exit::cant_create, "file exists").file(m_path);
      throw errno_error(Exit::cant_create, "cannot create", m_path);
    }
    ::unlink(m_temp.c_str());
  } else if (::rename(m_temp.c_str(), m_path.c_str()) != 0) {
    throw errno_error(Exit::cant_create, "cannot replace", m_path);
  }
  m_committed = true;
  fsync_dir(dir_of(m_path));
}

void write_file(const std::string& path, std::string_view data, unsigned mode, Overwrite overwrite) {
  AtomicFile f(path, mode, overwrite);
  f.write(data);
  f.commit();
}

void write_stdout(std::string_view data) {
  if (!data.empty() && std::fwrite(data.data(), 1, data.size(), stdout) != data.size())
    throw Error(Exit::io, fmt::format("cannot write to standard output: {}", std::strerror(errno)));
  if (std::fflush(stdout) != 0)
    throw Error(Exit::io, fmt::format("cannot write to standard output: {}", std::strerror(errno)));
}

void write_output(const std::string& path, std::string_view data, bool force, unsigned mode) {
  if (path.empty() || path == "-") return write_stdout(data);
  write_file(path, data, mode, force ? Overwrite::replace : Overwrite::refuse);
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

unsigned file_mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw errno_error(open_error_code(errno), "cannot open", path);
  return st.st_mode & 07777;
}

}  // namespace hc::io

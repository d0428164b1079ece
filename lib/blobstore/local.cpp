// The local directory backend (see local.h for the layout).
#include "local.h"

#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/crypto/crypto.h>
#include <hc/json/json.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hc::blobstore {
namespace {

constexpr size_t k_chunk = 1u << 16;
constexpr const char* k_marker = "hc-store.json";

std::string sys_error(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

/// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

void fsync_dir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.fd < 0 || ::fsync(fd.fd) != 0) throw Error(Exit::io, sys_error("cannot sync folder", dir));
}

/// mkdir that accepts an existing folder; syncs the parent when it creates one.
void make_dir(const std::string& dir, const std::string& parent) {
  if (::mkdir(dir.c_str(), 0700) == 0) {
    fsync_dir(parent);
    return;
  }
  if (errno != EEXIST) throw Error(Exit::cant_create, sys_error("cannot create folder", dir));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Error(Exit::cant_create, "not a folder: " + dir);
}

bool is_hex_name(const char* name, size_t len) {
  if (std::strlen(name) != len) return false;
  for (size_t i = 0; i < len; ++i)
    if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f'))) return false;
  return true;
}

size_t read_some(int fd, uint8_t* buf, size_t n, const std::string& path) {
  for (;;) {
    ssize_t r = ::read(fd, buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno != EINTR) throw Error(Exit::io, sys_error("cannot read", path));
  }
}

void write_all(int fd, const uint8_t* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw Error(Exit::io, sys_error("cannot write", path));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

/// Hashes an open file from its start; returns hex digest and size.
std::pair<std::string, uint64_t> hash_fd(int fd, const std::string& path, const Writer* out) {
  if (::lseek(fd, 0, SEEK_SET) != 0) throw Error(Exit::io, sys_error("cannot seek", path));
  crypto::Sha256 h;
  std::vector<uint8_t> buf(k_chunk);
  uint64_t size = 0;
  for (;;) {
    size_t n = read_some(fd, buf.data(), buf.size(), path);
    if (n == 0) break;
    h.update(buf.data(), n);
    size += n;
    if (out) (*out)(crypto::as_chars(buf.data(), n));
  }
  return {crypto::hex(h.final()), size};
}

}  // namespace

LocalBackend::LocalBackend(std::string root, const StoreOptions& options)
    : m_root(std::move(root)), m_max(options.max_object ? options.max_object : k_default_max_local) {
  while (m_root.size() > 1 && m_root.back() == '/') m_root.pop_back();
}

std::string LocalBackend::object_path(const std::string& id) const {
  return m_root + "/objects/" + id.substr(0, 2) + "/" + id;
}

void LocalBackend::require_store() const {
  std::string marker = m_root + "/" + k_marker;
  if (!io::exists(m_root))
    throw Error(Exit::no_input, "no store at " + m_root).hint("hc-store put creates it; or pass --store DIR");
  if (!io::exists(marker))
    throw Error(Exit::config, "not an hc store (no " + std::string(k_marker) + "): " + m_root);
  auto v = json::parse(io::read_all(marker, 4096), marker);
  if (!v.is_object() || json::find(v, "type") == nullptr || *json::find(v, "type") != "hc-blobstore-v1" ||
      json::find(v, "fanout") == nullptr || *json::find(v, "fanout") != 2)
    throw Error(Exit::config, "unsupported store layout").file(marker).hint("expected hc-blobstore-v1, fanout 2");
}

void LocalBackend::init_store() {
  if (io::exists(m_root + "/" + k_marker)) {
    require_store();
    return;
  }
  if (::mkdir(m_root.c_str(), 0700) != 0) {
    if (errno != EEXIST) throw Error(Exit::cant_create, sys_error("cannot create store", m_root));
    // An existing folder becomes a store only if it is empty.
    DIR* d = ::opendir(m_root.c_str());
    if (!d) throw Error(Exit::cant_create, sys_error("cannot open", m_root));
    bool empty = true;
    while (auto* e = ::readdir(d))
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) empty = false;
    ::closedir(d);
    if (!empty)
      throw Error(Exit::config, "not an hc store and not empty: " + m_root)
          .hint("give a new or empty folder for a new store");
  }
  make_dir(m_root + "/objects", m_root);
  make_dir(m_root + "/tmp", m_root);
  io::write_file(m_root + "/" + k_marker, "{\"fanout\":2,\"hash\":\"sha-256\",\"type\":\"hc-blobstore-v1\"}\n", 0600,
                 io::Overwrite::replace);
}

ObjectInfo LocalBackend::put(const Reader& in, const PutOptions&) {
  init_store();
  // Write to tmp/ first: the address is known only at the end.
  std::string tmp_dir = m_root + "/tmp";
  std::string tmp = tmp_dir + "/put-" + crypto::hex(crypto::random_bytes(12));
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.fd < 0) throw Error(Exit::cant_create, sys_error("cannot create", tmp));
  struct Remove {
    std::string path;
    ~Remove() {
      if (!path.empty()) ::unlink(path.c_str());
    }
  } remove{tmp};

  crypto::Sha256 h;
  std::vector<uint8_t> buf(k_chunk);
  uint64_t size = 0;
  for (;;) {
    size_t n = in(buf.data(), buf.size());
    if (n == 0) break;
    size += n;
    if (size > m_max)
      throw Error(Exit::data, "object larger than the store's bound of " + std::to_string(m_max) + " bytes")
          .hint("raise it with --max-size");
    h.update(buf.data(), n);
    write_all(fd.fd, buf.data(), n, tmp);
  }
  if (::fsync(fd.fd) != 0) throw Error(Exit::io, sys_error("cannot sync", tmp));

  ObjectInfo info;
  info.id = crypto::hex(h.final());
  info.size = size;
  std::string dir = m_root + "/objects/" + info.id.substr(0, 2);
  info.location = object_path(info.id);
  make_dir(dir, m_root + "/objects");
  if (::link(tmp.c_str(), info.location.c_str()) == 0) {
    info.created = true;
  } else if (errno == EEXIST) {
    // Already stored: keep it if it is intact, else repair it with these bytes.
    Fd old(::open(info.location.c_str(), O_RDONLY | O_CLOEXEC));
    bool intact = old.fd >= 0 && hash_fd(old.fd, info.location, nullptr).first == info.id;
    if (!intact) {
      if (::rename(tmp.c_str(), info.location.c_str()) != 0)
        throw Error(Exit::cant_create, sys_error("cannot replace damaged", info.location));
      remove.path.clear();
      info.created = true;
    }
  } else {
    throw Error(Exit::cant_create, sys_error("cannot store", info.location));
  }
  fsync_dir(dir);
  return info;
}

ObjectInfo LocalBackend::get(const std::string& id_text, const Writer& out) {
  std::string id = parse_address(id_text);
  require_store();
  ObjectInfo info;
  info.id = id;
  info.location = object_path(id);
  Fd fd(::open(info.location.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.fd < 0) {
    if (errno == ENOENT) throw Error(Exit::no_input, "no object " + id + " in " + m_root);
    throw Error(Exit::io, sys_error("cannot open", info.location));
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw Error(Exit::data, "not a regular file: " + info.location);
  // First pass: verify before releasing a byte. Second pass: release while
  // hashing again, so a file changed in between is caught too.
  auto [digest, size] = hash_fd(fd.fd, info.location, nullptr);
  if (digest != id)
    throw Error(Exit::invalid, "object " + id + " is damaged: its bytes hash to " + digest)
        .file(info.location)
        .hint("put the original sealed file again to repair it");
  info.size = size;
  auto again = hash_fd(fd.fd, info.location, &out);
  if (again.first != id)
    throw Error(Exit::invalid, "object " + id + " changed while it was being read").file(info.location);
  return info;
}

std::vector<ObjectInfo> LocalBackend::list() {
  require_store();
  std::vector<ObjectInfo> all;
  std::string objects = m_root + "/objects";
  DIR* top = ::opendir(objects.c_str());
  if (!top) throw Error(Exit::io, sys_error("cannot open", objects));
  std::vector<std::string> subdirs;
  while (auto* e = ::readdir(top))
    if (is_hex_name(e->d_name, 2)) subdirs.emplace_back(e->d_name);
  ::closedir(top);
  for (const auto& sub : subdirs) {
    std::string dir = objects + "/" + sub;
    DIR* d = ::opendir(dir.c_str());
    if (!d) throw Error(Exit::io, sys_error("cannot open", dir));
    while (auto* e = ::readdir(d)) {
      if (!is_hex_name(e->d_name, 64) || std::strncmp(e->d_name, sub.c_str(), 2) != 0) continue;
      ObjectInfo info;
      info.id = e->d_name;
      info.location = dir + "/" + info.id;
      struct stat st {};
      if (::lstat(info.location.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        info.size = static_cast<uint64_t>(st.st_size);
        all.push_back(std::move(info));
      }
    }
    ::closedir(d);
  }
  std::sort(all.begin(), all.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.id < b.id; });
  return all;
}

}  // namespace hc::blobstore

// LMDB behind RAII types; every LMDB return code becomes hc::Error here.
#include <hc/store/store.h>

#include <hc/core/error.h>

#include <lmdb.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace hc::store {
namespace {

[[noreturn]] void fail(int rc, const std::string& what, const std::string& dir) {
  Exit code = Exit::io;
  if (rc == MDB_CORRUPTED || rc == MDB_INVALID || rc == MDB_PAGE_NOTFOUND || rc == MDB_VERSION_MISMATCH ||
      rc == MDB_INCOMPATIBLE || rc == MDB_BAD_TXN)
    code = Exit::data;
  else if (rc == MDB_READERS_FULL || rc == EAGAIN || rc == EBUSY)
    code = Exit::temp;
  else if (rc == ENOENT)
    code = Exit::no_input;
  else if (rc == EACCES || rc == EPERM)
    code = Exit::perm;
  throw Error(code, what + ": " + mdb_strerror(rc)).file(dir);
}

MDB_val val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

}  // namespace

std::string be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[size_t(i)] = char(v & 0xff);
  return s;
}
uint64_t from_be64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | uint8_t(s[i]);
  return v;
}
std::string be32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 3; i >= 0; --i, v >>= 8) s[size_t(i)] = char(v & 0xff);
  return s;
}
uint32_t from_be32(std::string_view s) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4 && i < s.size(); ++i) v = (v << 8) | uint8_t(s[i]);
  return v;
}

// ---- Cursor -----------------------------------------------------------------

Cursor::~Cursor() {
  if (m_cursor) mdb_cursor_close(m_cursor);
}
Cursor::Cursor(Cursor&& o) noexcept : m_cursor(o.m_cursor), m_key(o.m_key), m_value(o.m_value) {
  o.m_cursor = nullptr;
}
bool Cursor::op(int op, std::string_view key) {
  MDB_val k = val(key), v{};
  int rc = mdb_cursor_get(m_cursor, &k, &v, MDB_cursor_op(op));
  if (rc == MDB_NOTFOUND) return false;
  if (rc) fail(rc, "reading the ledger database", "");
  m_key = view(k);
  m_value = view(v);
  return true;
}
bool Cursor::seek(std::string_view key) { return op(MDB_SET_RANGE, key); }
bool Cursor::first() { return op(MDB_FIRST); }
bool Cursor::last() { return op(MDB_LAST); }
bool Cursor::next() { return op(MDB_NEXT); }
bool Cursor::find(std::string_view key) { return op(MDB_SET_KEY, key); }
bool Cursor::next_dup() { return op(MDB_NEXT_DUP); }
bool Cursor::find_both(std::string_view key, std::string_view value) {
  MDB_val k = val(key), v = val(value);
  int rc = mdb_cursor_get(m_cursor, &k, &v, MDB_GET_BOTH);
  if (rc == MDB_NOTFOUND) return false;
  if (rc) fail(rc, "reading the ledger database", "");
  m_key = view(k);
  m_value = view(v);
  return true;
}
size_t Cursor::dup_count() const {
  size_t n = 0;
  int rc = mdb_cursor_count(m_cursor, &n);
  if (rc == EINVAL) return 1;  // not a dupsort database
  if (rc) fail(rc, "reading the ledger database", "");
  return size_t(n);
}
bool Cursor::prev() { return op(MDB_PREV); }

// ---- Txn --------------------------------------------------------------------

Txn::~Txn() { abort(); }
Txn::Txn(Txn&& o) noexcept : m_txn(o.m_txn), m_write(o.m_write) { o.m_txn = nullptr; }

std::optional<std::string_view> Txn::get(Dbi dbi, std::string_view key) const {
  MDB_val k = val(key), v{};
  int rc = mdb_get(m_txn, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc) fail(rc, "reading the ledger database", "");
  return view(v);
}

void Txn::put(Dbi dbi, std::string_view key, std::string_view value, bool append) {
  MDB_val k = val(key), v = val(value);
  int rc = mdb_put(m_txn, dbi, &k, &v, append ? MDB_APPEND : 0);
  if (rc == MDB_MAP_FULL) throw MapFull{};
  if (rc == MDB_KEYEXIST && append) throw Error(Exit::internal, "keys appended out of order");
  if (rc) fail(rc, "writing the ledger database", "");
}

bool Txn::insert(Dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = val(key), v = val(value);
  int rc = mdb_put(m_txn, dbi, &k, &v, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) return false;
  if (rc == MDB_MAP_FULL) throw MapFull{};
  if (rc) fail(rc, "writing the ledger database", "");
  return true;
}

bool Txn::del(Dbi dbi, std::string_view key) {
  MDB_val k = val(key);
  int rc = mdb_del(m_txn, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc == MDB_MAP_FULL) throw MapFull{};
  if (rc) fail(rc, "writing the ledger database", "");
  return true;
}

Cursor Txn::cursor(Dbi dbi) const {
  MDB_cursor* c = nullptr;
  int rc = mdb_cursor_open(m_txn, dbi, &c);
  if (rc) fail(rc, "opening a cursor", "");
  return Cursor(c);
}

uint64_t Txn::count(Dbi dbi) const {
  MDB_stat st{};
  int rc = mdb_stat(m_txn, dbi, &st);
  if (rc) fail(rc, "reading database statistics", "");
  return st.ms_entries;
}

void Txn::commit() {
  if (!m_txn) return;
  MDB_txn* t = m_txn;
  m_txn = nullptr;
  int rc = mdb_txn_commit(t);  // frees the txn even on failure
  if (rc == MDB_MAP_FULL) throw MapFull{};
  if (rc) fail(rc, "committing to the ledger database", "");
}

void Txn::abort() noexcept {
  if (m_txn) mdb_txn_abort(m_txn);
  m_txn = nullptr;
}

// ---- Env --------------------------------------------------------------------

Env::Env(const std::string& dir, const Options& options) : m_dir(dir), m_options(options) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (!options.create || options.read_only)
      throw Error(Exit::no_input, "no ledger here").file(dir).hint("create one with `hc-ledger init`");
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      throw Error(Exit::cant_create, std::string("cannot create the folder: ") + std::strerror(errno)).file(dir);
  } else if (!S_ISDIR(st.st_mode)) {
    throw Error(Exit::no_input, "not a folder").file(dir);
  } else if (!options.create && ::stat((dir + "/data.mdb").c_str(), &st) != 0) {
    throw Error(Exit::no_input, "no ledger here").file(dir).hint("create one with `hc-ledger init`");
  }
  int rc = mdb_env_create(&m_env);
  if (rc) fail(rc, "creating the LMDB environment", dir);
  mdb_env_set_maxdbs(m_env, options.max_dbs);
  mdb_env_set_maxreaders(m_env, options.max_readers);
  mdb_env_set_mapsize(m_env, options.map_size);
  unsigned flags = MDB_NOTLS | (options.read_only ? MDB_RDONLY : 0);
  rc = mdb_env_open(m_env, dir.c_str(), flags, 0600);
  if (rc) {
    mdb_env_close(m_env);
    m_env = nullptr;
    fail(rc, "opening the ledger database", dir);
  }
  // Free the reader slots of processes that died (e.g. SIGKILL) so their
  // stale snapshots do not keep pages from being reused.
  int dead = 0;
  mdb_reader_check(m_env, &dead);
  // The file may already be bigger than the requested map: adopt its size.
  MDB_envinfo info{};
  mdb_env_info(m_env, &info);
  if (info.me_mapsize < options.map_size) mdb_env_set_mapsize(m_env, options.map_size);
}

Env::~Env() {
  if (m_env) mdb_env_close(m_env);
}

Dbi Env::dbi(const std::string& name, bool dup_fixed) {
  for (auto& [n, d] : m_dbis)
    if (n == name) return d;
  MDB_txn* t = nullptr;
  int rc = mdb_txn_begin(m_env, nullptr, m_options.read_only ? MDB_RDONLY : 0, &t);
  if (rc == MDB_MAP_RESIZED) {
    mdb_env_set_mapsize(m_env, 0);
    rc = mdb_txn_begin(m_env, nullptr, m_options.read_only ? MDB_RDONLY : 0, &t);
  }
  if (rc) fail(rc, "opening database " + name, m_dir);
  Dbi d = 0;
  unsigned flags = (m_options.read_only ? 0 : MDB_CREATE) | (dup_fixed ? MDB_DUPSORT | MDB_DUPFIXED : 0);
  rc = mdb_dbi_open(t, name.c_str(), flags, &d);
  if (rc) {
    mdb_txn_abort(t);
    if (rc == MDB_NOTFOUND) throw Error(Exit::data, "the ledger database lacks table " + name).file(m_dir);
    if (rc == MDB_INCOMPATIBLE)
      throw Error(Exit::data, "table " + name + " has another layout (a ledger made by an older hc?)")
          .file(m_dir)
          .hint("export it with that version and import it with this one");
    fail(rc, "opening database " + name, m_dir);
  }
  rc = mdb_txn_commit(t);
  if (rc) fail(rc, "opening database " + name, m_dir);
  m_dbis.emplace_back(name, d);
  return d;
}

Txn Env::read() {
  MDB_txn* t = nullptr;
  int rc = mdb_txn_begin(m_env, nullptr, MDB_RDONLY, &t);
  if (rc == MDB_MAP_RESIZED) {  // another process grew the map
    mdb_env_set_mapsize(m_env, 0);
    rc = mdb_txn_begin(m_env, nullptr, MDB_RDONLY, &t);
  }
  if (rc) fail(rc, "starting a read transaction", m_dir);
  return Txn(t, false);
}

void Env::write(const std::function<void(Txn&)>& fn) {
  if (m_options.read_only) throw Error(Exit::perm, "the ledger is open read-only").file(m_dir);
  for (;;) {
    MDB_txn* t = nullptr;
    int rc = mdb_txn_begin(m_env, nullptr, 0, &t);
    if (rc == MDB_MAP_RESIZED) {
      mdb_env_set_mapsize(m_env, 0);
      rc = mdb_txn_begin(m_env, nullptr, 0, &t);
    }
    if (rc) fail(rc, "starting a write transaction", m_dir);
    Txn txn(t, true);
    try {
      fn(txn);
      txn.commit();
      return;
    } catch (const MapFull&) {
      txn.abort();
      size_t now = map_size();
      if (now >= m_options.max_map_size)
        throw Error(Exit::io, "the ledger database is full (map size " + std::to_string(now) + " bytes)")
            .file(m_dir)
            .hint("free disk space or raise the map limit");
      size_t next = std::min(now * 2, m_options.max_map_size);
      rc = mdb_env_set_mapsize(m_env, next);
      if (rc) fail(rc, "growing the ledger database map", m_dir);
    }
  }
}

size_t Env::map_size() const {
  MDB_envinfo info{};
  mdb_env_info(m_env, &info);
  return info.me_mapsize;
}

size_t Env::used_bytes() {
  MDB_envinfo info{};
  mdb_env_info(m_env, &info);
  MDB_stat st{};
  mdb_env_stat(m_env, &st);
  return (info.me_last_pgno + 1) * size_t(st.ms_psize);
}

size_t Env::tree_bytes() {
  auto t = read();
  size_t pages = 0, psize = 4096;
  auto add = [&](Dbi d) {
    MDB_stat st{};
    if (mdb_stat(t.m_txn, d, &st) == 0) {
      pages += st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
      psize = st.ms_psize;
    }
  };
  add(1);  // MAIN_DBI: the table of named databases
  for (auto& [n, d] : m_dbis) add(d);
  return (pages + 2) * psize;  // + the two meta pages
}

}  // namespace hc::store

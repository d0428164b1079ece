// A small RAII wrapper over LMDB, the only code in hc that calls it.
//
//   hc::store::Env env(dir, {.max_dbs = 8});
//   env.write([&](hc::store::Txn& t) { t.put(env.dbi("blocks"), key, value); });
//   auto r = env.read();                       // a snapshot; never blocks the writer
//   if (auto v = r.get(env.dbi("blocks"), key)) ...
//
// Env::write runs the function in one write transaction and commits it; if
// LMDB reports MDB_MAP_FULL the transaction is aborted, the map is doubled
// (up to Options::max_map_size) and the function is run again from the start,
// so it must only touch the database through the Txn it is given. Every LMDB
// failure becomes hc::Error (io, temp for a busy/stale reader table, data for
// a corrupt file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct MDB_env;
struct MDB_txn;
struct MDB_cursor;

namespace hc::store {

using Dbi = unsigned int;

struct Options {
  unsigned max_dbs = 16;
  size_t map_size = size_t(64) << 20;        ///< initial map size
  size_t max_map_size = size_t(1) << 40;     ///< growth stops here (then Error{io})
  bool read_only = false;
  bool create = true;                        ///< create the folder's files if missing
  unsigned max_readers = 126;
};

class Env;

/// A cursor over one database, valid while its transaction lives.
class Cursor {
 public:
  ~Cursor();
  Cursor(Cursor&&) noexcept;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  /// Positions at the first key >= `key`; false if none.
  bool seek(std::string_view key);
  bool first();
  bool last();
  /// Positions at `key` exactly; false if absent.
  bool find(std::string_view key);
  /// Positions at the pair (`key`, `value`) of a dup_fixed database; false if absent.
  bool find_both(std::string_view key, std::string_view value);
  /// The next value of the current key (dup_fixed databases); false at its last.
  bool next_dup();
  /// Values under the current key (1 for databases without duplicates).
  size_t dup_count() const;
  bool next();
  bool prev();
  std::string_view key() const { return m_key; }
  std::string_view value() const { return m_value; }

 private:
  friend class Txn;
  explicit Cursor(MDB_cursor* c) : m_cursor(c) {}
  bool op(int op, std::string_view key = {});
  MDB_cursor* m_cursor;
  std::string_view m_key, m_value;
};

/// A read or write transaction. Read transactions see a consistent snapshot.
class Txn {
 public:
  ~Txn();
  Txn(Txn&&) noexcept;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  /// The stored value, pointing into the map (valid until the txn ends).
  std::optional<std::string_view> get(Dbi dbi, std::string_view key) const;
  /// Stores a value; `append` asserts keys arrive in order (MDB_APPEND, faster, denser pages).
  void put(Dbi dbi, std::string_view key, std::string_view value, bool append = false);
  /// Stores only if the key is new; false if it existed.
  bool insert(Dbi dbi, std::string_view key, std::string_view value);
  bool del(Dbi dbi, std::string_view key);
  Cursor cursor(Dbi dbi) const;
  /// Number of entries in a database.
  uint64_t count(Dbi dbi) const;
  void commit();
  void abort() noexcept;
  bool writable() const { return m_write; }

 private:
  friend class Env;
  Txn(MDB_txn* t, bool write) : m_txn(t), m_write(write) {}
  MDB_txn* m_txn;
  bool m_write;
};

/// Thrown inside Env::write when the map is full; caught there to grow and retry.
struct MapFull {};

/// An LMDB environment in a folder (data.mdb, lock.mdb).
class Env {
 public:
  Env(const std::string& dir, const Options& options = {});
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  /// Opens (creating in a write txn, unless read-only) a named database.
  /// Handles are cached; call from one thread at start-up. `dup_fixed`: a
  /// key holds a sorted set of values of one fixed size, packed without
  /// per-value headers (LMDB's MDB_DUPSORT | MDB_DUPFIXED); put() adds a
  /// value to the key's set.
  Dbi dbi(const std::string& name, bool dup_fixed = false);
  /// A read snapshot. Picks up a map grown by another process.
  Txn read();
  /// Runs `fn` in a write transaction and commits; grows the map and retries
  /// on MDB_MAP_FULL. Only one writer at a time (LMDB's writer lock).
  void write(const std::function<void(Txn&)>& fn);
  /// Current map size in bytes.
  size_t map_size() const;
  /// Bytes used by the data file's pages in use (last page number × page size).
  size_t used_bytes();
  /// Bytes in the pages of the opened databases' B-trees (the file less
  /// LMDB's free pages, which are reused by later writes).
  size_t tree_bytes();
  const std::string& dir() const { return m_dir; }

 private:
  MDB_env* m_env = nullptr;
  std::string m_dir;
  Options m_options;
  std::vector<std::pair<std::string, Dbi>> m_dbis;
};

/// Big-endian fixed-width keys, so that LMDB's byte order is numeric order.
std::string be64(uint64_t v);
uint64_t from_be64(std::string_view s);
std::string be32(uint32_t v);
uint32_t from_be32(std::string_view s);

}  // namespace hc::store

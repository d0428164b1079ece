// The LMDB wrapper: reads, writes, snapshots and map growth.
#include <catch2/catch.hpp>

#include <hc/core/error.h>
#include <hc/store/store.h>

#include <filesystem>

namespace fs = std::filesystem;
using namespace hc::store;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("hc-store-" + std::to_string(::getpid()) + "-" + std::to_string(rand()));
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST_CASE("put, get, cursor and big-endian keys") {
  TempDir d;
  Env env(d.path.string());
  auto db = env.dbi("t");
  env.write([&](Txn& t) {
    for (uint64_t i = 0; i < 100; ++i) t.put(db, be64(i), "v" + std::to_string(i), true);
  });
  auto r = env.read();
  REQUIRE(r.get(db, be64(42)) == std::optional<std::string_view>("v42"));
  REQUIRE(!r.get(db, be64(100)));
  auto c = r.cursor(db);
  REQUIRE(c.seek(be64(98)));
  REQUIRE(from_be64(c.key()) == 98);
  REQUIRE(c.next());
  REQUIRE(!c.next());
  REQUIRE(r.count(db) == 100);
  REQUIRE(from_be32(be32(0xdeadbeef)) == 0xdeadbeef);
}

TEST_CASE("a read snapshot does not see later writes and does not block them") {
  TempDir d;
  Env env(d.path.string());
  auto db = env.dbi("t");
  env.write([&](Txn& t) { t.put(db, "k", "1"); });
  auto snap = env.read();
  env.write([&](Txn& t) { t.put(db, "k", "2"); });
  REQUIRE(*snap.get(db, "k") == "1");
  REQUIRE(*env.read().get(db, "k") == "2");
}

TEST_CASE("a full map grows and the write is retried whole") {
  TempDir d;
  Env env(d.path.string(), Options{.map_size = 64 << 10});
  auto db = env.dbi("t");
  std::string big(1000, 'x');
  int runs = 0;
  env.write([&](Txn& t) {
    ++runs;
    for (uint32_t i = 0; i < 2000; ++i) t.put(db, be32(i), big, true);
  });
  REQUIRE(runs > 1);
  REQUIRE(env.map_size() > (64u << 10));
  REQUIRE(env.read().count(db) == 2000);
}

TEST_CASE("a full map that may not grow fails cleanly") {
  TempDir d;
  Env env(d.path.string(), Options{.map_size = 64 << 10, .max_map_size = 128 << 10});
  auto db = env.dbi("t");
  std::string big(1000, 'x');
  REQUIRE_THROWS_AS(env.write([&](Txn& t) {
    for (uint32_t i = 0; i < 2000; ++i) t.put(db, be32(i), big, true);
  }), hc::Error);
  REQUIRE(env.read().count(db) == 0);  // nothing half-written
}

TEST_CASE("opening a missing ledger without create fails with no_input") {
  TempDir d;
  try {
    Env env(d.path.string(), Options{.create = false});
    FAIL("opened");
  } catch (const hc::Error& e) {
    REQUIRE(e.code() == hc::Exit::no_input);
  }
}

TEST_CASE("dup_fixed tables hold a sorted set of fixed-size values per key") {
  TempDir d;
  Env env(d.path.string());
  auto db = env.dbi("s", true);
  env.write([&](Txn& t) {
    for (uint32_t i : {7u, 3u, 5u}) t.put(db, "k1", be32(i));
    t.put(db, "k2", be32(9));
  });
  auto r = env.read();
  auto c = r.cursor(db);
  REQUIRE(c.find("k1"));
  REQUIRE(c.dup_count() == 3);
  std::vector<uint32_t> got;
  for (bool ok = true; ok; ok = c.next_dup()) got.push_back(from_be32(c.value()));
  REQUIRE(got == std::vector<uint32_t>{3, 5, 7});
  REQUIRE(c.find_both("k1", be32(5)));
  REQUIRE(!c.find_both("k1", be32(9)));
  REQUIRE(c.find("k2"));
  REQUIRE(c.dup_count() == 1);
  REQUIRE(!c.next_dup());
  REQUIRE(!c.find("k3"));
  REQUIRE(r.count(db) == 4);
}

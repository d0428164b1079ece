// RFC 9162 Merkle proofs: the 196 transparency-dev/merkle vectors, and hc's
// proofs for every tree size 1..70 checked by an independent Python
// implementation written from the RFC (tests/lib/ledger/rfc9162.py).
#include <catch2/catch.hpp>

#include <hc/core/io.h>
#include <hc/json/json.h>
#include <hc/ledger/merkle.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
namespace m = hc::ledger::merkle;
using hc::json::Value;

namespace {

std::string b64(const Value& v) {
  if (!v.is_string()) return {};
  auto raw = hc::crypto::unbase64(v.get<std::string>());
  return std::string(raw.begin(), raw.end());
}

std::vector<std::string> proof_of(const Value& v) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  for (auto& x : v) out.push_back(b64(x));
  return out;
}

std::vector<fs::path> vectors(const std::string& kind) {
  std::vector<fs::path> out;
  for (auto& e : fs::recursive_directory_iterator(std::string(HC_TESTDATA) + "/merkle/" + kind))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("RFC 9162 inclusion and consistency vectors give the expected answer") {
  size_t n = 0;
  for (auto& f : vectors("inclusion")) {
    auto v = hc::json::parse(hc::io::read_all(f.string()), f.string());
    bool verified = m::verify_inclusion_bytes(b64(v["leafHash"]), v["leafIdx"].get<uint64_t>(),
                                              v["treeSize"].get<uint64_t>(), proof_of(v["proof"]), b64(v["root"]));
    INFO(f.string() << ": " << v["desc"].get<std::string>());
    CHECK(verified == !v["wantErr"].get<bool>());
    ++n;
  }
  for (auto& f : vectors("consistency")) {
    auto v = hc::json::parse(hc::io::read_all(f.string()), f.string());
    bool verified = m::verify_consistency_bytes(v["size1"].get<uint64_t>(), v["size2"].get<uint64_t>(), b64(v["root1"]),
                                                b64(v["root2"]), proof_of(v["proof"]));
    INFO(f.string() << ": " << v["desc"].get<std::string>());
    CHECK(verified == !v["wantErr"].get<bool>());
    ++n;
  }
  CHECK(n == 196);
}

TEST_CASE("hc's proofs verify with hc and match an independent implementation, sizes 1..70") {
  Value all = Value::array();
  for (uint64_t n = 1; n <= 70; ++n) {
    std::vector<std::string> data;
    std::vector<m::Hash> leaves;
    m::CompactRange cr;
    for (uint64_t i = 0; i < n; ++i) {
      data.push_back("leaf " + std::to_string(i) + std::string(i % 3, 'x'));
      leaves.push_back(m::leaf_hash(data.back()));
      cr.append(leaves.back());
    }
    auto root = m::root(leaves);
    REQUIRE(cr.root() == root);
    REQUIRE(m::CompactRange::parse(cr.serialize()).root() == root);
    Value t{{"leaves", data}, {"root", hc::crypto::hex(root)}, {"inclusion", Value::array()}, {"consistency", Value::array()}};
    for (uint64_t i = 0; i < n; ++i) {
      auto p = m::inclusion_path(i, leaves);
      REQUIRE(m::verify_inclusion(leaves[i], i, n, p, root));
      if (!p.empty()) {  // a changed path never verifies
        auto q = p;
        q[0][0] ^= 1;
        REQUIRE_FALSE(m::verify_inclusion(leaves[i], i, n, q, root));
      }
      Value hp = Value::array();
      for (auto& h : p) hp.push_back(hc::crypto::hex(h));
      t["inclusion"].push_back(hp);
    }
    for (uint64_t k = 1; k <= n; ++k) {
      auto p = m::consistency_path(k, n, m::over(leaves));
      std::vector<m::Hash> first(leaves.begin(), leaves.begin() + long(k));
      REQUIRE(m::verify_consistency(k, n, m::root(first), root, p));
      Value hp = Value::array();
      for (auto& h : p) hp.push_back(hc::crypto::hex(h));
      t["consistency"].push_back(Value{{"first_root", hc::crypto::hex(m::root(first))}, {"path", hp}});
    }
    all.push_back(t);
  }
  auto dir = fs::temp_directory_path() / ("hc-merkle-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto file = (dir / "proofs.json").string();
  std::ofstream(file) << all.dump();
  std::string cmd = "python3 " + std::string(HC_SOURCE_DIR) + "/tests/lib/ledger/rfc9162.py " + file;
  int rc = std::system(cmd.c_str());
  fs::remove_all(dir);
  CHECK(rc == 0);
}

// Ledger: append of pre-signed transactions and full verify, against the
// fastest Ed25519 verification on the same two cores (libsodium or Botan 2,
// measured in this run), and disk bytes against canonical transaction bytes.
#include "bench.h"
#include "bounds.h"

#include <hc/keys/keys.h>
#include <hc/ledger/ledger.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

namespace L = hc::ledger;
using hc::json::Value;

namespace {

struct Fixture {
  std::filesystem::path dir;
  hc::keys::SecretKey org = hc::keys::generate(hc::keys::Role::org, "org", "2026-11-26T00:00:00Z");
  std::vector<L::Tx> txs;
  size_t canonical_bytes = 0;
  std::string chain;

  explicit Fixture(size_t n) {
    dir = std::filesystem::temp_directory_path() / ("hc-ledger-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    L::Member m{org.pub.key_id, org.pub.ed25519, "org", 1, "org"};
    L::Ledger::init(dir.string(), L::Genesis::single(m, "bench", 1795000000));
    chain = L::Ledger(dir.string()).state().chain;
    // Realistic emr.index transactions from 64 patients' pseudonymous keys.
    std::vector<hc::keys::SecretKey> patients;
    for (int i = 0; i < 64; ++i) patients.push_back(org.pseudonym("patient " + std::to_string(i)));
    txs.resize(n);
    static const char* conditions[] = {"knee arthritis", "type 2 diabetes", "hypertension", "asthma"};
    L::parallel_for(n, 2, [&](size_t i) {
      auto& p = patients[i % patients.size()];
      Value data{{"content_hash", hc::crypto::hex(hc::crypto::sha256("emr " + std::to_string(i)))},
                 {"location", "fhir+https://store.example.org/fhir/Binary/" + std::to_string(i)},
                 {"patient", p.pub.key_id},
                 {"fields", {{"age_band", std::to_string(20 + 10 * (i % 6)) + "-" + std::to_string(29 + 10 * (i % 6))},
                             {"gender", i % 2 ? "F" : "M"},
                             {"condition", conditions[i % 4]},
                             {"procedure", "outpatient review"}}},
                 {"readers", Value::array({org.pub.key_id})}};
      txs[i] = L::make_tx(p, chain, "emr.index", data, 1795000000, std::to_string(i));
    });
    for (auto& t : txs) canonical_bytes += t.bytes.size();
  }
  ~Fixture() {
    if (!std::getenv("HC_BENCH_KEEP")) std::filesystem::remove_all(dir);  // HC_BENCH_KEEP=1 keeps it for mdb_stat
  }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

HC_BENCHMARK("ledger/append-verify") {
  size_t n = size_t(20000 * std::max(1.0, hc::bench::seconds()));
  Fixture f(n);
  // The bound verifies messages of the transactions' mean canonical size.
  double bound = std::max(hc::bench::sodium_ed25519_verify_rate(2, f.canonical_bytes / n),
                          hc::bench::botan_ed25519_verify_rate(2));
  {
    L::Ledger l(f.dir.string());
    auto t0 = std::chrono::steady_clock::now();
    l.append_txs(std::move(f.txs), f.org, 1000, 2);  // the transactions are the ledger's now, not copied
    double rate = double(n) / seconds_since(t0);
    hc::bench::report("ledger/append (pre-signed, 1000-tx blocks)", rate, "tx/s", "Ed25519 verify, 2 cores", bound, 0.70);
  }
  {
    L::Ledger l(f.dir.string(), true);
    L::VerifyOptions o;
    o.threads = 2;
    auto t0 = std::chrono::steady_clock::now();
    auto r = l.verify(o);
    double rate = double(r.transactions) / seconds_since(t0);
    hc::bench::report("ledger/verify (full, 2 threads)", rate, "tx/s", "Ed25519 verify, 2 cores", bound, 0.80,
                      r.ok ? "" : "VERIFY FAILED");
    size_t disk = l.disk_bytes(), trees = l.tree_bytes();
    hc::bench::report("ledger/disk density, B-trees (canonical / tree bytes)", double(f.canonical_bytes) / double(trees),
                      "x", "1.0 = no overhead", 1.0, 1.0 / 1.5,
                      fmt::format("trees {:.2f}x canonical; LMDB free pages excluded (reused by later writes)",
                                  double(trees) / double(f.canonical_bytes)));
    hc::bench::report("ledger/disk density (canonical / disk bytes)", double(f.canonical_bytes) / double(disk), "x",
                      "1.0 = no overhead", 1.0, 1.0 / 1.5,
                      fmt::format("disk {:.2f}x canonical ({} / {} bytes, {} tx)", double(disk) / double(f.canonical_bytes),
                                  disk, f.canonical_bytes, n));
  }
}

// The sharing tools' per-command work at two chain sizes (1,000 and 100,000
// consent grants), to show that it does not grow with the chain (the
// persisted share::Index, O(log n) lookups), each judged against a bound
// measured in the same run:
//   check    open the ledger and its index, gather what check() needs, decide
//            -- against one Ed25519 verification (libsodium), the cheapest
//            thing a command that reads a signed chain could do per answer
//   lookup   the same with the ledger and index already open (a service)
//   release  check + open the sealed 4 KiB record (X25519) + seal it for the
//            grantee (two X25519) + sign the access record -- against 3 X25519
//            and 1 Ed25519 signature (libsodium)
//   access   build and sign the access transaction -- against one Ed25519
//            signature (libsodium)
// plus the 100k/1k ratio of each rate, and the old whole-chain read
// (Chain::load) once per size for contrast.
#include "bench.h"
#include "bounds.h"

#include <hc/blobstore/blobstore.h>
#include <hc/keys/keys.h>
#include <hc/ledger/ledger.h>
#include <hc/seal/age.h>
#include <hc/seal/stream.h>
#include <hc/share/index.h>
#include <hc/share/share.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <unistd.h>

namespace L = hc::ledger;
namespace S = hc::share;
namespace C = hc::consent;
namespace fs = std::filesystem;

namespace {

constexpr int64_t k_t0 = 1795000000;
constexpr size_t k_grants_per_patient = 100, k_grantees = 50;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Chain {
  fs::path dir;
  hc::keys::SecretKey org = hc::keys::generate(hc::keys::Role::org, "org", "2026-11-26T00:00:00Z");
  hc::keys::SecretKey patient = hc::keys::generate(hc::keys::Role::patient, "patient", "2026-11-26T00:00:00Z");
  std::vector<hc::keys::SecretKey> pseudonyms, grantees;
  std::vector<std::string> emrs;
  std::unique_ptr<hc::blobstore::Backend> store;
  double build_s = 0, index_s = 0, load_s = 0;

  explicit Chain(size_t grants) {
    dir = fs::temp_directory_path() / fmt::format("hc-share-bench-{}-{}", ::getpid(), grants);
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string ldir = (dir / "ledger").string();
    L::Ledger::init(ldir, L::Genesis::single({org.pub.key_id, org.pub.ed25519, "org", 1, "org"}, "bench", k_t0));
    L::Ledger l(ldir);
    std::string chain = l.state().chain;
    store = hc::blobstore::open((dir / "store").string());
    size_t patients = std::max<size_t>(1, grants / k_grants_per_patient);
    for (size_t i = 0; i < k_grantees; ++i)
      grantees.push_back(hc::keys::generate(hc::keys::Role::org, "g" + std::to_string(i), "2026-11-26T00:00:00Z"));
    // One 4 KiB Observation, sealed for the patient, indexed by every pseudonym.
    std::string record = R"({"resourceType":"Observation","status":"final","note":")" + std::string(4000, 'x') + "\"}";
    hc::seal::MemorySource src(record);
    hc::seal::StringSink sealed;
    hc::seal::encrypt({patient.pub.x25519}, src, sealed);
    std::string emr = hc::blobstore::put_bytes(*store, sealed.data).id;
    std::vector<L::Tx> txs(patients + grants);
    for (size_t p = 0; p < patients; ++p) pseudonyms.push_back(patient.pseudonym("relationship " + std::to_string(p)));
    auto t0 = std::chrono::steady_clock::now();
    L::parallel_for(patients, 2, [&](size_t p) {
      S::IndexSpec spec;
      spec.emr = p == 0 ? emr : hc::crypto::hex(hc::crypto::sha256("emr " + std::to_string(p)));
      spec.location = "bench";
      spec.resource_type = "Observation";
      txs[p] = S::index_tx(pseudonyms[p], chain, spec, k_t0);
    });
    for (size_t p = 0; p < patients; ++p) emrs.push_back(txs[p].data().at("content_hash").get<std::string>());
    L::parallel_for(grants, 2, [&](size_t i) {
      size_t p = i % patients;
      C::GrantSpec g;
      g.grantee = grantees[(i / patients) % k_grantees].pub.key_id;
      g.effect = i % 10 == 9 ? C::Effect::deny : C::Effect::permit;
      g.purposes = {"HRESCH"};
      if (g.effect == C::Effect::deny) g.scope.pointers = {"/subject"};
      g.start = k_t0;
      g.end = k_t0 + 86400 * 365;
      g.issued = k_t0 + int64_t(i);
      txs[patients + i] = S::grant_tx(pseudonyms[p], chain, g, k_t0);
    });
    l.append_txs(std::move(txs), org, 1000, 2);
    build_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    { S::Index ix(l); }
    index_s = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    S::Chain::load(l);
    load_s = seconds_since(t0);
  }
  ~Chain() {
    store.reset();
    fs::remove_all(dir);
  }
  std::string ledger() const { return (dir / "ledger").string(); }
};

struct Rates {
  double check = 0, lookup = 0, release = 0, access = 0;
};

Rates measure(Chain& c) {
  Rates r;
  size_t n = 0, permits = 0;
  auto request = [&](size_t i) {
    S::CheckRequest q;
    size_t p = i % c.pseudonyms.size();
    q.emr = c.emrs[p];
    q.patient = c.pseudonyms[p].pub.key_id;
    q.grantee = c.grantees[(i * 7) % k_grantees].pub.key_id;
    q.purpose = "HRESCH";
    q.time = k_t0 + 3600;
    return q;
  };
  // A command: open the ledger and its index, read what the request needs, decide.
  r.check = hc::bench::rate(
      [&]() -> size_t {
        L::Ledger l(c.ledger(), true);
        S::Index ix(l);
        auto q = request(n++);
        permits += S::check(ix.for_check(q), q).decision.permit;
        return 1;
      },
      hc::bench::seconds());
  if (permits == 0) throw std::runtime_error("no check permitted: the benchmark measures nothing");
  // The lookup alone, with the ledger and index open (a long-running service).
  L::Ledger l(c.ledger(), true);
  S::Index ix(l);
  r.lookup = hc::bench::rate(
      [&]() -> size_t {
        auto q = request(n++);
        permits += S::check(ix.for_check(q), q).decision.permit;
        return 1;
      },
      hc::bench::seconds());
  // A release of patient 0's record to a grantee of it, as hc-share release does.
  S::CheckRequest q = request(0);
  const hc::keys::SecretKey* grantee = nullptr;
  for (auto& g : c.grantees)
    if (g.pub.key_id == q.grantee) grantee = &g;
  size_t bytes = 0;
  r.release = hc::bench::rate(
      [&]() -> size_t {
        S::Chain part = ix.for_check(q);
        hc::seal::StringSink out;
        std::optional<L::Tx> refused;
        auto res = S::release(part, q, grantee->pub, c.patient, c.pseudonyms[0], *c.store, out, k_t0 + 3600, refused);
        bytes += out.data.size();
        return 1;
      },
      hc::bench::seconds());
  S::CheckResult result = S::check(ix.for_check(q), q);
  r.access = hc::bench::rate(
      [&]() -> size_t {
        auto tx = S::access_tx(c.pseudonyms[0], ix.chain_id(), result, k_t0 + 3600);
        bytes += tx.bytes.size();
        return 1;
      },
      hc::bench::seconds());
  return r;
}

}  // namespace

HC_BENCHMARK("share/commands") {
  std::map<size_t, Rates> at;
  std::map<size_t, std::string> notes;
  for (size_t grants : {size_t(1000), size_t(100000)}) {
    Chain c(grants);
    at[grants] = measure(c);
    notes[grants] = fmt::format("chain built in {:.1f} s, index built once in {:.2f} s, whole-chain read (Chain::load) {:.3f} s",
                                c.build_s, c.index_s, c.load_s);
  }
  double ed_verify = hc::bench::sodium_ed25519_verify_rate(1), ed_sign = hc::bench::sodium_ed25519_sign_rate(1);
  double x25519 = hc::bench::sodium_x25519_rate();
  double release_bound = 1.0 / (3.0 / x25519 + 1.0 / ed_sign);
  for (auto& [n, r] : at) {
    std::string k = n == 1000 ? "1k" : "100k";
    hc::bench::report("share/check command (" + k + " grants)", r.check, "checks/s", "1 Ed25519 verify (libsodium)",
                      ed_verify, 0, notes[n]);
    hc::bench::report("share/check lookup, index open (" + k + " grants)", r.lookup, "checks/s",
                      "1 Ed25519 verify (libsodium)", ed_verify);
    hc::bench::report("share/release 4 KiB (" + k + " grants)", r.release, "releases/s",
                      "3 X25519 + 1 Ed25519 sign (libsodium)", release_bound);
    hc::bench::report("share/access record (" + k + " grants)", r.access, "records/s", "1 Ed25519 sign (libsodium)",
                      ed_sign);
  }
  // Flat in the chain length: the 100k rate against the 1k rate.
  hc::bench::report("share/check command 100k vs 1k grants", at[100000].check, "checks/s", "same at 1k grants",
                    at[1000].check, 0.8);
  hc::bench::report("share/check lookup 100k vs 1k grants", at[100000].lookup, "checks/s", "same at 1k grants",
                    at[1000].lookup, 0.5);
  hc::bench::report("share/release 100k vs 1k grants", at[100000].release, "releases/s", "same at 1k grants",
                    at[1000].release, 0.8);
  hc::bench::report("share/access record 100k vs 1k grants", at[100000].access, "records/s", "same at 1k grants",
                    at[1000].access, 0.8);
}

#include "load.h"

#include "common/cli.h"
#include "common/options.h"

#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/keys/keys.h>
#include <hc/ledger/format.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <chrono>
#include <ctime>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

namespace hc::node_tool {
namespace {

namespace L = hc::ledger;
using json::Value;
using Clock = std::chrono::steady_clock;

std::pair<std::string, int> split_url(const std::string& url) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  else throw Error(Exit::usage, "node URL must start with http://: " + url);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  auto c = rest.rfind(':');
  if (c == std::string::npos) throw Error(Exit::usage, "node URL needs a port: " + url);
  return {rest.substr(0, c), std::stoi(rest.substr(c + 1))};
}

Value get_json(httplib::Client& c, const std::string& path) {
  auto r = c.Get(path.c_str());
  if (!r) throw Error(Exit::unavailable, "no answer from the node for " + path);
  if (r->status == 404) return nullptr;
  if (r->status != 200) throw Error(Exit::unavailable, fmt::format("{} answered {}: {}", path, r->status, r->body));
  return json::parse(r->body, path, {.max_bytes = size_t(64) << 20});
}

}  // namespace

CLI::App* add_load_command(CLI::App& app, LoadOptions& o) {
  auto* c = app.add_subcommand("load", "Sign anchor transactions and submit them to nodes; report commit throughput");
  c->add_option("--key", o.key, "Signer's private key (a member)")->required();
  c->add_option("--genesis", o.genesis, "The chain's genesis document")->required();
  c->add_option("--node", o.nodes, "A node's API URL http://HOST:PORT (repeat: one submitter per node)")->required();
  c->add_option("-n,--count", o.count, "Transactions to submit (default 100)")->check(CLI::Range(1, 10000000));
  c->add_option("--batch", o.batch, "Transactions per request (default 500)")->check(CLI::Range(1, 10000));
  c->add_option("--rate", o.rate, "Transactions per second (default: as fast as accepted)")->check(CLI::Range(0.0, 1e7));
  c->add_option("--duration", o.duration_s, "With --rate: submit for this many seconds (count = rate x duration)")
      ->check(CLI::Range(0.0, 3600.0));
  c->add_option("--wait", o.wait_s, "Seconds to wait for all to be committed (default 30; 0: do not wait)");
  return c;
}

int run_load(const LoadOptions& opt) {
  LoadOptions o = opt;
  if (o.duration_s > 0) {
    if (o.rate <= 0) throw Error(Exit::usage, "--duration needs --rate");
    o.count = std::max<size_t>(1, size_t(o.rate * o.duration_s));
  }
  auto key = tool::unlock_key(o.key, {.file = o.passphrase_file});
  L::Genesis g = L::Genesis::parse(json::parse(io::read_all(o.genesis), o.genesis), o.genesis);
  std::string chain = g.chain_id();
  int64_t now = std::time(nullptr);
  std::vector<std::string> lines(o.count);
  std::vector<L::Hash> ids(o.count);
  std::string salt = crypto::hex(crypto::random_bytes(8));
  {
    // Signed before the clock starts, on two threads.
    auto sign = [&](size_t from, size_t step) {
      for (size_t i = from; i < o.count; i += step) {
        std::string label = fmt::format("load {} {}", salt, i);
        auto tx = L::make_tx(key, chain, "anchor", Value{{"sha256", L::to_hex(crypto::sha256(label))}, {"label", label}}, now);
        lines[i] = tx.bytes;
        ids[i] = tx.id;
      }
    };
    std::thread other(sign, 1, 2);
    sign(0, 2);
    other.join();
  }
  std::unordered_map<std::string, size_t> index;  // tx ID (hex) → position
  index.reserve(o.count);
  for (size_t i = 0; i < o.count; ++i) index.emplace(L::to_hex(ids[i]), i);

  auto client = [&](const std::string& u) {
    auto [h, p] = split_url(u);
    auto c = std::make_unique<httplib::Client>(h, p);
    c->set_read_timeout(60, 0);
    c->set_keep_alive(true);
    return c;
  };
  std::vector<Clock::time_point> sent(o.count), done(o.count);
  std::vector<char> committed(o.count, 0);
  std::atomic<size_t> refused{0}, n_committed{0}, submitted{0};
  std::atomic<bool> submitting{true};
  std::mutex mu;  // first_error, failure
  std::string first_error, failure;
  auto t0 = Clock::now();
  size_t batches = (o.count + o.batch - 1) / o.batch;
  // One submitter per node, keep-alive: batch k goes to node k mod nodes, due
  // at k x batch / rate after the start (or at once without --rate).
  auto submitter = [&](size_t j) {
    try {
      auto c = client(o.nodes[j]);
      for (size_t k = j; k < batches; k += o.nodes.size()) {
        size_t at = k * o.batch, end = std::min(o.count, at + o.batch);
        if (o.rate > 0)
          std::this_thread::sleep_until(
              t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(at) / o.rate)));
        std::string body;
        for (size_t i = at; i < end; ++i) (body += lines[i]) += '\n';
        auto ts = Clock::now();
        for (size_t i = at; i < end; ++i) sent[i] = ts;
        auto r = c->Post("/v1/txs", body, "application/jsonl");
        if (!r) throw Error(Exit::unavailable, "no answer from " + o.nodes[j]);
        if (r->status != 200)
          throw Error(Exit::unavailable, fmt::format("{} answered {}: {}", o.nodes[j], r->status, r->body));
        Value res = json::parse(r->body, "answer", {.max_bytes = size_t(64) << 20});
        for (const auto& e : res.at("results"))
          if (e.contains("error")) {
            ++refused;
            std::lock_guard lk(mu);
            if (first_error.empty()) first_error = e.at("error").get<std::string>();
          }
        submitted += end - at;
      }
    } catch (const std::exception& e) {
      std::lock_guard lk(mu);
      if (failure.empty()) failure = e.what();
    }
  };
  auto c0 = client(o.nodes[0]);
  uint64_t next = o.wait_s > 0 ? get_json(*c0, "/v1/status").at("height").get<uint64_t>() + 1 : 0;
  t0 = Clock::now();
  std::vector<std::thread> pool;
  for (size_t j = 0; j < o.nodes.size(); ++j) pool.emplace_back(submitter, j);
  Clock::time_point t_sent{};
  std::thread waiter([&] {
    for (auto& t : pool) t.join();
    t_sent = Clock::now();
    submitting = false;
  });

  // Follow the chain on the first node while submitting: a transaction's
  // latency ends when its block is final there.
  Clock::time_point deadline = Clock::time_point::max();
  while (o.wait_s > 0) {
    if (!submitting) {
      if (deadline == Clock::time_point::max())
        deadline = t_sent + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.wait_s));
      if (n_committed + refused >= submitted || Clock::now() >= deadline) break;
    }
    if (std::lock_guard lk(mu); !failure.empty()) break;
    uint64_t head = get_json(*c0, "/v1/status").at("height").get<uint64_t>();
    for (; next <= head; ++next) {
      Value b = get_json(*c0, fmt::format("/v1/block/{}?view=tx_ids", next));
      if (b.is_null()) break;
      auto ts = Clock::now();
      for (const auto& t : b.at("tx_ids")) {
        auto it = index.find(t.get<std::string>());
        if (it != index.end() && !committed[it->second]) {
          committed[it->second] = 1;
          done[it->second] = ts;
          ++n_committed;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  waiter.join();
  if (!failure.empty()) throw Error(Exit::unavailable, failure);
  auto t_end = Clock::now();
  std::vector<double> lat;
  Clock::time_point last = t0;
  for (size_t i = 0; i < o.count; ++i)
    if (committed[i]) {
      lat.push_back(std::chrono::duration<double, std::milli>(done[i] - sent[i]).count());
      last = std::max(last, done[i]);
    }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) { return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, size_t(p * double(lat.size())))]; };
  double secs = std::chrono::duration<double>((n_committed ? last : t_end) - t0).count();
  Value out{{"submitted", o.count},
            {"refused", refused.load()},
            {"committed", n_committed.load()},
            {"submit_seconds", std::chrono::duration<double>(t_sent - t0).count()},
            {"seconds", secs},
            {"tx_per_s", secs > 0 ? double(n_committed) / secs : 0.0},
            {"latency_ms", {{"p50", pct(0.5)}, {"p99", pct(0.99)}, {"max", lat.empty() ? 0.0 : lat.back()}}}};
  if (!first_error.empty()) out["first_error"] = first_error;
  io::write_stdout(json::dump(out, false));
  return n_committed + refused == o.count || o.wait_s == 0 ? 0 : 75;
}

}  // namespace hc::node_tool

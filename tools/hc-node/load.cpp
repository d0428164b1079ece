#include "load.h"

#include "common/cli.h"

#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/keys/keys.h>
#include <hc/ledger/format.h>

#include <algorithm>
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
  c->add_option("--node", o.nodes, "A node's API URL http://HOST:PORT (repeat: round robin)")->required();
  c->add_option("-n,--count", o.count, "Transactions to submit (default 100)")->check(CLI::Range(1, 10000000));
  c->add_option("--batch", o.batch, "Transactions per request (default 500)")->check(CLI::Range(1, 10000));
  c->add_option("--rate", o.rate, "Transactions per second (default: as fast as accepted)");
  c->add_option("--wait", o.wait_s, "Seconds to wait for all to be committed (default 30; 0: do not wait)");
  return c;
}

int run_load(const LoadOptions& o) {
  auto key = keys::load_secret(o.key, [&] { return tool::read_passphrase({.file = o.passphrase_file}, o.key); });
  L::Genesis g = L::Genesis::parse(json::parse(io::read_all(o.genesis), o.genesis), o.genesis);
  std::string chain = g.chain_id();
  int64_t now = std::time(nullptr);
  std::vector<std::string> lines(o.count);
  std::map<std::string, size_t> index;  // tx ID → position
  std::string salt = crypto::hex(crypto::random_bytes(8));
  for (size_t i = 0; i < o.count; ++i) {
    std::string label = fmt::format("load {} {}", salt, i);
    auto tx = L::make_tx(key, chain, "anchor", Value{{"sha256", L::to_hex(crypto::sha256(label))}, {"label", label}}, now);
    lines[i] = tx.bytes;
    index[L::to_hex(tx.id)] = i;
  }
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (const auto& u : o.nodes) {
    auto [h, p] = split_url(u);
    auto c = std::make_unique<httplib::Client>(h, p);
    c->set_read_timeout(30, 0);
    c->set_keep_alive(true);
    clients.push_back(std::move(c));
  }
  std::vector<Clock::time_point> sent(o.count), done(o.count);
  std::vector<bool> committed(o.count, false);
  size_t refused = 0, n_committed = 0;
  auto t0 = Clock::now();
  std::string first_error;
  for (size_t at = 0, k = 0; at < o.count; at += o.batch, ++k) {
    if (o.rate > 0) {
      auto due = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(at) / o.rate));
      std::this_thread::sleep_until(due);
    }
    size_t end = std::min(o.count, at + o.batch);
    std::string body;
    for (size_t i = at; i < end; ++i) body += lines[i] + "\n";
    auto& c = *clients[k % clients.size()];
    auto ts = Clock::now();
    for (size_t i = at; i < end; ++i) sent[i] = ts;
    auto r = c.Post("/v1/txs", body, "application/jsonl");
    if (!r) throw Error(Exit::unavailable, "no answer from " + o.nodes[k % clients.size()]);
    if (r->status != 200) throw Error(Exit::unavailable, fmt::format("{} answered {}: {}", o.nodes[k % clients.size()], r->status, r->body));
    Value res = json::parse(r->body, "answer", {.max_bytes = size_t(64) << 20});
    for (const auto& e : res.at("results"))
      if (e.contains("error")) {
        ++refused;
        if (first_error.empty()) first_error = e.at("error").get<std::string>();
      }
  }
  auto t_sent = Clock::now();
  // Follow the chain on the first node: every block's transactions are final.
  auto& c0 = *clients[0];
  Value st = get_json(c0, "/v1/status");
  uint64_t next = 1;
  auto deadline = t_sent + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.wait_s));
  while (o.wait_s > 0 && n_committed + refused < o.count && Clock::now() < deadline) {
    Value s = get_json(c0, "/v1/status");
    uint64_t head = s.at("height").get<uint64_t>();
    for (; next <= head; ++next) {
      Value b = get_json(c0, fmt::format("/v1/block/{}", next));
      if (b.is_null()) break;
      auto ts = Clock::now();
      for (const auto& t : b.at("block").at("txs")) {
        std::string canon = json::canonical(t);
        std::string id = L::to_hex(crypto::sha256(canon));
        auto it = index.find(id);
        if (it != index.end() && !committed[it->second]) {
          committed[it->second] = true;
          done[it->second] = ts;
          ++n_committed;
        }
      }
    }
    if (n_committed + refused < o.count) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
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
            {"refused", refused},
            {"committed", n_committed},
            {"submit_seconds", std::chrono::duration<double>(t_sent - t0).count()},
            {"seconds", secs},
            {"tx_per_s", secs > 0 ? double(n_committed) / secs : 0.0},
            {"latency_ms", {{"p50", pct(0.5)}, {"p99", pct(0.99)}, {"max", lat.empty() ? 0.0 : lat.back()}}}};
  if (!first_error.empty()) out["first_error"] = first_error;
  io::write_stdout(json::dump(out, false));
  return n_committed + refused == o.count || o.wait_s == 0 ? 0 : 75;
}

}  // namespace hc::node_tool

// hc-node: a consortium member's node (see hc-node(1)).
#include "api.h"
#include "common/cli.h"
#include "common/options.h"
#include "load.h"

#include <hc/core/io.h>
#include <hc/keys/keys.h>
#include <hc/ledger/format.h>
#include <hc/node/node.h>

#include <atomic>
#include <csignal>
#include <ctime>

#include <fmt/format.h>

namespace L = hc::ledger;
using hc::json::Value;

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

struct Options {
  std::string config, passphrase_file, output, name = "hc consortium", data_dir, key, genesis;
  std::string listen = "127.0.0.1:26656", api = "127.0.0.1:26657";
  std::vector<std::string> members, delegates, peers;
  uint32_t block_interval_ms = 1000, round_length = 100, delegate_count = 0, max_block_txs = 10000;
  bool verbose = false, force = false, test_equivocate = false;
};

/// The genesis document for the members' public key files.
Value genesis_doc(const Options& o) {
  Value members = Value::array(), delegates = Value::array();
  for (const auto& f : o.members) {
    auto pub = hc::keys::load_public(f);
    members.push_back(L::Member{pub.key_id, pub.ed25519, pub.label, 1, hc::keys::role_name(pub.role)}.to_json());
  }
  for (const auto& f : o.delegates.empty() ? o.members : o.delegates) delegates.push_back(hc::keys::load_public(f).key_id);
  L::Params p;
  p.block_interval_ms = o.block_interval_ms;
  p.round_length = o.round_length;
  p.delegate_count = o.delegate_count ? o.delegate_count : uint32_t(delegates.size());
  p.max_block_txs = o.max_block_txs;
  Value doc{{"v", 1},       {"name", o.name},   {"time", L::format_time(int64_t(std::time(nullptr)))},
            {"members", members}, {"delegates", delegates}, {"params", p.to_json()}};
  L::Genesis::parse(doc, "genesis");  // refuse what a node would refuse
  return doc;
}

/// `hc-node init`: a starter configuration.
Value starter_config(const Options& o) {
  hc::node::Config c;
  c.data_dir = o.data_dir;
  c.key = o.key;
  c.passphrase_file = o.passphrase_file;
  c.genesis = o.genesis;
  c.listen = hc::node::Address::parse(o.listen, "--listen", true);
  c.api = hc::node::Address::parse(o.api, "--api", true);
  for (const auto& p : o.peers) {
    auto at = p.find('@');
    c.peers.push_back(hc::node::PeerConfig{p.substr(0, at), at == std::string::npos ? "" : p.substr(at + 1)});
    if (at != std::string::npos) hc::node::Address::parse(p.substr(at + 1), "--peer");
  }
  Value v = c.to_json();
  hc::node::Config::from_json(v, o.output);  // what `run` would refuse is refused now
  return v;
}

int run_node(const Options& o) {
  auto cfg = hc::node::Config::load(o.config);
  std::string pf = o.passphrase_file.empty() ? cfg.passphrase_file : o.passphrase_file;
  auto key = hc::tool::unlock_key(cfg.key, {.file = pf});
  hc::node::NodeOptions no;
  no.verbose = o.verbose;
  no.test_equivocate = o.test_equivocate;
  if (o.test_equivocate) hc::tool::warn("--test-equivocate: this node double-signs its proposals (test harness)");
  no.log = [](const std::string& s) { hc::tool::note(s); };
  std::string api_host = cfg.api.host;
  uint16_t api_port = cfg.api.port;
  hc::node::Node node(std::move(cfg), std::move(key), no);
  hc::node_tool::Api api(node, api_host, api_port);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  api.start();
  auto st = node.status();
  hc::io::write_stdout(hc::json::dump(Value{{"key_id", st["key_id"]},
                                             {"chain", st["chain"]},
                                             {"height", st["height"]},
                                             {"p2p_port", node.p2p_port()},
                                             {"api", fmt::format("http://{}:{}", api_host, api.port())}},
                                       false));
  hc::tool::note(fmt::format("node {} at height {}: peers on port {}, API on http://{}:{}", st["key_id"].get<std::string>(),
                             st["height"].get<uint64_t>(), node.p2p_port(), api_host, api.port()));
  node.run(g_stop);
  api.stop();
  hc::tool::note("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A consortium member's node: Tendermint BFT finality (arXiv:1807.04938) with DPoS delegates, "
               "Noise_XX peer links, an LMDB ledger and a loopback HTTP JSON API."};
  hc::tool::setup(app, "hc-node");
  Options o;
  app.add_option("-c,--config", o.config, "Run the node of this configuration file (JSON)");
  app.add_option("--passphrase-file", o.passphrase_file, "Read the key's passphrase from this file");
  app.add_flag("-v,--verbose", o.verbose, "Log every block and refused link");
  app.add_flag("--test-equivocate", o.test_equivocate, "Test harness: double-sign every proposal")->group("");
  app.require_subcommand(0, 1);

  auto* gen = app.add_subcommand("genesis", "Write a genesis document naming the members (public key files)");
  gen->add_option("--member", o.members, "A member's public key file (repeat)")->required();
  gen->add_option("--delegate", o.delegates, "A delegate's public key file (repeat; default: every member)");
  gen->add_option("--name", o.name, "Name of the consortium chain");
  gen->add_option("--block-interval-ms", o.block_interval_ms, "Block interval (default 1000)")->check(CLI::Range(10, 3600000));
  gen->add_option("--round-length", o.round_length, "Blocks per DPoS round (default 100)")->check(CLI::Range(1, 1000000));
  gen->add_option("--delegate-count", o.delegate_count, "Delegates per round (default: the delegates given)")
      ->check(CLI::Range(1, 1000));
  gen->add_option("--max-block-txs", o.max_block_txs, "Transactions per block at most (default 10000)")
      ->check(CLI::Range(1, 100000));
  gen->add_option("-o,--output", o.output, "Output file (default: stdout)");
  gen->add_flag("-f,--force", o.force, "Replace an existing output file");

  auto* init = app.add_subcommand("init", "Write a starter node configuration");
  init->add_option("--data-dir", o.data_dir, "Folder of the node's ledger and state")->required();
  init->add_option("--key", o.key, "This member's private key file")->required();
  init->add_option("--genesis", o.genesis, "The chain's genesis document")->required();
  init->add_option("--listen", o.listen, "Peer address host:port (default 127.0.0.1:26656)");
  init->add_option("--api", o.api, "HTTP API address host:port (default 127.0.0.1:26657)");
  init->add_option("--peer", o.peers, "A member: PUBKEY[@HOST:PORT] (repeat)");
  init->add_option("-o,--output", o.output, "Configuration file to write")->required();
  init->add_flag("-f,--force", o.force, "Replace an existing configuration file");

  hc::node_tool::LoadOptions lo;
  auto* load = hc::node_tool::add_load_command(app, lo);

  return hc::tool::run(app, argc, argv, [&]() -> int {
    if (gen->parsed()) {
      std::string text = hc::json::dump(genesis_doc(o), true);
      if (o.output.empty()) hc::io::write_stdout(text);
      else hc::io::write_output(o.output, text, o.force);
      return 0;
    }
    if (init->parsed()) {
      hc::io::write_output(o.output, hc::json::dump(starter_config(o), true), o.force);
      hc::tool::note("wrote " + o.output);
      return 0;
    }
    if (load->parsed()) return hc::node_tool::run_load(lo);
    if (o.config.empty()) throw hc::Error(hc::Exit::usage, "nothing to do").hint("run a node with --config FILE, or see --help");
    return run_node(o);
  });
}

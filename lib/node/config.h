// hc-node's configuration file (JSON, hc-formats(5), NODE CONFIGURATION):
//
//   {"type":"hc-node-config-v1",
//    "data_dir":"node1",              ledger in DATA/ledger, node state beside it
//    "key":"org1.key",                this member's private key (passphrase: HC_PASSPHRASE
//    ["passphrase_file":"pw.txt",]     or this file)
//    "genesis":"genesis.json",
//    "listen":"127.0.0.1:26656",      peer links (Noise_XX over TCP)
//    "api":"127.0.0.1:26657",         HTTP JSON API; loopback unless "api_public":true
//    "peers":[{"key":"org2.pub","address":"127.0.0.1:26666"}, ...],
//    ["timeouts":{"propose_ms":1000,"prevote_ms":500,"precommit_ms":500}],
//    ["mempool_max_txs":100000, "max_block_bytes":3000000]}
//
// Relative paths are relative to the configuration file's folder. Peers'
// keys must belong to members of the chain; only they may connect.
#pragma once

#include <hc/consensus/engine.h>
#include <hc/json/json.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hc::node {

struct Address {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
  /// "host:port" or "[v6]:port"; Error{config} naming `field`.
  static Address parse(std::string_view text, std::string_view field, bool allow_zero = false);
};

struct PeerConfig {
  std::string key;  ///< path of the member's public key file
  std::string address;  ///< empty: this node does not dial it (it dials in)
};

struct Config {
  std::string path;
  std::string data_dir, key, passphrase_file, genesis;
  Address listen{"127.0.0.1", 26656};
  Address api{"127.0.0.1", 26657};
  bool api_public = false;
  std::vector<PeerConfig> peers;
  consensus::Timeouts timeouts;
  size_t mempool_max_txs = 100000;
  size_t mempool_max_bytes = size_t(256) << 20;
  size_t max_block_bytes = 3000000;

  /// Reads and checks a configuration file; Error{config} naming file and field.
  static Config load(const std::string& path);
  static Config from_json(const json::Value& v, const std::string& path);
  json::Value to_json() const;
  std::string ledger_dir() const { return data_dir + "/ledger"; }
};

}  // namespace hc::node

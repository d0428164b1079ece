// hc-node: one consortium member's node. It drives the Tendermint engine
// (lib/consensus) with messages from its peers' Noise links (lib/net),
// proposes blocks from its mempool when it is the round's proposer, commits
// every final block (> 2/3 precommits) to the LMDB ledger (lib/ledger), and
// catches up from peers by checking each block's commit certificate and every
// rule before applying it. hc-node(1) maps the paper's rules to this code.
//
// Threads: run() is the node loop (one thread owns the network and the
// engine); the query/submit methods may be called from other threads (the
// HTTP API) and take the node's lock for short reads.
#pragma once

#include <hc/keys/keys.h>
#include <hc/ledger/ledger.h>
#include <hc/node/admission.h>
#include <hc/node/config.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hc::node {

struct NodeOptions {
  /// Where the node's messages go (the library never prints).
  std::function<void(const std::string&)> log;
  bool verbose = false;
  /// Test harness only (hc-node --test-equivocate): when this node proposes,
  /// it also signs a second, different block for the same height and round
  /// and sends each version to half of its peers, bypassing the double-sign
  /// guard, so tests can check that the others catch and remove it.
  bool test_equivocate = false;
};

class Node {
 public:
  /// Opens (or creates from the genesis) the ledger in the data folder,
  /// checks the peers are members and binds the peer port. Throws Error
  /// (config, unavailable, data).
  Node(Config config, keys::SecretKey key, NodeOptions options = {});
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// The bound peer port (useful with port 0).
  uint16_t p2p_port() const;
  /// Runs the node loop until `stop` becomes true.
  void run(const std::atomic<bool>& stop);

  // ---- thread-safe queries (the HTTP API) ----------------------------------
  /// Checks one transaction (JSON text) fully and adds it to the mempool for
  /// relay: {"tx_id","status":"pending"|"committed", ["height"]}. Error{data}
  /// malformed, Error{invalid} a rule or the signature, Error{temp} mempool full.
  json::Value submit(std::string_view text);
  /// Admits many transactions (an HTTP JSON Lines request) with one signature
  /// check each, outside the node's lock, and short lock sections per slice
  /// of 8 (lib/node/admission.h). One result per text, in order; a
  /// transaction that is being checked by another thread right now is
  /// reported "pending".
  std::vector<SubmitResult> submit_batch(const std::vector<std::string_view>& texts);
  /// {"tx_id","status":"committed","height","index"} or "pending"; nullopt if unknown.
  /// Error{data} for a malformed ID.
  std::optional<json::Value> tx_status(std::string_view id_hex);
  /// {"block":{...},"commit":{"round","signers":[keyid...]}}; nullopt past the head.
  std::optional<json::Value> block(uint64_t height);
  /// The IDs (hex) of block `height`'s transactions, in order; nullopt past
  /// the head. Cheaper than block() for a client that follows the chain.
  std::optional<std::vector<std::string>> block_tx_ids(uint64_t height);
  void query(const ledger::Query& q, const std::function<void(const json::Value&)>& out);
  json::Value status();
  /// Runs `fn` on the node's ledger under the node's lock, for reads only
  /// (the API's /v1/ledger routes: stat, transactions, proofs).
  json::Value read_ledger(const std::function<json::Value(ledger::Ledger&)>& fn);
  json::Value health();

 private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace hc::node

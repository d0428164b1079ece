// A client of hc-node's HTTP JSON API (hc-node(1), HTTP API), so tools can
// read a running node's ledger and submit to it instead of opening a local
// ledger folder (hc-ledger --node URL). Every answer is parsed strictly and
// bounded; blocks and transactions are re-parsed and their hash or ID
// checked against what was asked for.
#pragma once

#include <hc/json/json.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hc::node {

/// "http://HOST:PORT" with an optional trailing "/" (no path, no
/// credentials, no https: the API listens on loopback). Error{usage}.
struct NodeUrl {
  std::string host;
  uint16_t port = 0;
  static NodeUrl parse(std::string_view url);
};

/// Largest answer the client accepts.
inline constexpr size_t k_max_answer = size_t(64) << 20;

/// An API answer (status, body) as JSON: 2xx → the parsed object; an error
/// answer {"error","exit"} → Error with the node's message and exit code
/// (66 for 404); anything else → Error{unavailable}. `what` names the request.
json::Value parse_answer(int status, std::string_view body, const std::string& what);
/// A JSON Lines answer (query): each line an object, at most 1,000,000 lines.
std::vector<json::Value> parse_answer_lines(int status, std::string_view body, const std::string& what);

class Client {
 public:
  explicit Client(const std::string& url, int timeout_s = 30);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// As hc-ledger stat: {"height","head","tx_count",...} of the node's ledger.
  json::Value stat();
  /// As hc-ledger show: a block by height (with "hash") or a transaction by
  /// ID ({"tx_id","height","index","tx"}). Error{no_input} if unknown.
  json::Value show(const std::string& what);
  /// As hc-ledger query (same filters), one JSON value per answer line.
  void query(const std::vector<std::string>& where, const std::string& group_by, bool rows, uint64_t threshold,
             const std::function<void(const json::Value&)>& out);
  json::Value prove(const std::string& tx_id_hex);
  json::Value prove_consistency(uint64_t first, uint64_t second);
  /// Submits one signed transaction (its canonical JSON): {"tx_id","status"}.
  json::Value submit(std::string_view tx_json);
  /// The node's chain ID (from its status).
  std::string chain();

 private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace hc::node

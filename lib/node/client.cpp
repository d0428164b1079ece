#include <hc/node/client.h>

#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/ledger/format.h>

#include <charconv>

#include <fmt/format.h>
#include <httplib.h>

namespace hc::node {
namespace {
using json::Value;
namespace L = hc::ledger;

json::Limits answer_limits() {
  json::Limits l;
  l.max_bytes = k_max_answer;
  return l;
}

bool is_digits(std::string_view s) {
  return !s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

NodeUrl NodeUrl::parse(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return Error(Exit::usage, "bad node URL \"" + std::string(url.substr(0, 200)) + "\": " + why)
        .hint("give http://HOST:PORT, e.g. http://127.0.0.1:26657");
  };
  std::string_view rest = url;
  if (rest.substr(0, 7) != "http://") throw bad("it must start with http://");
  rest.remove_prefix(7);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@ ") != std::string_view::npos) throw bad("only HOST:PORT may follow http://");
  NodeUrl u;
  size_t colon;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') throw bad("needs a port");
    u.host = std::string(rest.substr(1, close - 1));
    colon = close + 1;
  } else {
    colon = rest.rfind(':');
    if (colon == std::string_view::npos) throw bad("needs a port");
    u.host = std::string(rest.substr(0, colon));
  }
  if (u.host.empty() || u.host.size() > 253) throw bad("needs a host");
  std::string_view p = rest.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port == 0 || port > 65535) throw bad("the port must be 1 to 65535");
  u.port = uint16_t(port);
  return u;
}

Value parse_answer(int status, std::string_view body, const std::string& what) {
  if (body.size() > k_max_answer) throw Error(Exit::unavailable, "the node's answer to " + what + " is too large");
  if (status >= 200 && status < 300) {
    Value v = json::parse(body, "node answer to " + what, answer_limits());
    if (!v.is_object()) throw Error(Exit::unavailable, "the node's answer to " + what + " is not a JSON object");
    return v;
  }
  // An error answer: {"error": message, "exit": code}.
  std::string msg;
  int code = status == 404 ? int(Exit::no_input) : int(Exit::unavailable);
  try {
    Value v = json::parse(body, "node answer to " + what, answer_limits());
    if (v.is_object() && v.contains("error") && v.at("error").is_string())
      msg = v.at("error").get<std::string>().substr(0, 2000);
    if (v.is_object() && v.contains("exit") && v.at("exit").is_number_integer()) {
      int64_t e = v.at("exit").get<int64_t>();
      if (e == 1 || e == 2 || (e >= 64 && e <= 78)) code = int(e);
    }
  } catch (const Error&) {
    msg.clear();
  }
  if (msg.empty()) msg = fmt::format("the node answered HTTP {} to {}", status, what);
  throw Error(Exit(code), msg);
}

std::vector<Value> parse_answer_lines(int status, std::string_view body, const std::string& what) {
  if (status < 200 || status >= 300) {
    parse_answer(status, body, what);  // throws
    throw Error(Exit::unavailable, "the node's answer to " + what + " is not an error");
  }
  if (body.size() > k_max_answer) throw Error(Exit::unavailable, "the node's answer to " + what + " is too large");
  std::vector<Value> out;
  io::for_each_line(body, [&](std::string_view text, size_t line) {
    if (out.size() >= 1000000) throw Error(Exit::unavailable, "the node's answer to " + what + " has too many lines");
    Value v = json::parse(text, fmt::format("node answer to {}, line {}", what, line), answer_limits());
    if (!v.is_object()) throw Error(Exit::unavailable, fmt::format("line {} of the node's answer to {} is not a JSON object", line, what));
    out.push_back(std::move(v));
  });
  return out;
}

struct Client::Impl {
  NodeUrl url;
  std::string name;
  httplib::Client http;
  Impl(NodeUrl u, std::string n) : url(std::move(u)), name(std::move(n)), http(url.host, url.port) {}

  httplib::Result checked(httplib::Result r, const std::string& what) {
    if (!r)
      throw Error(Exit::unavailable, "no answer from the node at " + name + " for " + what + ": " + httplib::to_string(r.error()))
          .hint("is hc-node running there?");
    return r;
  }
  Value get(const std::string& path) { auto r = checked(http.Get(path.c_str()), path); return parse_answer(r->status, r->body, path); }
};

Client::Client(const std::string& url, int timeout_s) : m(std::make_unique<Impl>(NodeUrl::parse(url), url)) {
  m->http.set_connection_timeout(timeout_s, 0);
  m->http.set_read_timeout(timeout_s, 0);
  m->http.set_write_timeout(timeout_s, 0);
  m->http.set_keep_alive(true);
}

Client::~Client() = default;

Value Client::stat() { return m->get("/v1/ledger/stat"); }

Value Client::show(const std::string& what) {
  if (what.size() == 64) {
    L::Hash id = L::hash_from_hex(what, "TXID");
    Value v = m->get("/v1/ledger/tx/" + what);
    // The node's transaction must be the one asked for.
    if (!v.contains("tx")) throw Error(Exit::unavailable, "the node's answer has no transaction");
    L::Tx tx = L::tx_from_json(v.at("tx"), "node answer");
    if (tx.id != id) throw Error(Exit::unavailable, "the node answered with another transaction than " + what);
    return v;
  }
  if (!is_digits(what))
    throw Error(Exit::usage, "WHAT must be a block height or a 64-hex transaction ID, not \"" + what.substr(0, 80) + "\"");
  Value v = m->get("/v1/block/" + what);
  if (!v.contains("block")) throw Error(Exit::unavailable, "the node's answer has no block");
  L::Block b = L::Block::parse(json::canonical(v.at("block")), "node answer", 0, 1);
  if (std::to_string(b.header.height) != what) throw Error(Exit::unavailable, "the node answered with another block than " + what);
  Value out = b.to_json();
  out["hash"] = L::to_hex(b.hash());
  return out;
}

void Client::query(const std::vector<std::string>& where, const std::string& group_by, bool rows, uint64_t threshold,
                   const std::function<void(const Value&)>& out) {
  httplib::Params params;
  for (const auto& w : where) params.emplace("where", w);
  if (!group_by.empty()) params.emplace("group_by", group_by);
  if (rows) params.emplace("rows", "1");
  params.emplace("threshold", std::to_string(threshold));
  std::string path = httplib::append_query_params("/v1/query", params);
  auto r = m->checked(m->http.Get(path.c_str()), "/v1/query");
  for (const auto& v : parse_answer_lines(r->status, r->body, "/v1/query")) out(v);
}

Value Client::prove(const std::string& tx_id_hex) {
  L::hash_from_hex(tx_id_hex, "TXID");
  return m->get("/v1/ledger/prove/" + tx_id_hex);
}

Value Client::prove_consistency(uint64_t first, uint64_t second) {
  return m->get(fmt::format("/v1/ledger/consistency/{}/{}", first, second));
}

Value Client::submit(std::string_view tx_json) {
  auto r = m->checked(m->http.Post("/v1/tx", std::string(tx_json), "application/json"), "POST /v1/tx");
  return parse_answer(r->status, r->body, "POST /v1/tx");
}

std::string Client::chain() {
  Value s = m->get("/v1/status");
  if (!s.contains("chain") || !s.at("chain").is_string()) throw Error(Exit::unavailable, "the node's status names no chain");
  std::string c = s.at("chain").get<std::string>();
  L::hash_from_hex(c, "chain");
  return c;
}

}  // namespace hc::node

#include <hc/node/config.h>

#include <hc/core/error.h>
#include <hc/core/io.h>

#include <charconv>
#include <set>

namespace hc::node {
namespace {

using json::Value;

std::string folder_of(const std::string& path) {
  auto s = path.find_last_of('/');
  return s == std::string::npos ? std::string() : path.substr(0, s + 1);
}

std::string resolve(const std::string& base, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  return base + p;
}

[[noreturn]] void fail(const std::string& path, const std::string& field, const std::string& why) {
  throw Error(Exit::config, why).file(path).field(field);
}

std::string str(const Value& v, const std::string& key, const std::string& path, bool required) {
  if (!v.contains(key)) {
    if (required) fail(path, key, "missing");
    return {};
  }
  if (!v[key].is_string() || v[key].get<std::string>().empty()) fail(path, key, "must be a non-empty string");
  return v[key].get<std::string>();
}

uint64_t num(const Value& v, const std::string& key, const std::string& path, uint64_t lo, uint64_t hi,
             uint64_t dflt) {
  if (!v.contains(key)) return dflt;
  if (!v[key].is_number_integer() || v[key].get<int64_t>() < 0) fail(path, key, "must be a whole number");
  uint64_t n = v[key].get<uint64_t>();
  if (n < lo || n > hi) fail(path, key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return n;
}

}  // namespace

Address Address::parse(std::string_view text, std::string_view field, bool allow_zero) {
  auto bad = [&](const std::string& why) {
    return Error(Exit::config, "address \"" + std::string(text) + "\": " + why).field(std::string(field));
  };
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) throw bad("expected host:port");
  std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned p = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || end != port.data() + port.size() || p > 65535 || (p == 0 && !allow_zero))
    throw bad("the port must be a number from 1 to 65535");
  return Address{std::string(host), uint16_t(p)};
}

Config Config::load(const std::string& path) {
  std::string text = io::read_all(path, 1u << 20);
  Value v;
  try {
    v = json::parse(text, path);
  } catch (Error& e) {
    throw Error(Exit::config, e.message()).file(path).line(e.line()).field(e.field());
  }
  return from_json(v, path);
}

Config Config::from_json(const Value& v, const std::string& path) {
  if (!v.is_object()) fail(path, "", "must be a JSON object");
  static const std::set<std::string> known = {"type",     "data_dir",   "key",        "passphrase_file",
                                              "genesis",  "listen",     "api",        "api_public",
                                              "peers",    "timeouts",   "mempool_max_txs",
                                              "mempool_max_bytes", "max_block_bytes"};
  for (auto it = v.begin(); it != v.end(); ++it)
    if (!known.count(it.key())) fail(path, it.key(), "unknown member");
  if (str(v, "type", path, true) != "hc-node-config-v1") fail(path, "type", "must be \"hc-node-config-v1\"");
  std::string base = folder_of(path);
  Config c;
  c.path = path;
  c.data_dir = resolve(base, str(v, "data_dir", path, true));
  c.key = resolve(base, str(v, "key", path, true));
  c.passphrase_file = resolve(base, str(v, "passphrase_file", path, false));
  c.genesis = resolve(base, str(v, "genesis", path, true));
  if (v.contains("listen")) c.listen = Address::parse(str(v, "listen", path, true), "listen", true);
  if (v.contains("api")) c.api = Address::parse(str(v, "api", path, true), "api", true);
  if (v.contains("api_public")) {
    if (!v["api_public"].is_boolean()) fail(path, "api_public", "must be true or false");
    c.api_public = v["api_public"].get<bool>();
  }
  if (!c.api_public && c.api.host != "127.0.0.1" && c.api.host != "::1" && c.api.host != "localhost")
    fail(path, "api", "the API listens on loopback only unless \"api_public\" is true");
  if (v.contains("peers")) {
    const Value& ps = v["peers"];
    if (!ps.is_array() || ps.size() > 256) fail(path, "peers", "must be an array of at most 256 peers");
    for (size_t i = 0; i < ps.size(); ++i) {
      std::string f = "peers[" + std::to_string(i) + "]";
      if (!ps[i].is_object()) fail(path, f, "must be an object {\"key\",\"address\"}");
      for (auto it = ps[i].begin(); it != ps[i].end(); ++it)
        if (it.key() != "key" && it.key() != "address") fail(path, f + "." + it.key(), "unknown member");
      PeerConfig p;
      p.key = resolve(base, str(ps[i], "key", path, true));
      p.address = str(ps[i], "address", path, false);
      if (!p.address.empty()) Address::parse(p.address, f + ".address");
      c.peers.push_back(p);
    }
  }
  if (v.contains("timeouts")) {
    const Value& t = v["timeouts"];
    if (!t.is_object()) fail(path, "timeouts", "must be an object");
    for (auto it = t.begin(); it != t.end(); ++it)
      if (it.key() != "propose_ms" && it.key() != "prevote_ms" && it.key() != "precommit_ms")
        fail(path, "timeouts." + it.key(), "unknown member");
    c.timeouts.propose_ms = num(t, "propose_ms", path, 10, 600000, c.timeouts.propose_ms);
    c.timeouts.prevote_ms = num(t, "prevote_ms", path, 10, 600000, c.timeouts.prevote_ms);
    c.timeouts.precommit_ms = num(t, "precommit_ms", path, 10, 600000, c.timeouts.precommit_ms);
    c.timeouts.propose_delta_ms = c.timeouts.propose_ms / 2;
    c.timeouts.prevote_delta_ms = c.timeouts.prevote_ms / 2;
    c.timeouts.precommit_delta_ms = c.timeouts.precommit_ms / 2;
  }
  c.mempool_max_txs = num(v, "mempool_max_txs", path, 1, 10000000, c.mempool_max_txs);
  c.mempool_max_bytes = num(v, "mempool_max_bytes", path, 1 << 16, uint64_t(1) << 34, c.mempool_max_bytes);
  c.max_block_bytes = num(v, "max_block_bytes", path, 1 << 16, 7u << 20, c.max_block_bytes);
  return c;
}

json::Value Config::to_json() const {
  Value peers = Value::array();
  for (auto& p : this->peers) {
    Value e = {{"key", p.key}};
    if (!p.address.empty()) e["address"] = p.address;
    peers.push_back(e);
  }
  Value v = {{"type", "hc-node-config-v1"},
             {"data_dir", data_dir},
             {"key", key},
             {"genesis", genesis},
             {"listen", listen.to_string()},
             {"api", api.to_string()},
             {"peers", peers},
             {"timeouts",
              {{"propose_ms", timeouts.propose_ms},
               {"prevote_ms", timeouts.prevote_ms},
               {"precommit_ms", timeouts.precommit_ms}}}};
  if (!passphrase_file.empty()) v["passphrase_file"] = passphrase_file;
  return v;
}

}  // namespace hc::node

// Routes (all JSON; errors are {"error": message, "exit": code}):
//   POST /v1/tx            one transaction (JSON)     → 202 {"tx_id","status"}
//   POST /v1/txs           JSON Lines, ≤ 10000        → 200 {"results":[{"tx_id","status"}|{"line","error"}]}
//   GET  /v1/tx/ID                                    → {"tx_id","status",["height","index"]} | 404
//   GET  /v1/block/HEIGHT                             → {"block","commit"} | 404
//   GET  /v1/block/HEIGHT?view=tx_ids                 → {"height","tx_ids":[hex...]} | 404
//   GET  /v1/query?where=F%3DV&group_by=F&rows=1&threshold=N → JSON Lines (as hc-ledger query)
//   GET  /v1/status, GET /v1/health
//   GET  /v1/ledger/stat, /v1/ledger/tx/ID, /v1/ledger/prove/ID,
//        /v1/ledger/consistency/A/B  → as hc-ledger stat, show ID, prove (for hc-ledger --node)
#include "api.h"

#include <hc/core/error.h>
#include <hc/json/json.h>

#include <charconv>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>

namespace hc::node_tool {
namespace {

using json::Value;

constexpr size_t k_max_body = size_t(32) << 20;
constexpr size_t k_max_batch = 10000;  // transactions in one POST /v1/txs

int http_status(Exit e) {
  switch (e) {
    case Exit::usage:
    case Exit::data:
      return 400;
    case Exit::invalid:
      return 422;
    case Exit::temp:
      return 503;
    default:
      return 500;
  }
}

void reply(httplib::Response& res, int status, const Value& v) {
  res.status = status;
  res.set_content(json::dump(v, false), "application/json");
}

void reply_error(httplib::Response& res, const Error& e) {
  reply(res, http_status(e.code()), Value{{"error", e.describe()}, {"exit", int(e.code())}});
}

template <class F>
void guarded(httplib::Response& res, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    reply_error(res, e);
  } catch (const std::exception& e) {
    reply(res, 500, Value{{"error", std::string("internal error: ") + e.what()}, {"exit", 70}});
  }
}

}  // namespace

struct Api::Impl {
  node::Node& node;
  httplib::Server server;
  int port = 0;
  std::thread thread;
  explicit Impl(node::Node& n) : node(n) {}
};

Api::Api(node::Node& node, const std::string& host, uint16_t port) : m(std::make_unique<Impl>(node)) {
  auto& s = m->server;
  s.new_task_queue = [] { return new httplib::ThreadPool(2); };
  s.set_payload_max_length(k_max_body);
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  s.set_keep_alive_max_count(1000);
  node::Node& n = node;

  s.Post("/v1/tx", [&n](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] { reply(res, 202, n.submit(req.body)); });
  });
  s.Post("/v1/txs", [&n](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      auto batch = node::split_batch(req.body, k_max_batch);
      std::vector<std::string_view> texts;
      texts.reserve(batch.size());
      for (const auto& b : batch) texts.push_back(b.text);
      auto results = n.submit_batch(texts);
      // Written directly: no JSON tree for thousands of short results.
      std::string out = "{\"results\":[";
      for (size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        if (i) out += ',';
        if (!r.error.empty()) {
          out += json::dump(Value{{"line", batch[i].line}, {"error", r.error}, {"exit", r.exit}}, false);
        } else if (r.status == "committed") {
          out += fmt::format(R"({{"height":{},"status":"committed","tx_id":"{}"}})", r.height, r.tx_id);
        } else {
          out += fmt::format(R"({{"status":"{}","tx_id":"{}"}})", r.status, r.tx_id);
        }
      }
      out += "]}";
      res.status = 200;
      res.set_content(out, "application/json");
    });
  });
  s.Get(R"(/v1/tx/([0-9a-fA-F]{1,128}))", [&n](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      auto v = n.tx_status(req.matches[1].str());
      if (!v) return reply(res, 404, Value{{"error", "unknown transaction"}, {"exit", 66}});
      reply(res, 200, *v);
    });
  });
  s.Get(R"(/v1/block/([0-9]{1,20}))", [&n](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      std::string t = req.matches[1].str();
      uint64_t h = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), h);
      if (ec != std::errc() || p != t.data() + t.size()) throw Error(Exit::data, "bad height").field("height");
      if (req.get_param_value("view") == "tx_ids") {
        auto ids = n.block_tx_ids(h);
        if (!ids) return reply(res, 404, Value{{"error", "no block at this height"}, {"exit", 66}});
        std::string out = fmt::format(R"({{"height":{},"tx_ids":[)", h);
        for (size_t i = 0; i < ids->size(); ++i) out += fmt::format(R"({}"{}")", i ? "," : "", (*ids)[i]);
        out += "]}";
        res.status = 200;
        return res.set_content(out, "application/json");
      }
      auto v = n.block(h);
      if (!v) return reply(res, 404, Value{{"error", "no block at this height"}, {"exit", 66}});
      reply(res, 200, *v);
    });
  });
  s.Get("/v1/query", [&n](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      ledger::Query q;
      auto count = req.get_param_value_count("where");
      if (count > 32) throw Error(Exit::usage, "at most 32 where filters");
      for (size_t i = 0; i < count; ++i) q.where.push_back(ledger::Query::parse_where(req.get_param_value("where", i)));
      if (req.has_param("group_by")) q.group_by = req.get_param_value("group_by");
      if (req.has_param("rows")) q.rows = req.get_param_value("rows") == "1" || req.get_param_value("rows") == "true";
      if (req.has_param("threshold")) {
        std::string t = req.get_param_value("threshold");
        uint64_t v = 0;
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc() || p != t.data() + t.size() || v < ledger::Query::k_min_threshold || v > 1000)
          throw Error(Exit::usage, "threshold must be 5..1000").hint("counts below 5 are never shown");
        q.threshold = v;
      }
      std::string out;
      n.query(q, [&](const Value& v) {
        if (out.size() > k_max_body) throw Error(Exit::data, "the answer is larger than 32 MiB").hint("narrow the query");
        out += json::dump(v, false);
        if (out.empty() || out.back() != '\n') out += '\n';
      });
      res.status = 200;
      res.set_content(out, "application/jsonl");
    });
  });
  s.Get("/v1/status", [&n](const httplib::Request&, httplib::Response& res) {
    guarded(res, [&] { reply(res, 200, n.status()); });
  });
  // The read side of hc-ledger --node (lib/node/client.cpp): the same JSON
  // as the local subcommands.
  s.Get("/v1/ledger/stat", [&n](const httplib::Request&, httplib::Response& res) {
    guarded(res, [&] { reply(res, 200, n.read_ledger([](ledger::Ledger& l) { return l.stat(); })); });
  });
  s.Get(R"(/v1/ledger/tx/([0-9a-f]{64}))", [&n](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      std::string id = req.matches[1].str();
      Value v = n.read_ledger([&](ledger::Ledger& l) -> Value {
        auto h = ledger::hash_from_hex(id, "tx_id");
        auto loc = l.locate(h);
        if (!loc) return nullptr;
        return Value{{"tx_id", id}, {"height", loc->height}, {"index", loc->index}, {"tx", l.tx(h)->to_json()}};
      });
      if (v.is_null()) return reply(res, 404, Value{{"error", "no transaction " + id + " in this ledger"}, {"exit", 66}});
      reply(res, 200, v);
    });
  });
  s.Get(R"(/v1/ledger/prove/([0-9a-f]{64}))", [&n](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      auto h = ledger::hash_from_hex(req.matches[1].str(), "tx_id");
      reply(res, 200, n.read_ledger([&](ledger::Ledger& l) { return l.prove_inclusion(h); }));
    });
  });
  s.Get(R"(/v1/ledger/consistency/([0-9]{1,19})/([0-9]{1,19}))", [&n](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      uint64_t a = std::stoull(req.matches[1].str()), b = std::stoull(req.matches[2].str());
      reply(res, 200, n.read_ledger([&](ledger::Ledger& l) { return l.prove_consistency(a, b); }));
    });
  });
  s.Get("/v1/health", [&n](const httplib::Request&, httplib::Response& res) {
    guarded(res, [&] { reply(res, 200, n.health()); });
  });

  if (port == 0) {
    m->port = s.bind_to_any_port(host);
  } else {
    m->port = s.bind_to_port(host, port) ? port : -1;
  }
  if (m->port <= 0)
    throw Error(Exit::unavailable, "cannot listen for the API on " + host + ":" + std::to_string(port))
        .hint("is another node using the port?");
}

Api::~Api() { stop(); }

uint16_t Api::port() const { return uint16_t(m->port); }

void Api::start() {
  m->thread = std::thread([this] { m->server.listen_after_bind(); });
}

void Api::stop() {
  m->server.stop();
  if (m->thread.joinable()) m->thread.join();
}

}  // namespace hc::node_tool

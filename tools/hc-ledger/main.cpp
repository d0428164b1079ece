// hc-ledger: the consortium ledger on LMDB (see hc-ledger(1)).
#include "common/cli.h"
#include "common/options.h"

#include <hc/core/io.h>
#include <hc/keys/keys.h>
#include <hc/ledger/ledger.h>
#include <hc/ledger/proof.h>
#include <hc/node/client.h>

#include <cstdio>
#include <ctime>

#include <fmt/format.h>

namespace L = hc::ledger;
using hc::json::Value;

namespace {

// dir and producer (init's single organisation) come from LedgerOptions.
struct Options : hc::tool::LedgerOptions {
  std::string genesis, key, name = "hc ledger", kind, data, data_file, nonce, proof_file;
  std::string trusted_hash, trusted_header, output = "-", input = "-", group_by, what, node;
  std::vector<std::string> files, sets, where;
  std::vector<uint64_t> consistency;
  uint64_t from = 0, to = UINT64_MAX, threshold = 5;
  size_t block_size = 0;
  unsigned threads = L::default_threads();
  bool rows = false, force = false, quiet = false;
};

using hc::tool::ledger_dir;
using hc::tool::unlock_key;
void print(const Value& v) { hc::tool::print_json(v); }

/// Reads signed transactions (JSON Lines), parsing a chunk at a time on all cores.
template <class Fn>
void read_txs(const std::string& path, unsigned threads, Fn&& each_chunk) {
  hc::io::LineReader in(path, L::k_max_tx_bytes * 2);
  std::vector<std::string> lines;
  std::vector<uint64_t> numbers;
  auto flush = [&] {
    std::vector<L::Tx> txs(lines.size());
    L::parallel_for(lines.size(), threads, [&](size_t i) { txs[i] = L::parse_tx(lines[i], in.name(), numbers[i]); });
    each_chunk(std::move(txs), numbers);
    lines.clear();
    numbers.clear();
  };
  std::string line;
  while (in.next(line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    lines.push_back(line);
    numbers.push_back(in.line_number());
    if (lines.size() == 20000) flush();
  }
  if (!lines.empty()) flush();
}

/// Appends (one pipelined call: signatures of later blocks are checked while
/// earlier ones are written), turning "block H transaction I" errors into
/// the input line.
std::vector<uint64_t> append(L::Ledger& l, std::vector<L::Tx> txs, const hc::keys::SecretKey& key, const Options& o,
                             const std::vector<uint64_t>& lines, const std::string& source) {
  L::State s = l.state();
  size_t bs = o.block_size ? std::min<size_t>(o.block_size, s.params.max_block_txs) : s.params.max_block_txs;
  try {
    return l.append_txs(std::move(txs), key, bs, o.threads);
  } catch (hc::Error& e) {
    // Blocks of bs transactions from height s.height on: block H holds the
    // input's transactions from (H - s.height) * bs.
    const std::string& m = e.message();
    unsigned long long h = 0, i = 0;
    if (e.code() == hc::Exit::invalid && !lines.empty() &&
        std::sscanf(m.c_str(), "block %llu transaction %llu", &h, &i) == 2 && h >= s.height) {
      size_t at = size_t(h - s.height) * bs + size_t(i);
      if (at < lines.size()) e.file(source).line(lines[at]);
    }
    throw;
  }
}

std::string chain_of(const Options& o) { return L::Ledger(ledger_dir(o), true).state().chain; }

/// Builds the data object of `submit` from --data/--data-file and --set a.b=v.
Value build_data(const Options& o) {
  Value d = Value::object();
  if (!o.data.empty()) d = hc::json::parse(o.data, "--data");
  if (!o.data_file.empty()) d = hc::json::parse(hc::io::read_all(o.data_file), o.data_file);
  for (auto& s : o.sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw hc::Error(hc::Exit::usage, "--set needs KEY=VALUE, got \"" + s + "\"");
    std::string k = s.substr(0, eq), v = s.substr(eq + 1);
    Value val;
    try {
      val = hc::json::parse(v, "--set");
    } catch (const hc::Error&) {
      val = v;  // a plain string
    }
    Value::json_pointer ptr("/" + [&] { std::string p = k; for (auto& c : p) if (c == '.') c = '/'; return p; }());
    d[ptr] = val;
  }
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The hc consortium ledger: signed transactions in blocks on LMDB, RFC 9162 Merkle proofs, full "
               "verification, and queries that never reveal a patient."};
  hc::tool::setup(app, "hc-ledger");
  Options o;
  hc::tool::add_ledger_dir(app, o);
  app.add_option("-j,--threads", o.threads, "Threads for signature checks (default: all cores)")->check(CLI::Range(1, 256));
  app.add_flag("-q,--quiet", o.quiet, "Print nothing but data and errors");
  app.add_option("--node", o.node, "Use a running hc-node's API (http://HOST:PORT) instead of -d (show, stat, query, prove, submit)");
  app.require_subcommand(1);

  auto* init = app.add_subcommand("init", "Create a ledger from a genesis document or for one organisation");
  auto* g = init->add_option("--genesis", o.genesis, "Genesis document (JSON)");
  auto* p = init->add_option("--producer", o.producer, "Key (public or private) of the single organisation");
  g->excludes(p);
  init->add_option("--name", o.name, "Chain name for --producer");

  auto* app_ = app.add_subcommand("append", "Seal signed transactions (JSON Lines on stdin) into blocks");
  app_->add_option("--key", o.key, "Producer's private key (a delegate)")->required();
  app_->add_option("--block-size", o.block_size, "Transactions per block (default: the chain's maximum)")->check(CLI::Range(1, 100000));
  app_->add_option("INPUT", o.input, "Transactions file (default: stdin)");

  auto* submit = app.add_subcommand("submit", "Build and sign one transaction; print it, or append it with --producer");
  submit->add_option("--key", o.key, "Signer's private key")->required();
  submit->add_option("--kind", o.kind, "Transaction kind (emr.index, consent.grant, anchor, ...)")->required();
  submit->add_option("--data", o.data, "The data object as JSON");
  submit->add_option("--data-file", o.data_file, "The data object from a JSON file");
  submit->add_option("--set", o.sets, "KEY=VALUE in the data (dots nest: fields.gender=F; JSON values allowed)");
  submit->add_option("--nonce", o.nonce, "Makes an otherwise identical transaction distinct");
  submit->add_option("--producer", o.producer, "Append it in a block sealed by this delegate key");

  auto* anchor = app.add_subcommand("anchor", "Record proof of existence of files (one anchor transaction each)");
  anchor->add_option("--key", o.key, "Signing and producing key (a delegate)")->required();
  anchor->add_option("FILE", o.files, "Files to anchor")->required();
  anchor->add_option("--block-size", o.block_size, "Transactions per block (default: the chain's maximum)")->check(CLI::Range(1, 100000));

  auto* show = app.add_subcommand("show", "Print a block (by height) or a transaction (by ID)");
  show->add_option("WHAT", o.what, "Block height or transaction ID (64 hex)")->required();

  auto* stat = app.add_subcommand("stat", "Print the head: height, hash, counts (JSON)");

  auto* verify = app.add_subcommand("verify", "Re-check every block, signature and rule; exit 1 at the first bad height");
  verify->add_option("--from", o.from, "Check signatures from this height (earlier blocks are replayed)");
  verify->add_option("--to", o.to, "Stop at this height");

  auto* prove = app.add_subcommand("prove", "Print an inclusion proof of a transaction, or a consistency proof");
  prove->add_option("TXID", o.what, "Transaction ID");
  prove->add_option("--consistency", o.consistency, "Two heights A B: prove the history at B extends that at A")->expected(2);

  auto* check = app.add_subcommand("check-proof", "Check a proof offline against a trusted block hash or header");
  check->add_option("PROOF", o.proof_file, "Proof file (default: stdin)");
  check->add_option("--trusted-hash", o.trusted_hash, "Hash of a block you trust (e.g. the head from stat)");
  check->add_option("--trusted-header", o.trusted_header, "A block header you trust (JSON file)");

  auto* query = app.add_subcommand("query", "Count or list non-identifying EMR index fields; small counts suppressed");
  query->add_option("--where", o.where, "FIELD OP VALUE, OP one of = != < <= > >= (fields: age, age_band, gender, condition, procedure, care_plan)");
  query->add_option("--group-by", o.group_by, "Count per value of a field");
  query->add_flag("--rows", o.rows, "List the matching records' non-identifying fields");
  query->add_option("--threshold", o.threshold, "Counts below this are shown as \"< N\" (default 5; may only be raised)")
      ->check(CLI::Range(uint64_t(5), uint64_t(1000000)));

  auto* exp = app.add_subcommand("export", "Write the ledger as JSON Lines (genesis, then one block per line)");
  exp->add_option("-o,--output", o.output, "Output file (default: stdout)");
  exp->add_flag("-f,--force", o.force, "Replace an existing output file");
  exp->add_option("--from", o.from, "First height");
  exp->add_option("--to", o.to, "Last height");

  auto* imp = app.add_subcommand("import", "Create a ledger from an export, re-verifying every block");
  imp->add_option("INPUT", o.input, "Export file (default: stdin)");

  return hc::tool::run(app, argc, argv, [&]() -> int {
    hc::tool::set_quiet(o.quiet);
    std::optional<hc::node::Client> node;  // --node: the remote ledger
    if (!o.node.empty()) {
      if (!(submit->parsed() || show->parsed() || stat->parsed() || prove->parsed() || query->parsed()))
        throw hc::Error(hc::Exit::usage, "--node works with show, stat, query, prove and submit");
      if (submit->parsed() && !o.producer.empty()) throw hc::Error(hc::Exit::usage, "--node and --producer exclude each other");
      node.emplace(o.node);
    }
    if (init->parsed()) {
      if (o.genesis.empty() && o.producer.empty()) throw hc::Error(hc::Exit::usage, "init needs --genesis FILE or --producer KEY");
      L::Genesis gen;
      if (!o.genesis.empty()) {
        gen = L::Genesis::parse(hc::json::parse(hc::io::read_all(o.genesis), o.genesis), o.genesis);
      } else {
        auto pub = hc::keys::load_public(o.producer);
        L::Member m{pub.key_id, pub.ed25519, pub.label, 1, hc::keys::role_name(pub.role)};
        gen = L::Genesis::single(m, o.name, int64_t(std::time(nullptr)));
      }
      L::Ledger::init(ledger_dir(o), gen);
      print(L::Ledger(ledger_dir(o), true).stat());
    } else if (app_->parsed()) {
      L::Ledger l(ledger_dir(o));
      auto key = unlock_key(o.key);
      read_txs(o.input, o.threads, [&](std::vector<L::Tx> txs, const std::vector<uint64_t>& lines) {
        std::vector<std::string> ids;
        for (auto& t : txs) ids.push_back(L::to_hex(t.id));
        auto before = l.state().height;
        append(l, std::move(txs), key, o, lines, o.input == "-" ? "<stdin>" : o.input);
        // Report where each transaction landed.
        std::string out;
        for (auto& id : ids) {
          auto loc = l.locate(L::hash_from_hex(id, "tx_id"));
          out += hc::json::dump(Value{{"tx_id", id}, {"height", loc ? loc->height : before}}, false);
        }
        hc::io::write_stdout(out);
      });
    } else if (submit->parsed()) {
      auto key = unlock_key(o.key);
      std::string chain = node ? node->chain() : chain_of(o);
      auto tx = L::make_tx(key, chain, o.kind, build_data(o), int64_t(std::time(nullptr)), o.nonce);
      if (node) {
        print(node->submit(tx.bytes));
      } else if (o.producer.empty()) {
        hc::io::write_stdout(tx.bytes + "\n");
      } else {
        L::Ledger l(ledger_dir(o));
        auto pk = o.producer == o.key ? std::move(key) : unlock_key(o.producer);
        auto h = append(l, {tx}, pk, o, {}, "");
        print(Value{{"tx_id", L::to_hex(tx.id)}, {"height", h.front()}});
      }
    } else if (anchor->parsed()) {
      L::Ledger l(ledger_dir(o));
      auto key = unlock_key(o.key);
      std::string chain = l.state().chain;
      std::vector<L::Tx> txs;
      std::vector<std::string> sums;
      int64_t now = std::time(nullptr);
      for (auto& f : o.files) {
        // Stream the file through SHA-256: documents can be large.
        std::FILE* fp = std::fopen(f.c_str(), "rb");
        if (!fp) throw hc::Error(hc::Exit::no_input, "cannot read the file").file(f);
        hc::crypto::Sha256 h;
        std::vector<char> buf(1 << 16);
        size_t n;
        while ((n = std::fread(buf.data(), 1, buf.size(), fp)) > 0) h.update(std::string_view(buf.data(), n));
        bool err = std::ferror(fp);
        std::fclose(fp);
        if (err) throw hc::Error(hc::Exit::io, "read error").file(f);
        auto sum = hc::crypto::hex(h.final());
        auto base = f.substr(f.find_last_of('/') == std::string::npos ? 0 : f.find_last_of('/') + 1);
        txs.push_back(L::make_tx(key, chain, "anchor", Value{{"sha256", sum}, {"label", base}}, now,
                                 hc::crypto::hex(hc::crypto::random_bytes(8))));
        sums.push_back(sum);
      }
      std::vector<std::string> ids;
      for (auto& t : txs) ids.push_back(L::to_hex(t.id));
      auto heights = append(l, std::move(txs), key, o, {}, "");
      std::string out;
      for (size_t i = 0; i < ids.size(); ++i)
        out += hc::json::dump(Value{{"tx_id", ids[i]}, {"file", o.files[i]}, {"sha256", sums[i]}, {"height", l.locate(L::hash_from_hex(ids[i], "tx_id"))->height}}, false);
      hc::io::write_stdout(out);
    } else if (show->parsed() && node) {
      print(node->show(o.what));
    } else if (show->parsed()) {
      L::Ledger l(ledger_dir(o), true);
      if (o.what.size() == 64) {
        auto id = L::hash_from_hex(o.what, "TXID");
        auto loc = l.locate(id);
        if (!loc) throw hc::Error(hc::Exit::no_input, "no transaction " + o.what + " in this ledger");
        print(Value{{"tx_id", o.what}, {"height", loc->height}, {"index", loc->index}, {"tx", l.tx(id)->to_json()}});
      } else {
        if (o.what.empty() || o.what.size() > 19 || o.what.find_first_not_of("0123456789") != std::string::npos)
          throw hc::Error(hc::Exit::usage, "WHAT must be a block height or a 64-hex transaction ID, not \"" + o.what + "\"");
        auto b = l.block(std::stoull(o.what));
        if (!b) throw hc::Error(hc::Exit::no_input, "no block at height " + o.what + " (head is " + std::to_string(l.state().height - 1) + ")");
        Value v = b->to_json();
        v["hash"] = L::to_hex(b->hash());
        print(v);
      }
    } else if (stat->parsed()) {
      print(node ? node->stat() : L::Ledger(ledger_dir(o), true).stat());
    } else if (verify->parsed()) {
      L::Ledger l(ledger_dir(o), true);
      L::VerifyOptions vo;
      vo.from = o.from;
      if (o.to != UINT64_MAX) vo.to = o.to;
      vo.threads = o.threads;
      bool tty = hc::tool::stderr_is_tty() && !o.quiet;
      if (tty)
        vo.progress = [last = std::time(nullptr)](uint64_t h, uint64_t to) mutable {
          if (std::time(nullptr) == last && h != to) return;
          last = std::time(nullptr);
          std::fprintf(stderr, "\rhc-ledger: verifying block %llu of %llu (%3.0f%%)", (unsigned long long)h,
                       (unsigned long long)to, to ? 100.0 * double(h) / double(to) : 100.0);
          if (h == to) std::fputc('\n', stderr);
        };
      auto r = l.verify(vo);
      if (tty && !r.ok) std::fputc('\n', stderr);
      print(r.to_json());
      if (!r.ok) throw hc::Error(hc::Exit::invalid, fmt::format("block {}: {}", *r.bad_height, r.reason)).file(l.dir());
      hc::tool::note(fmt::format("ledger intact: {} blocks, {} transactions checked", r.blocks, r.transactions));
    } else if (prove->parsed()) {
      std::optional<L::Ledger> l;
      if (!node) l.emplace(ledger_dir(o), true);
      if (!o.consistency.empty()) {
        if (!o.what.empty()) throw hc::Error(hc::Exit::usage, "give either TXID or --consistency A B");
        print(node ? node->prove_consistency(o.consistency[0], o.consistency[1])
                   : l->prove_consistency(o.consistency[0], o.consistency[1]));
      } else {
        if (o.what.empty()) throw hc::Error(hc::Exit::usage, "prove needs a TXID or --consistency A B");
        print(node ? node->prove(o.what) : l->prove_inclusion(L::hash_from_hex(o.what, "TXID")));
      }
    } else if (check->parsed()) {
      std::string src = o.proof_file.empty() ? "-" : o.proof_file;
      auto proof = hc::json::parse(hc::io::read_all(src, 1 << 20), src == "-" ? "<stdin>" : src);
      L::Trust t;
      if (!o.trusted_hash.empty()) t.block_hash = o.trusted_hash;
      if (!o.trusted_header.empty()) t.header = hc::json::parse(hc::io::read_all(o.trusted_header, 1 << 20), o.trusted_header);
      try {
        print(L::check_proof(proof, t));
      } catch (hc::Error& e) {
        if (e.file().empty() && e.code() != hc::Exit::usage) e.file(src == "-" ? "<stdin>" : src);
        throw;
      }
    } else if (query->parsed() && node) {
      for (auto& w : o.where) L::Query::parse_where(w);  // usage errors before any request
      std::string out;
      node->query(o.where, o.group_by, o.rows, o.threshold, [&](const Value& v) { out += hc::json::dump(v, false); });
      hc::io::write_stdout(out);
    } else if (query->parsed()) {
      L::Ledger l(ledger_dir(o), true);
      L::Query q;
      for (auto& w : o.where) q.where.push_back(L::Query::parse_where(w));
      q.group_by = o.group_by;
      q.rows = o.rows;
      q.threshold = o.threshold;
      std::string out;
      l.query(q, [&](const Value& v) { out += hc::json::dump(v, false); });
      hc::io::write_stdout(out);
    } else if (exp->parsed()) {
      L::Ledger l(ledger_dir(o), true);
      std::optional<uint64_t> to;
      if (o.to != UINT64_MAX) to = o.to;
      if (o.output == "-" || o.output.empty()) {
        l.export_lines([](std::string_view s) { hc::io::write_stdout(s); }, o.from, to);
      } else {
        hc::io::AtomicFile f(o.output, 0644, o.force ? hc::io::Overwrite::replace : hc::io::Overwrite::refuse);
        l.export_lines([&](std::string_view s) { f.write(s); }, o.from, to);
        f.commit();
      }
    } else if (imp->parsed()) {
      hc::io::LineReader in(o.input, L::k_max_line_bytes);
      auto n = L::Ledger::import(ledger_dir(o), in, o.threads);
      hc::tool::note(fmt::format("imported and verified {} blocks", n));
      print(L::Ledger(ledger_dir(o), true).stat());
    }
    return 0;
  });
}

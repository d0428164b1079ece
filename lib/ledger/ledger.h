// hc::ledger — the consortium ledger on LMDB.
//
// API summary (what hc-ledger and hc-node call):
//
//   Formats (format.h): Tx (parse_tx, make_tx), Header / SignedHeader, Block
//   (parse, to_line, tx_root), Genesis (parse, single, chain_id), Params,
//   Member. Stateless, strict, bounded.
//
//   State machine (state.h): State (core state: chain, params, head,
//   history right edge, members, delegates, votes, banned), and
//       State apply(const State&, const Block&, Lookup&, Effects&, ApplyOptions)
//   the deterministic transition every node computes identically; it throws
//   Error{invalid} "block H [transaction I]: reason". seal_block() builds and
//   signs the next block for a producer. first_bad_signature() checks a batch
//   of transactions on several threads.
//
//   Storage (this file): Ledger over one LMDB environment.
//       Ledger::init(dir, genesis)                      create
//       Ledger l(dir [, read_only]);
//       State s = l.state();                            head state
//       Checked c = l.validate(block);                  check a proposed block, write nothing
//       l.commit(c);                                    one LMDB write txn per block
//       l.append(block)  /  l.append_txs(txs, key)      validate + commit
//       l.block(h), l.header(h), l.locate(id), l.tx(id), l.stat()
//       l.verify(opts)                                  full re-check, both cores, flat memory
//       l.prove_inclusion(id), l.prove_consistency(a, b)   RFC 9162 proofs (proof.h checks them)
//       l.query(q)                                      non-identifying fields, small-cell suppression
//       l.export_lines(fn), Ledger::import(dir, reader)
//   A node validates a proposed block with validate() (no writes) and commits
//   it with commit() once final; commit() refuses (Error{temp}) if the head
//   moved since validate().
#pragma once

#include <hc/ledger/format.h>
#include <hc/ledger/state.h>
#include <hc/store/store.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hc::io {
class LineReader;
}

namespace hc::ledger {

struct TxLocation {
  uint64_t height = 0;
  uint32_t index = 0;
};

/// A block that apply() accepted on top of a given head, ready to commit.
struct Checked {
  Block block;
  State before_head_guard;  ///< only height/head are used: the head it was checked against
  State after;
  Effects effects;
};

struct VerifyOptions {
  uint64_t from = 0;                 ///< signatures are checked from this height (earlier blocks are replayed)
  std::optional<uint64_t> to;        ///< last height (default: head)
  unsigned threads = default_threads();
  /// Called after each block with (height checked, head height) for progress output.
  std::function<void(uint64_t, uint64_t)> progress;
};

struct VerifyReport {
  bool ok = true;
  uint64_t from = 0, to = 0, blocks = 0, transactions = 0;
  std::optional<uint64_t> bad_height;
  std::string reason;
  json::Value to_json() const;
};

/// A query over the non-identifying fields of emr.index transactions.
struct Query {
  struct Where {
    std::string field;  ///< age, age_band, gender, condition, procedure, care_plan
    std::string op;     ///< = != < <= > >=
    std::string value;
  };
  std::vector<Where> where;
  std::string group_by;    ///< empty: one total count
  bool rows = false;       ///< list matching records (only the non-identifying fields)
  /// Cells smaller than this could single out a patient; no caller (CLI,
  /// node API) may lower the threshold below it, only raise it.
  static constexpr uint64_t k_min_threshold = 5;
  uint64_t threshold = k_min_threshold;  ///< counts below this are reported as "< threshold"
  /// Parses "field OP value" (OP one of >= <= != = < >); Error{usage}.
  static Where parse_where(std::string_view text);
};

class Ledger {
 public:
  /// Creates a ledger in `dir` (a new or empty folder). Error{cant_create} if one exists.
  static void init(const std::string& dir, const Genesis& genesis);
  /// Opens a ledger. Error{no_input} if there is none.
  explicit Ledger(const std::string& dir, bool read_only = false);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  const std::string& dir() const;
  Genesis genesis();
  State state();

  Checked validate(Block block, unsigned threads = default_threads());
  /// As validate(), but a transaction for which `verified(tx)` is true skips
  /// its signature check (hc-node checked it on admission to its mempool:
  /// each transaction is verified once per node); the others are checked on
  /// `threads` threads. The header's signature is always checked.
  Checked validate(Block block, unsigned threads, const std::function<bool(const Tx&)>& verified);
  void commit(const Checked& checked);
  void append(Block block, unsigned threads = default_threads());
  /// Seals `txs` into blocks of at most `block_size` with the producer key and
  /// commits them; returns the height of each block made.
  std::vector<uint64_t> append_txs(std::vector<Tx> txs, const keys::SecretKey& producer, size_t block_size = 0,
                                   unsigned threads = default_threads());

  std::optional<SignedHeader> header(uint64_t height);
  std::optional<Block> block(uint64_t height);
  std::optional<TxLocation> locate(const Hash& id);
  std::optional<Tx> tx(const Hash& id);
  json::Value stat();

  VerifyReport verify(const VerifyOptions& options = {});

  /// {"tx_id","height","leaf_index","tree_size","audit_path","root","header","sig",
  ///  "head":{"header","sig"},"history_index","history_size","history_path"}
  json::Value prove_inclusion(const Hash& id);
  /// {"first","second","first_root","second_root","consistency_path","first_header","second_header"}
  json::Value prove_consistency(uint64_t first, uint64_t second);

  /// Calls `out` with each JSON line: records, or counts (see hc-ledger(1)).
  void query(const Query& q, const std::function<void(const json::Value&)>& out);

  /// JSON Lines: {"genesis":{...}}, then one block per line from height 1.
  void export_lines(const std::function<void(std::string_view)>& out, uint64_t from = 1,
                    std::optional<uint64_t> to = std::nullopt);
  /// Creates a ledger in `dir` from an export, re-verifying every block;
  /// Error{invalid} naming the line and height of the first bad block.
  static uint64_t import(const std::string& dir, io::LineReader& in, unsigned threads = default_threads());

  /// Bytes of the LMDB data file in use (including free pages), and of its B-trees alone.
  size_t disk_bytes();
  size_t tree_bytes();

 private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace hc::ledger

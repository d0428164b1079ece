// The ledger on LMDB: tables, commit, reads, verify, proofs, export/import.
//
// Tables (one LMDB environment, folder DIR):
//   meta    "genesis" → canonical genesis document; "state" → canonical State JSON
//   blocks  be64(height) → canonical {"header","sig"}
//   hist    be64(height) → 32-byte block hash (the history tree's leaves)
//   txs     be64(height) be32(index) → canonical transaction bytes
//   txid    first 16 bytes of the tx ID → the set of be64(height) be32(index)
//           (dup_fixed: 12 bytes a value, no per-value header); a lookup
//           confirms the full ID by hashing the stored transaction, so two
//           IDs that share 16 bytes are both indexed and told apart
//   grants  32-byte consent grant ID → grantor key ID (16) + revoked flag (1)
//   emr     be64(height) → the set of be32(index) of its emr.index transactions (dup_fixed)
//   patient patient key ID (8 bytes) → the set of be64(height) be32(index) (dup_fixed)
//   meta "layout" → "2" (this table layout)
#include <hc/ledger/ledger.h>

#include <hc/core/error.h>
#include <hc/core/io.h>
#include <hc/keys/keys.h>
#include <hc/ledger/pool.h>

#include <algorithm>
#include <ctime>
#include <map>

#include <fmt/format.h>

namespace hc::ledger {

using json::Value;
using store::be32;
using store::be64;
using store::from_be32;
using store::from_be64;

namespace {

/// The version of the table layout below (meta "layout").
constexpr const char* k_layout = "2";

std::string pos_key(uint64_t h, uint32_t i) { return be64(h) + be32(i); }
std::string_view hkey(const Hash& h) { return crypto::as_chars(h.data(), h.size()); }
/// The txid table's key: the first 16 bytes of the ID.
std::string_view id_key(const Hash& h) { return crypto::as_chars(h.data(), 16); }

Hash hash_of_bytes(std::string_view b) {
  if (b.size() != 32) throw Error(Exit::data, "damaged hash in the ledger database");
  Hash h;
  std::memcpy(h.data(), b.data(), 32);
  return h;
}

/// The non-identifying fields of the stored emr.index transaction at `pos`
/// (the emr table lists where they are; the fields are stored once, in the
/// transaction itself).
Value fields_of(std::string_view stored) {
  Value v = json::parse(stored, "stored transaction", {.max_bytes = k_max_tx_bytes * 2, .max_depth = k_max_depth});
  try {
    return v.at("body").at("data").at("fields");
  } catch (const nlohmann::json::exception&) {
    throw Error(Exit::data, "the emr index points at a transaction that is not an emr.index");
  }
}

}  // namespace

struct Ledger::Impl {
  store::Env env;
  store::Dbi meta, blocks, hist, txs, txid, grants, emr, patient;
  Impl(const std::string& dir, bool read_only, bool create = false)
      : env(dir, store::Options{.max_dbs = 12, .read_only = read_only, .create = create}) {
    meta = env.dbi("meta");
    blocks = env.dbi("blocks");
    hist = env.dbi("hist");
    txs = env.dbi("txs");
    txid = env.dbi("txid", true);
    grants = env.dbi("grants");
    emr = env.dbi("emr", true);
    patient = env.dbi("patient", true);
  }

  /// The position of the transaction whose ID is `id`, if the chain holds it.
  std::optional<std::string> find_id(const store::Txn& t, const Hash& id) {
    auto c = t.cursor(txid);
    for (bool ok = c.find(id_key(id)); ok; ok = c.next_dup())
      if (id_at(t, c.value()) == id) return std::string(c.value());
    return std::nullopt;
  }
  /// The ID of the stored transaction at a 12-byte position.
  Hash id_at(const store::Txn& t, std::string_view pos) {
    auto v = t.get(txs, pos);
    if (!v || pos.size() != 12) throw Error(Exit::data, "the transaction ID index points at a missing transaction");
    return crypto::sha256(*v);
  }

  State state(const store::Txn& t) {
    auto v = t.get(meta, "state");
    if (!v) throw Error(Exit::no_input, "no ledger here (empty database)").file(env.dir()).hint("create one with `hc-ledger init`");
    return State::from_json(json::parse(*v, env.dir() + " state"));
  }

  /// Lookup against committed tables, as seen by one read transaction.
  struct DbLookup : Lookup {
    Impl& im;
    const store::Txn& t;
    DbLookup(Impl& i, const store::Txn& tx) : im(i), t(tx) {}
    bool tx_known(const Hash& id) override { return im.find_id(t, id).has_value(); }
    std::optional<Grant> grant(const Hash& id) override {
      auto v = t.get(im.grants, hkey(id));
      if (!v) return std::nullopt;
      if (v->size() != 17) throw Error(Exit::data, "damaged grant entry");
      return Grant{std::string(v->substr(0, 16)), (*v)[16] == '1'};
    }
  };

  SignedHeader header_at(const store::Txn& t, uint64_t h) {
    auto v = t.get(blocks, be64(h));
    if (!v) throw Error(Exit::no_input, fmt::format("no block at height {}", h));
    return SignedHeader::from_json(json::parse(*v, fmt::format("block {}", h)), fmt::format("block {}", h));
  }

  /// MTH over the history leaves [b, e) read from `hist`.
  Hash history_subtree(const store::Txn& t, uint64_t b, uint64_t e) {
    std::vector<Hash> leaves;
    leaves.reserve(e - b);
    auto c = t.cursor(hist);
    bool ok = c.seek(be64(b));
    for (uint64_t h = b; h < e; ++h) {
      if (!ok || from_be64(c.key()) != h) throw Error(Exit::data, fmt::format("history entry {} is missing", h));
      leaves.push_back(merkle::leaf_hash(hash_of_bytes(c.value())));
      ok = c.next();
    }
    return merkle::root(leaves);
  }
};

Ledger::Ledger(const std::string& dir, bool read_only) : m(std::make_unique<Impl>(dir, read_only)) {
  auto t = m->env.read();
  m->state(t);  // refuse a folder without a ledger
  auto layout = t.get(m->meta, "layout");
  if (!layout || *layout != k_layout)
    throw Error(Exit::data, "this ledger's tables have another layout than this hc's (" + std::string(k_layout) + ")")
        .file(dir)
        .hint("export it with the hc that made it and import it with this one");
}
Ledger::~Ledger() = default;

const std::string& Ledger::dir() const { return m->env.dir(); }

void Ledger::init(const std::string& dir, const Genesis& g) {
  if (io::exists(dir + "/data.mdb")) {
    store::Env probe(dir, {.max_dbs = 12});
    auto md = probe.dbi("meta");
    auto t = probe.read();
    if (t.get(md, "state")) throw Error(Exit::cant_create, "a ledger already exists here").file(dir);
  }
  Impl im(dir, false, true);
  State s = State::genesis(g);
  SignedHeader sh{g.header(), {}};
  im.env.write([&](store::Txn& t) {
    if (t.get(im.meta, "state")) throw Error(Exit::cant_create, "a ledger already exists here").file(dir);
    t.put(im.meta, "genesis", json::canonical(g.doc));
    t.put(im.meta, "layout", k_layout);
    t.put(im.blocks, be64(0), json::canonical(sh.to_json()));
    t.put(im.hist, be64(0), hkey(sh.header.hash()));
    t.put(im.meta, "state", json::canonical(s.to_json()));
  });
}

Genesis Ledger::genesis() {
  auto t = m->env.read();
  auto v = t.get(m->meta, "genesis");
  if (!v) throw Error(Exit::data, "the ledger database lacks its genesis document").file(dir());
  return Genesis::parse(json::parse(*v, dir() + " genesis"), "genesis");
}

State Ledger::state() {
  auto t = m->env.read();
  return m->state(t);
}

Checked Ledger::validate(Block block, unsigned threads) {
  auto t = m->env.read();
  State before = m->state(t);
  Impl::DbLookup lookup(*m, t);
  Checked c;
  c.after = apply(before, block, lookup, c.effects, {.check_signatures = true, .threads = threads});
  c.before_head_guard.height = before.height;
  c.before_head_guard.head = before.head;
  c.block = std::move(block);
  return c;
}

Checked Ledger::validate(Block block, unsigned threads, const std::function<bool(const Tx&)>& verified) {
  std::vector<size_t> todo;
  for (size_t i = 0; i < block.txs.size(); ++i)
    if (!verified(block.txs[i])) todo.push_back(i);
  std::vector<uint8_t> ok(todo.size(), 1);
  parallel_for(todo.size(), threads, [&](size_t i) { ok[i] = block.txs[todo[i]].signature_valid(); });
  for (size_t i = 0; i < todo.size(); ++i)
    if (!ok[i])
      throw Error(Exit::invalid,
                  fmt::format("block {} transaction {}: signature does not verify", block.header.height, todo[i]));
  auto t = m->env.read();
  State before = m->state(t);
  Impl::DbLookup lookup(*m, t);
  Checked c;
  c.after = apply(before, block, lookup, c.effects, {.check_signatures = false, .threads = 1});
  c.before_head_guard.height = before.height;
  c.before_head_guard.head = before.head;
  c.block = std::move(block);
  return c;
}

void Ledger::commit(const Checked& c) {
  const Block& b = c.block;
  const uint64_t h = b.header.height;
  std::string header_bytes = json::canonical(SignedHeader{b.header, b.sig}.to_json());
  std::string state_bytes = json::canonical(c.after.to_json());
  Hash bh = b.header.hash();
  m->env.write([&](store::Txn& t) {
    State now = m->state(t);
    if (now.height != c.before_head_guard.height || now.head != c.before_head_guard.head)
      throw Error(Exit::temp, fmt::format("the ledger moved on while block {} was checked", h)).hint("check it again");
    t.put(m->blocks, be64(h), header_bytes, true);
    t.put(m->hist, be64(h), hkey(bh), true);
    for (uint32_t i = 0; i < b.txs.size(); ++i) {
      const Tx& x = b.txs[i];
      std::string pk = pos_key(h, i);
      t.put(m->txs, pk, x.bytes, true);
      if (m->find_id(t, x.id))
        throw Error(Exit::invalid, fmt::format("block {} transaction {}: repeats an earlier transaction", h, i));
      t.put(m->txid, id_key(x.id), pk);
      if (x.kind == "emr.index") {
        // The patient is the signer (a stateless emr.index rule).
        t.put(m->emr, be64(h), be32(i));
        auto pid = crypto::unhex(x.signer);
        t.put(m->patient, std::string(pid.begin(), pid.end()), pk);
      }
    }
    for (auto& [id, g] : c.effects.grants) t.put(m->grants, hkey(id), g.grantor + (g.revoked ? "1" : "0"));
    t.put(m->meta, "state", state_bytes);
  });
}

void Ledger::append(Block block, unsigned threads) { commit(validate(std::move(block), threads)); }

std::vector<uint64_t> Ledger::append_txs(std::vector<Tx> txs, const keys::SecretKey& producer, size_t block_size,
                                         unsigned threads) {
  std::vector<uint64_t> heights;
  State s = state();
  if (block_size == 0 || block_size > s.params.max_block_txs) block_size = s.params.max_block_txs;
  // A pipeline: one job checks every signature in input order on the pool's
  // workers, and this thread seals and commits block N (fsync included) as
  // soon as its transactions are checked, helping when it is ahead; so the
  // workers go on with the blocks after N while N is written.
  const size_t n_blocks = txs.empty() ? 1 : (txs.size() + block_size - 1) / block_size;
  // This thread spends much of a block waiting for the disk (the commit's
  // fsync): with `threads` workers besides it, every core stays busy then.
  std::vector<uint8_t> ok(txs.size(), 1);
  Pool pool(threads > 1 ? threads + 1 : 1);
  pool.start(txs.size(), [&](size_t i) {
    ok[i] = txs[i].signature_valid();
    // Neither apply() nor commit() reads the data of these kinds: free the
    // DOM on the pool rather than on the committing thread.
    if (!has_state_rules(txs[i].kind)) txs[i].body = json::Value();
  });
  try {
    for (size_t k = 0; k < n_blocks; ++k) {
      size_t begin = k * block_size, n = std::min(block_size, txs.size() - std::min(txs.size(), begin));
      pool.finish_through(begin + n);
      State now = state();  // another process may have appended meanwhile
      for (size_t i = 0; i < n; ++i)
        if (!ok[begin + i])
          throw Error(Exit::invalid, fmt::format("block {} transaction {}: signature does not verify", now.height, i));
      std::vector<Tx> part(std::make_move_iterator(txs.begin() + long(begin)),
                           std::make_move_iterator(txs.begin() + long(begin + n)));
      Block b = seal_block(now, std::move(part), producer, int64_t(std::time(nullptr)));
      heights.push_back(b.header.height);
      commit(validate(std::move(b), 1, [](const Tx&) { return true; }));
    }
  } catch (...) {
    pool.cancel();
    throw;
  }
  pool.finish();
  return heights;
}

std::optional<SignedHeader> Ledger::header(uint64_t height) {
  auto t = m->env.read();
  if (!t.get(m->blocks, be64(height))) return std::nullopt;
  return m->header_at(t, height);
}

std::optional<Block> Ledger::block(uint64_t height) {
  auto t = m->env.read();
  if (!t.get(m->blocks, be64(height))) return std::nullopt;
  auto sh = m->header_at(t, height);
  Block b;
  b.header = sh.header;
  b.sig = sh.sig;
  auto c = t.cursor(m->txs);
  bool ok = c.seek(be64(height));
  while (ok && c.key().size() == 12 && from_be64(c.key()) == height) {
    b.txs.push_back(parse_tx(c.value(), fmt::format("block {}", height), 0, true));
    ok = c.next();
  }
  return b;
}

std::optional<TxLocation> Ledger::locate(const Hash& id) {
  auto t = m->env.read();
  auto v = m->find_id(t, id);
  if (!v) return std::nullopt;
  return TxLocation{from_be64(v->substr(0, 8)), from_be32(v->substr(8))};
}

std::optional<Tx> Ledger::tx(const Hash& id) {
  auto loc = locate(id);
  if (!loc) return std::nullopt;
  auto t = m->env.read();
  auto v = t.get(m->txs, pos_key(loc->height, loc->index));
  if (!v) throw Error(Exit::data, "transaction index points at a missing transaction");
  return parse_tx(*v, fmt::format("block {}", loc->height), 0, true);
}

size_t Ledger::disk_bytes() { return m->env.used_bytes(); }
size_t Ledger::tree_bytes() { return m->env.tree_bytes(); }



json::Value Ledger::stat() {
  auto t = m->env.read();
  State s = m->state(t);
  auto head = m->header_at(t, s.height - 1);
  return Value{{"chain", s.chain},
               {"height", s.height - 1},
               {"head", to_hex(s.head)},
               {"time", format_time(s.head_time)},
               {"blocks", s.height},
               {"transactions", s.tx_count},
               {"history_root", to_hex(head.header.history_root)},
               {"history_size", head.header.height},
               {"members", s.members.size()},
               {"delegates", s.delegates},
               {"banned", s.banned},
               {"disk_bytes", m->env.used_bytes()}};
}

// ---- verify ------------------------------------------------------------------------

json::Value VerifyReport::to_json() const {
  Value v{{"ok", ok}, {"from", from}, {"to", to}, {"blocks", blocks}, {"transactions", transactions}};
  if (bad_height) {
    v["bad_height"] = *bad_height;
    v["reason"] = reason;
  }
  return v;
}

namespace {

/// verify's view of the past: uniqueness through the stored ID index (which
/// must point at each transaction's own position), grants replayed in memory.
struct ReplayLookup : Lookup {
  const store::Txn& t;
  store::Dbi txid;
  uint64_t height = 0;  // block being checked
  std::map<Hash, Grant> grants;
  ReplayLookup(const store::Txn& tx, store::Dbi d) : t(tx), txid(d) {}
  // verify has checked that the index points at each transaction of the
  // block being applied, at its own position: none is known before it.
  bool tx_known(const Hash&) override { return false; }
  std::optional<Grant> grant(const Hash& id) override {
    auto it = grants.find(id);
    if (it == grants.end()) return std::nullopt;
    return it->second;
  }
};

struct Pending {
  uint64_t height;
  SignedHeader sh;
  std::vector<std::string_view> raw;  // stored tx bytes (valid while the read txn lives)
  Block block;
  std::string error;  // a format error found while reading
};

}  // namespace

VerifyReport Ledger::verify(const VerifyOptions& o) {
  VerifyReport r;
  auto t = m->env.read();
  State head = m->state(t);
  uint64_t last = head.height - 1;
  r.from = o.from;
  r.to = o.to ? std::min(*o.to, last) : last;
  if (o.from > r.to) throw Error(Exit::usage, fmt::format("--from {} is after --to {}", o.from, r.to));

  Genesis g = genesis();
  auto fail = [&](uint64_t h, std::string why) {
    r.ok = false;
    r.bad_height = h;
    r.reason = std::move(why);
    return r;
  };
  // Genesis block: the stored header must be the genesis document's.
  try {
    auto stored = t.get(m->blocks, be64(0));
    if (!stored || *stored != json::canonical(SignedHeader{g.header(), {}}.to_json()))
      return fail(0, "the genesis block does not match the genesis document");
    auto hh = t.get(m->hist, be64(0));
    if (!hh || hash_of_bytes(*hh) != g.header().hash()) return fail(0, "history entry 0 does not match the genesis block");
  } catch (const Error& e) {
    return fail(0, e.describe());
  }
  State s = State::genesis(g);
  ReplayLookup lookup(t, m->txid);
  r.blocks = 1;

  auto tc = t.cursor(m->txs);
  auto ic = t.cursor(m->txid);
  bool tc_ok = tc.seek(be64(1));
  uint64_t h = 1;
  const size_t batch_txs = 4096;

  // A batch of blocks read from the tables (bounded by transaction count, so
  // memory stays flat), whose transactions are parsed, hashed and
  // signature-checked on the pool while the previous batch is applied.
  struct Batch {
    std::vector<Pending> blocks;
    std::vector<std::pair<size_t, size_t>> items;  // (block, transaction)
    std::vector<std::string> errors;
  };
  auto read_batch = [&]() -> std::unique_ptr<Batch> {
    if (h > r.to) return nullptr;
    auto B = std::make_unique<Batch>();
    size_t n_txs = 0;
    while (h <= r.to && (B->blocks.empty() || n_txs < batch_txs)) {
      Pending p;
      p.height = h;
      auto v = t.get(m->blocks, be64(h));
      try {
        if (!v) throw Error(Exit::data, "the block is missing");
        auto hv = json::parse(*v, "header");
        p.sh = SignedHeader::from_json(hv, "header");
        if (json::canonical(hv) != *v) throw Error(Exit::data, "the stored header is not in canonical form");
        if (p.sh.header.tx_count > k_max_block_txs) throw Error(Exit::data, "too many transactions");
      } catch (const Error& e) {
        p.error = e.describe();
      }
      while (tc_ok && tc.key().size() == 12 && from_be64(tc.key()) == h) {
        if (from_be32(tc.key().substr(8)) != p.raw.size() && p.error.empty())
          p.error = fmt::format("transaction {} is missing", p.raw.size());
        p.raw.push_back(tc.value());
        tc_ok = tc.next();
      }
      if (tc_ok && (tc.key().size() != 12 || from_be64(tc.key()) < h) && p.error.empty())
        p.error = "a stored transaction key is damaged";
      n_txs += p.raw.size();
      B->blocks.push_back(std::move(p));
      ++h;
    }
    for (size_t b = 0; b < B->blocks.size(); ++b) {
      B->blocks[b].block.txs.resize(B->blocks[b].raw.size());
      for (size_t i = 0; i < B->blocks[b].raw.size(); ++i) B->items.emplace_back(b, i);
    }
    B->errors.resize(B->items.size());
    return B;
  };
  Pool pool(o.threads);
  auto check = [&](Batch& B) {
    pool.start(B.items.size(), [&B, from = o.from](size_t k) {
      auto [b, i] = B.items[k];
      Pending& p = B.blocks[b];
      try {
        Tx x = parse_tx(p.raw[i], "", 0, true);
        if (p.height >= from && !x.signature_valid()) throw Error(Exit::invalid, "signature does not verify");
        // apply() reads no data of these kinds: free the DOM here, on the
        // thread that made it, rather than keep it for the caller's thread.
        if (!has_state_rules(x.kind)) x.body = json::Value();
        p.block.txs[i] = std::move(x);
      } catch (const Error& e) {
        B.errors[k] = e.message() + (e.field().empty() ? "" : " (field " + e.field() + ")");
      } catch (const std::exception& e) {
        B.errors[k] = e.what();
      }
    });
  };
  // Applies a checked batch in order; false (and r filled in) at the first bad block.
  auto apply_batch = [&](Batch& B) {
    size_t k = 0;
    for (auto& p : B.blocks) {
      size_t first_item = k;
      k += p.raw.size();
      if (!p.error.empty()) return fail(p.height, p.error), false;
      for (size_t i = 0; i < p.raw.size(); ++i)
        if (!B.errors[first_item + i].empty())
          return fail(p.height, fmt::format("transaction {}: {}", i, B.errors[first_item + i])), false;
      p.block.header = p.sh.header;
      p.block.sig = p.sh.sig;
      try {
        if (p.raw.size() != p.sh.header.tx_count)
          throw Error(Exit::invalid, fmt::format("holds {} transactions, the header says {}", p.raw.size(), p.sh.header.tx_count));
        // Every transaction is indexed at its own position: so none repeats
        // one of an earlier block (the index is a function of the ID), and
        // apply() need not look the IDs up again.
        for (size_t i = 0; i < p.raw.size(); ++i) {
          const Hash& id = p.block.txs[i].id;
          std::string pos = pos_key(p.height, uint32_t(i));
          if (!ic.find_both(id_key(id), pos))
            throw Error(Exit::invalid, fmt::format("transaction {}: the ID index does not point at it", i));
          if (ic.dup_count() > 1)  // IDs sharing 16 bytes: none but this one may be this ID
            for (bool ok = ic.find(id_key(id)); ok; ok = ic.next_dup())
              if (ic.value() != pos && m->id_at(t, ic.value()) == id)
                throw Error(Exit::invalid, fmt::format("transaction {}: the ID index points at it twice", i));
        }
        lookup.height = p.height;
        Effects fx;
        s = apply(s, p.block, lookup, fx, {.check_signatures = false, .threads = 1});
        for (auto& [id, gr] : fx.grants) lookup.grants[id] = gr;
        auto hh = t.get(m->hist, be64(p.height));
        if (!hh || hash_of_bytes(*hh) != s.head) throw Error(Exit::invalid, "the history entry does not match the block");
      } catch (const Error& e) {
        std::string msg = e.message();
        auto prefix = fmt::format("block {}: ", p.height);
        if (msg.rfind(prefix, 0) == 0) msg = msg.substr(prefix.size());
        return fail(p.height, msg), false;
      }
      r.blocks++;
      r.transactions += p.raw.size();
      p.block.txs.clear();  // free the batch's memory as it goes
      if (o.progress) o.progress(p.height, r.to);
    }
    return true;
  };

  // The pipeline: batch N+1 is checked on the pool's workers while the
  // caller applies batch N and reads batch N+2 from the tables (so the
  // LMDB reads, Merkle roots and state updates all overlap with signature
  // checks), then the caller joins the checking. At most three batches are
  // held: memory stays flat.
  auto cur = read_batch();
  if (cur) {
    check(*cur);
    pool.finish();
  }
  auto next = read_batch();
  while (cur) {
    if (next) check(*next);
    bool ok;
    std::unique_ptr<Batch> after;
    try {
      ok = apply_batch(*cur);
      if (ok) after = read_batch();
    } catch (...) {
      if (next) pool.finish();  // the workers use *next: let them stop first
      throw;
    }
    if (next) pool.finish();
    if (!ok) return r;
    cur = std::move(next);
    next = std::move(after);
  }
  if (r.to == last && (s.height != head.height || s.head != head.head))
    return fail(last, "the stored state does not match the blocks");
  return r;
}
// ---- proofs ----------------------------------------------------------------------------

namespace {
Value hex_list(const std::vector<Hash>& v) {
  Value a = Value::array();
  for (auto& h : v) a.push_back(to_hex(h));
  return a;
}
}  // namespace

json::Value Ledger::prove_inclusion(const Hash& id) {
  auto t = m->env.read();
  auto v = m->find_id(t, id);
  if (!v) throw Error(Exit::no_input, "no transaction " + to_hex(id) + " in this ledger");
  uint64_t h = from_be64(v->substr(0, 8));
  uint32_t idx = from_be32(v->substr(8));
  auto sh = m->header_at(t, h);
  std::vector<Hash> leaves;
  auto c = t.cursor(m->txs);
  bool ok = c.seek(be64(h));
  while (ok && c.key().size() == 12 && from_be64(c.key()) == h) {
    leaves.push_back(merkle::leaf_hash(crypto::sha256(c.value())));
    ok = c.next();
  }
  if (idx >= leaves.size()) throw Error(Exit::data, "transaction index points outside its block");
  State s = m->state(t);
  uint64_t head_h = s.height - 1;
  auto head = m->header_at(t, head_h);
  std::vector<Hash> hpath;
  if (h < head_h)
    hpath = merkle::inclusion_path(h, head_h, [&](uint64_t b, uint64_t e) { return m->history_subtree(t, b, e); });
  return Value{{"tx_id", to_hex(id)},
               {"height", h},
               {"leaf_index", idx},
               {"tree_size", leaves.size()},
               {"audit_path", hex_list(merkle::inclusion_path(idx, leaves))},
               {"root", to_hex(sh.header.tx_root)},
               {"header", sh.header.to_json()},
               {"sig", sh.to_json()["sig"]},
               {"head", head.to_json()},
               {"history_index", h},
               {"history_size", head_h},
               {"history_path", hex_list(hpath)}};
}

json::Value Ledger::prove_consistency(uint64_t first, uint64_t second) {
  auto t = m->env.read();
  State s = m->state(t);
  uint64_t head_h = s.height - 1;
  if (first == 0) throw Error(Exit::usage, "the first height must be at least 1 (height 0's history tree is empty)");
  if (first > second) throw Error(Exit::usage, fmt::format("the first height {} is after the second {}", first, second));
  if (second > head_h) throw Error(Exit::no_input, fmt::format("no block at height {} (head is {})", second, head_h));
  auto a = m->header_at(t, first), b = m->header_at(t, second);
  auto path = merkle::consistency_path(first, second, [&](uint64_t x, uint64_t y) { return m->history_subtree(t, x, y); });
  return Value{{"first", first},
               {"second", second},
               {"first_root", to_hex(a.header.history_root)},
               {"second_root", to_hex(b.header.history_root)},
               {"consistency_path", hex_list(path)},
               {"first_header", a.to_json()},
               {"second_header", b.to_json()}};
}

// ---- query ---------------------------------------------------------------------------

bool query_matches(const json::Value& fields, const Query& q);  // query.cpp

void Ledger::query(const Query& q, const std::function<void(const json::Value&)>& out) {
  if (!q.group_by.empty() && q.group_by != "age_band" && q.group_by != "gender" && q.group_by != "condition" &&
      q.group_by != "procedure" && q.group_by != "care_plan")
    throw Error(Exit::usage, "cannot group by \"" + q.group_by + "\"")
        .hint("fields: age_band, gender, condition, procedure, care_plan");
  if (q.threshold < Query::k_min_threshold)
    throw Error(Exit::usage, fmt::format("a threshold below {} would show small cells", Query::k_min_threshold));
  auto cell = [&](uint64_t n) -> Value {
    if (n < q.threshold) return fmt::format("< {}", q.threshold);
    return n;
  };
  auto t = m->env.read();
  uint64_t total = 0;
  std::map<std::string, uint64_t> groups;
  auto scan = [&](const std::function<void(const Value&)>& each) {
    auto c = t.cursor(m->emr);
    for (bool ok = c.first(); ok; ok = c.next()) {
      if (c.key().size() != 8 || c.value().size() != 4) throw Error(Exit::data, "damaged emr index entry");
      auto v = t.get(m->txs, std::string(c.key()) + std::string(c.value()));
      if (!v) throw Error(Exit::data, "the emr index points at a missing transaction");
      Value f = fields_of(*v);
      if (query_matches(f, q)) each(f);
    }
  };
  scan([&](const Value& f) {
    ++total;
    if (!q.group_by.empty()) {
      auto it = f.find(q.group_by);
      groups[it == f.end() ? std::string() : it->get<std::string>()]++;
    }
  });
  if (q.rows) {
    // Records are listed only if the whole set is not a small cell.
    if (total < q.threshold) {
      out(Value{{"count", cell(total)}, {"note", "too few records to list"}});
      return;
    }
    scan([&](const Value& f) { out(f); });
    return;
  }
  if (!q.group_by.empty()) {
    for (auto& [g, n] : groups) {
      Value v{{"count", cell(n)}};
      v[q.group_by] = g.empty() ? Value(nullptr) : Value(g);
      out(v);
    }
  }
  out(Value{{"count", cell(total)}, {"total", true}});
}

// ---- export / import -------------------------------------------------------------------

void Ledger::export_lines(const std::function<void(std::string_view)>& out, uint64_t from, std::optional<uint64_t> to) {
  auto t = m->env.read();
  State s = m->state(t);
  uint64_t last = to ? std::min(*to, s.height - 1) : s.height - 1;
  auto gv = t.get(m->meta, "genesis");
  if (!gv) throw Error(Exit::data, "the ledger database lacks its genesis document");
  if (from <= 1) out("{\"genesis\":" + std::string(*gv) + "}\n");
  auto c = t.cursor(m->txs);
  for (uint64_t h = std::max<uint64_t>(from, 1); h <= last; ++h) {
    auto hv = t.get(m->blocks, be64(h));
    if (!hv) throw Error(Exit::data, fmt::format("no block at height {}", h));
    // {"header":..,"sig":..} + ,"txs":[...] : canonical by construction.
    std::string line(hv->substr(0, hv->size() - 1));
    line += ",\"txs\":[";
    bool ok = c.seek(be64(h)), first = true;
    while (ok && c.key().size() == 12 && from_be64(c.key()) == h) {
      if (!first) line += ',';
      first = false;
      line += c.value();
      ok = c.next();
    }
    line += "]}\n";
    out(line);
  }
}

uint64_t Ledger::import(const std::string& dir, io::LineReader& in, unsigned threads) {
  std::string line;
  if (!in.next(line)) throw Error(Exit::data, "empty export: the first line must hold the genesis document").file(in.name());
  Value first = json::parse(line, in.name());
  if (!first.is_object() || first.size() != 1 || !first.contains("genesis"))
    throw Error(Exit::data, "the first line must be {\"genesis\": ...}").file(in.name()).line(1);
  Genesis g = Genesis::parse(first["genesis"], in.name());
  init(dir, g);
  Ledger l(dir);
  uint64_t n = 0;
  while (in.next(line)) {
    if (line.empty()) continue;
    Block b = Block::parse(line, in.name(), in.line_number(), threads);
    try {
      l.append(std::move(b), threads);
    } catch (Error& e) {
      throw std::move(e.file(in.name()).line(in.line_number()));
    }
    ++n;
  }
  return n;
}

}  // namespace hc::ledger

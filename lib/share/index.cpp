// The persisted sharing index (see index.h).
#include <hc/share/index.h>

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>
#include <hc/store/store.h>

#include <cstring>
#include <set>

#include <fmt/format.h>

namespace hc::share {
namespace {

using json::Value;
using store::be32;
using store::be64;
using store::from_be32;
using store::from_be64;

constexpr std::string_view k_version = "1";
constexpr uint64_t k_batch_blocks = 256;  ///< blocks indexed per write transaction

std::string pos_key(uint64_t h, uint32_t i) { return be64(h) + be32(i); }
std::string_view id_bytes(const ledger::Hash& h) { return crypto::as_chars(h.data(), h.size()); }

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

struct Index::Impl {
  ledger::Ledger& l;
  std::unique_ptr<store::Env> env;
  store::Dbi meta = 0, emr = 0, pair = 0, grant = 0, request = 0;
  std::string folder, chain, why;
  uint64_t head = 0;
  std::optional<Chain> full;  ///< the fallback: the whole chain at full->height

  explicit Impl(ledger::Ledger& ledger) : l(ledger), folder(Index::folder(ledger.dir())) {}

  Error damaged(const std::string& what) const {
    return std::move(Error(Exit::data, "the sharing index does not match the ledger: " + what).file(folder))
        .hint("delete the folder; it is rebuilt from the ledger on next use");
  }

  uint64_t height(std::optional<uint64_t> h) const {
    uint64_t to = h.value_or(head);
    if (to > head)
      throw Error(Exit::usage, fmt::format("height {} is beyond the head of the ledger ({})", to, head)).field("height");
    return to;
  }

  const Chain& whole(uint64_t h) {
    if (!full || full->height != h) full = Chain::load(l, h);
    return *full;
  }

  // ---- building ------------------------------------------------------------

  void open() {
    store::Options o;
    o.max_dbs = 8;
    o.map_size = size_t(8) << 20;
    env = std::make_unique<store::Env>(folder, o);
    meta = env->dbi("meta");
    emr = env->dbi("emr");
    pair = env->dbi("pair");
    grant = env->dbi("grant");
    request = env->dbi("request");
  }

  /// The last height indexed, or nullopt if the index must be rebuilt.
  std::optional<uint64_t> indexed(store::Txn& t) {
    auto v = t.get(meta, "version");
    if (!v) return 0;  // new
    auto c = t.get(meta, "chain");
    auto h = t.get(meta, "height");
    auto hs = t.get(meta, "hash");
    if (*v != k_version || !c || *c != chain || !h || h->size() != 8) return std::nullopt;
    uint64_t at = from_be64(*h);
    if (at == 0) return 0;
    if (at > head || !hs) return std::nullopt;
    auto sh = l.header(at);
    if (!sh || id_bytes(sh->header.hash()) != *hs) return std::nullopt;
    return at;
  }

  void clear(store::Txn& t) {
    for (store::Dbi d : {meta, emr, pair, grant, request}) {
      std::vector<std::string> keys;
      auto c = t.cursor(d);
      for (bool ok = c.first(); ok; ok = c.next()) keys.emplace_back(c.key());
      for (auto& k : keys) t.del(d, k);
    }
  }

  void add(store::Txn& t, const ledger::Tx& x, uint64_t h, uint32_t i) {
    const Value& d = x.data();
    std::string pos = pos_key(h, i);
    if (x.kind == "emr.index") {
      t.put(emr, d.at("content_hash").get<std::string>() + pos, id_bytes(x.id));
    } else if (x.kind == "consent.grant") {
      auto g = consent::parse_grant(d, "block " + std::to_string(h));
      t.put(pair, g.grantor + "/" + g.grantee + "/" + pos, g.id);
      t.put(grant, g.id, pos + std::string(id_bytes(x.id)));
    } else if (x.kind == "consent.revoke") {
      auto r = consent::parse_revoke(d, "block " + std::to_string(h));
      auto v = t.get(grant, r.grant);
      // The ledger refuses a revoke of an unknown or revoked grant.
      if (!v || v->size() != 44) throw damaged("block " + std::to_string(h) + " revokes grant " + r.grant);
      t.put(grant, r.grant, std::string(*v) + pos + std::string(id_bytes(x.id)));
    } else if (x.kind == "access") {
      if (const Value* e = json::find(d, "ext"))
        if (const Value* q = json::find(*e, "request"); q && q->is_string())
          t.put(request, q->get<std::string>() + pos, id_bytes(x.id));
    }
  }

  void sync() {
    ledger::State st = l.state();
    chain = st.chain;
    head = st.height - 1;
    for (;;) {
      std::optional<uint64_t> at;
      {
        auto t = env->read();
        at = indexed(t);
      }
      if (at && *at >= head) return;
      env->write([&](store::Txn& t) {
        std::optional<uint64_t> from = indexed(t);  // again: another process may have moved it
        if (!from) {
          clear(t);
          from = 0;
        }
        if (*from >= head) return;
        uint64_t to = std::min(head, *from + k_batch_blocks);
        ledger::Hash last{};
        for (uint64_t h = *from + 1; h <= to; ++h) {
          auto b = l.block(h);
          if (!b) throw Error(Exit::data, fmt::format("the ledger has no block at height {}", h)).file(l.dir());
          for (uint32_t i = 0; i < b->txs.size(); ++i) add(t, b->txs[i], h, i);
          last = b->header.hash();
        }
        t.put(meta, "version", k_version);
        t.put(meta, "chain", chain);
        t.put(meta, "height", be64(to));
        t.put(meta, "hash", id_bytes(last));
      });
    }
  }

  // ---- reading ---------------------------------------------------------------

  /// The transaction `id` (32 bytes), checked to be of `kind` at (h, i).
  ledger::Tx fetch(std::string_view id, uint64_t h, uint32_t i, const char* kind) {
    if (id.size() != 32) throw damaged("a transaction ID of " + std::to_string(id.size()) + " bytes");
    ledger::Hash hid;
    std::memcpy(hid.data(), id.data(), 32);
    auto loc = l.locate(hid);
    if (!loc || loc->height != h || loc->index != i)
      throw damaged(fmt::format("transaction {} is not at block {} index {}", ledger::to_hex(hid), h, i));
    auto x = l.tx(hid);
    if (!x || x->kind != kind) throw damaged("transaction " + ledger::to_hex(hid) + " is not " + kind);
    return std::move(*x);
  }

  std::vector<IndexEntry> entries(const std::string& e, uint64_t upto) {
    std::vector<std::pair<std::string, std::string>> found;  // (position, tx id)
    {
      auto t = env->read();
      auto c = t.cursor(emr);
      for (bool ok = c.seek(e); ok && starts_with(c.key(), e) && c.key().size() == e.size() + 12; ok = c.next()) {
        std::string_view pos = c.key().substr(e.size());
        if (from_be64(pos.substr(0, 8)) > upto) break;
        found.emplace_back(pos, c.value());
      }
    }
    std::vector<IndexEntry> out;
    for (auto& [pos, id] : found) {
      uint64_t h = from_be64(std::string_view(pos).substr(0, 8));
      auto x = fetch(id, h, from_be32(std::string_view(pos).substr(8)), "emr.index");
      out.push_back(index_entry(x, h));
      if (out.back().emr != e) throw damaged("the index entry at block " + std::to_string(h) + " is not for EMR " + e);
    }
    return out;
  }

  std::optional<GrantRecord> grant_at(const std::string& id, uint64_t upto) {
    std::string v;
    {
      auto t = env->read();
      auto x = t.get(grant, id);
      if (!x) return std::nullopt;
      v = *x;
    }
    if (v.size() != 44 && v.size() != 88) throw damaged("grant " + id + " has a record of " + std::to_string(v.size()) + " bytes");
    std::string_view s(v);
    uint64_t h = from_be64(s.substr(0, 8));
    if (h > upto) return std::nullopt;
    auto x = fetch(s.substr(12, 32), h, from_be32(s.substr(8, 4)), "consent.grant");
    GrantRecord r{consent::parse_grant(x.data(), "block " + std::to_string(h)), place_at(x, h), std::nullopt};
    if (r.grant.id != id) throw damaged("the grant at block " + std::to_string(h) + " is not " + id);
    if (v.size() == 88) {
      uint64_t rh = from_be64(s.substr(44, 8));
      if (rh <= upto) {
        auto y = fetch(s.substr(56, 32), rh, from_be32(s.substr(52, 4)), "consent.revoke");
        if (consent::parse_revoke(y.data()).grant != id)
          throw damaged("the revocation at block " + std::to_string(rh) + " is not of grant " + id);
        r.revoked = place_at(y, rh);
      }
    }
    return r;
  }

  std::vector<std::string> grant_ids(const std::string& grantor, const std::string& grantee, uint64_t upto) {
    std::string prefix = grantor + "/" + grantee + "/";
    std::vector<std::string> ids;
    auto t = env->read();
    auto c = t.cursor(pair);
    for (bool ok = c.seek(prefix); ok && starts_with(c.key(), prefix) && c.key().size() == prefix.size() + 12;
         ok = c.next()) {
      if (from_be64(c.key().substr(prefix.size(), 8)) > upto) break;
      ids.emplace_back(c.value());
    }
    return ids;
  }
};

std::string Index::folder(const std::string& ledger_dir) { return ledger_dir + "/share-index"; }

Index::Index(ledger::Ledger& l) : m(std::make_unique<Impl>(l)) {
  try {
    m->open();
    m->sync();
  } catch (const Error& e) {
    // Cannot keep the index here: answer from the chain itself.
    m->env.reset();
    m->why = e.message();
    ledger::State st = l.state();
    m->chain = st.chain;
    m->head = st.height - 1;
  }
}

Index::~Index() = default;

bool Index::persisted() const { return m->env != nullptr; }
const std::string& Index::why() const { return m->why; }
const std::string& Index::chain_id() const { return m->chain; }
uint64_t Index::head() const { return m->head; }
uint64_t Index::height(std::optional<uint64_t> h) const { return m->height(h); }

Chain Index::for_check(const CheckRequest& q, std::optional<uint64_t> height) {
  uint64_t h = m->height(height);
  if (!m->env) return m->whole(h);
  Chain c;
  c.chain_id = m->chain;
  c.height = h;
  if (h == 0) {
    c.block_time = m->l.genesis().time;
  } else {
    auto sh = m->l.header(h);
    if (!sh) throw Error(Exit::data, fmt::format("the ledger has no block at height {}", h)).file(m->l.dir());
    c.block_time = sh->header.time;
  }
  c.index = m->entries(q.emr, h);
  std::set<std::string> patients;
  for (auto& e : c.index) patients.insert(e.patient);
  std::set<std::string> grantees{q.grantee, "*"};
  for (auto& p : patients)
    for (auto& g : grantees)
      for (auto& id : m->grant_ids(p, g, h)) {
        auto r = m->grant_at(id, h);
        if (!r || r->grant.grantor != p || r->grant.grantee != g) throw m->damaged("grant " + id + " is misfiled");
        c.consent.apply(r->grant);
        if (r->revoked) {
          consent::Revoke rv;
          rv.grantor = r->grant.grantor;
          rv.grant = id;
          c.consent.apply(rv);
        }
        c.grants.emplace(id, std::move(*r));
      }
  return c;
}

std::vector<IndexEntry> Index::find_index(const std::string& emr, std::optional<uint64_t> height) {
  uint64_t h = m->height(height);
  if (m->env) return m->entries(emr, h);
  std::vector<IndexEntry> out;
  for (auto* e : m->whole(h).find_index(emr)) out.push_back(*e);
  return out;
}

std::optional<GrantRecord> Index::grant(const std::string& id, std::optional<uint64_t> height) {
  uint64_t h = m->height(height);
  if (m->env) return m->grant_at(id, h);
  const Chain& c = m->whole(h);
  auto it = c.grants.find(id);
  if (it == c.grants.end()) return std::nullopt;
  return it->second;
}

std::optional<AccessRecord> Index::answer(const std::string& request_id, std::optional<uint64_t> height) {
  uint64_t h = m->height(height);
  if (!m->env) {
    for (auto& a : m->whole(h).access)
      if (a.request == request_id) return a;
    return std::nullopt;
  }
  std::string pos, id;
  {
    auto t = m->env->read();
    auto c = t.cursor(m->request);
    if (!c.seek(request_id) || !starts_with(c.key(), request_id) || c.key().size() != request_id.size() + 12)
      return std::nullopt;
    pos = c.key().substr(request_id.size());
    id = c.value();
  }
  uint64_t at = from_be64(std::string_view(pos).substr(0, 8));
  if (at > h) return std::nullopt;
  auto x = m->fetch(id, at, from_be32(std::string_view(pos).substr(8)), "access");
  auto a = access_record(x, at);
  if (a.request != request_id) throw m->damaged("the access record at block " + std::to_string(at) + " answers another request");
  return a;
}

}  // namespace hc::share

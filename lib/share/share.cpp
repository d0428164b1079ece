// The sharing layer (see share.h).
#include <hc/share/share.h>

#include <hc/blobstore/blobstore.h>
#include <hc/core/error.h>
#include <hc/crypto/crypto.h>
#include <hc/seal/age.h>
#include <hc/seal/stream.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace hc::share {
namespace {

using json::Value;

Value opt(const std::string& s) { return s.empty() ? Value(nullptr) : Value(s); }

Place place_of(const ledger::Tx& t, uint64_t height) { return Place{ledger::to_hex(t.id), height, t.time}; }

}  // namespace

// ---- JSON views ---------------------------------------------------------------

Value Place::to_json() const {
  return Value{{"tx_id", tx_id}, {"height", height}, {"time", ledger::format_time(time)}};
}

Value IndexEntry::to_json() const {
  return Value{{"emr", emr},       {"location", location}, {"patient", patient},
               {"resourceType", opt(resource_type)}, {"readers", readers}, {"fields", fields},
               {"tx_id", at.tx_id}, {"height", at.height}, {"time", ledger::format_time(at.time)}};
}

Value AccessRecord::to_json() const {
  return Value{{"time", ledger::format_time(at.time)},
               {"requester", requester},
               {"emr", emr},
               {"purpose", purpose},
               {"decision", decision},
               {"asked_at", asked_at},
               {"reason", opt(reason)},
               {"rule", opt(grant)},
               {"answered_by", answered_by},
               {"request", opt(request)},
               {"tx_id", at.tx_id},
               {"height", at.height}};
}

std::string GrantRecord::status(int64_t time) const {
  if (revoked) return "revoked";
  if (time >= grant.end) return "expired";
  if (time < grant.start) return "not-yet-valid";
  return "active";
}

Value GrantRecord::to_json(int64_t time) const {
  Value scope = Value::object();
  if (!grant.scope.emrs.empty()) scope["emr"] = grant.scope.emrs;
  if (!grant.scope.resource_types.empty()) scope["resourceType"] = grant.scope.resource_types;
  if (!grant.scope.pointers.empty()) scope["pointer"] = grant.scope.pointers;
  Value v{{"grant", grant.id},
          {"status", status(time)},
          {"grantor", grant.grantor},
          {"grantee", grant.grantee},
          {"decision", grant.effect == consent::Effect::permit ? "permit" : "deny"},
          {"purpose", grant.purposes},
          {"scope", scope},
          {"start", consent::format_time(grant.start)},
          {"end", consent::format_time(grant.end)},
          {"tx_id", at.tx_id},
          {"height", at.height}};
  v["revoked_by"] = revoked ? Value(revoked->tx_id) : Value(nullptr);
  return v;
}

// ---- reading the chain ---------------------------------------------------------

IndexEntry index_entry(const ledger::Tx& t, uint64_t h) {
  const Value& d = t.data();
  IndexEntry e;
  e.at = place_of(t, h);
  e.emr = d.at("content_hash").get<std::string>();
  e.location = d.at("location").get<std::string>();
  e.patient = d.at("patient").get<std::string>();
  e.readers = d.at("readers").get<std::vector<std::string>>();
  e.fields = d.at("fields");
  if (const Value* x = json::find(d, "ext"))
    if (const Value* r = json::find(*x, "resourceType"); r && r->is_string()) e.resource_type = r->get<std::string>();
  return e;
}

AccessRecord access_record(const ledger::Tx& t, uint64_t h) {
  const Value& d = t.data();
  AccessRecord a;
  a.at = place_of(t, h);
  a.emr = d.at("emr").get<std::string>();
  a.requester = d.at("requester").get<std::string>();
  a.purpose = d.at("purpose").get<std::string>();
  a.decision = d.at("decision").get<std::string>();
  if (const Value* g = json::find(d, "grant")) a.grant = g->get<std::string>();
  if (const Value* x = json::find(d, "ext")) {
    if (const Value* r = json::find(*x, "reason"); r && r->is_string()) a.reason = r->get<std::string>();
    if (const Value* r = json::find(*x, "at"); r && r->is_string()) a.asked_at = r->get<std::string>();
    if (const Value* r = json::find(*x, "request"); r && r->is_string()) a.request = r->get<std::string>();
  }
  if (a.asked_at.empty()) a.asked_at = ledger::format_time(t.time);
  a.answered_by = t.signer;
  return a;
}

Place place_at(const ledger::Tx& t, uint64_t height) { return place_of(t, height); }

Chain Chain::load(ledger::Ledger& l, std::optional<uint64_t> height) {
  ledger::State st = l.state();
  uint64_t head = st.height - 1;
  uint64_t to = height.value_or(head);
  if (to > head)
    throw Error(Exit::usage, fmt::format("height {} is beyond the head of the ledger ({})", to, head))
        .field("height");
  Chain c;
  c.chain_id = st.chain;
  c.height = to;
  c.block_time = to == 0 ? l.genesis().time : 0;
  for (uint64_t h = 1; h <= to; ++h) {
    auto b = l.block(h);
    if (!b) throw Error(Exit::data, fmt::format("the ledger has no block at height {}", h)).file(l.dir());
    c.block_time = b->header.time;
    for (const auto& t : b->txs) {
      const Value& d = t.data();
      if (t.kind == "emr.index") {
        c.index.push_back(index_entry(t, h));
      } else if (t.kind == "consent.grant") {
        auto g = consent::parse_grant(d, "block " + std::to_string(h));
        c.consent.apply(g);
        c.grants[g.id] = GrantRecord{g, place_of(t, h), std::nullopt};
      } else if (t.kind == "consent.revoke") {
        auto r = consent::parse_revoke(d, "block " + std::to_string(h));
        c.consent.apply(r);
        if (auto it = c.grants.find(r.grant); it != c.grants.end()) it->second.revoked = place_of(t, h);
      } else if (t.kind == "access") {
        c.access.push_back(access_record(t, h));
      }
    }
  }
  return c;
}

std::vector<const IndexEntry*> Chain::find_index(const std::string& emr) const {
  std::vector<const IndexEntry*> out;
  for (const auto& e : index)
    if (e.emr == emr) out.push_back(&e);
  return out;
}

// ---- building transactions ---------------------------------------------------------

ledger::Tx index_tx(const keys::SecretKey& pseudonym, const std::string& chain, const IndexSpec& s, int64_t time) {
  Value data{{"content_hash", s.emr},
             {"location", s.location},
             {"patient", pseudonym.pub.key_id},
             {"fields", s.fields.is_null() ? Value::object() : s.fields},
             {"readers", s.readers}};
  if (!s.resource_type.empty()) data["ext"] = Value{{"resourceType", s.resource_type}};
  return ledger::make_tx(pseudonym, chain, "emr.index", std::move(data), time);
}

ledger::Tx grant_tx(const keys::SecretKey& pseudonym, const std::string& chain, consent::GrantSpec spec, int64_t time) {
  spec.grantor = pseudonym.pub.key_id;
  if (spec.issued == 0) spec.issued = time;
  return ledger::make_tx(pseudonym, chain, "consent.grant", consent::grant_body(spec), time);
}

ledger::Tx revoke_tx(const keys::SecretKey& pseudonym, const std::string& chain, const std::string& grant_id,
                     int64_t time) {
  return ledger::make_tx(pseudonym, chain, "consent.revoke", consent::revoke_body(pseudonym.pub.key_id, grant_id, time),
                         time);
}

ledger::Tx access_tx(const keys::SecretKey& signer, const std::string& chain, const CheckResult& r, int64_t time,
                     const std::string& request_id) {
  Value data{{"emr", r.request.emr},
             {"requester", r.request.grantee},
             {"purpose", r.request.purpose},
             {"decision", r.decision.permit ? "permit" : "deny"},
             {"ext", Value{{"reason", consent::reason_name(r.decision.reason)}, {"at", consent::format_time(r.request.time)},
                           {"height", r.height}}}};
  if (!r.decision.rule.empty()) data["grant"] = r.decision.rule;
  if (!request_id.empty()) data["ext"]["request"] = request_id;
  // A nonce keeps two identical answers in one second distinct transactions.
  return ledger::make_tx(signer, chain, "access", std::move(data), time, crypto::hex(crypto::random_bytes(8)));
}

// ---- checking ----------------------------------------------------------------------

Value CheckResult::to_json() const {
  Value v = consent::to_json(decision, request);
  v["patient"] = request.grantor;
  v["resourceType"] = request.resource_type;
  v["reader"] = reader;
  v["height"] = height;
  v["location"] = index.location;
  return v;
}

CheckResult check(const Chain& chain, const CheckRequest& q) {
  auto entries = chain.find_index(q.emr);
  if (entries.empty())
    throw Error(Exit::no_input, "EMR " + q.emr + " is not indexed on the chain (up to height " +
                                    std::to_string(chain.height) + ")")
        .field("emr");
  const IndexEntry* e = nullptr;
  if (!q.patient.empty()) {
    for (auto* x : entries)
      if (x->patient == q.patient) e = x;
    if (!e) throw Error(Exit::no_input, "EMR " + q.emr + " is not indexed by patient " + q.patient).field("patient");
  } else {
    std::set<std::string> patients;
    for (auto* x : entries) patients.insert(x->patient);
    if (patients.size() > 1)
      throw Error(Exit::usage, "EMR " + q.emr + " is indexed by several patient IDs").hint("choose one with --patient ID");
    e = entries.front();
  }
  CheckResult r;
  r.index = *e;
  r.height = chain.height;
  Value req{{"grantor", e->patient},
            {"grantee", q.grantee},
            {"emr", q.emr},
            {"resourceType", !q.resource_type.empty() ? q.resource_type
                             : !e->resource_type.empty() ? e->resource_type : std::string("Resource")},
            {"pointer", q.pointer},
            {"purpose", q.purpose},
            {"time", consent::format_time(q.time)}};
  r.request = consent::parse_request(req, "request");
  r.decision = chain.consent.evaluate(r.request);
  r.reader = std::find(e->readers.begin(), e->readers.end(), q.grantee) != e->readers.end();
  return r;
}

// ---- key release ---------------------------------------------------------------------

ReleaseResult release(const Chain& chain, const CheckRequest& q, const keys::PublicKey& grantee,
                      const keys::SecretKey& patient, const keys::SecretKey& pseudonym, blobstore::Backend& store,
                      seal::Sink& out, int64_t now, std::optional<ledger::Tx>& refused,
                      const std::string& request_id) {
  if (grantee.key_id != q.grantee)
    throw Error(Exit::usage, "the grantee key " + grantee.key_id + " is not the requester " + q.grantee);
  CheckRequest req = q;
  req.patient = pseudonym.pub.key_id;
  ReleaseResult r;
  r.check = check(chain, req);
  r.access = access_tx(pseudonym, chain.chain_id, r.check, now, request_id);
  if (!r.check.decision.permit) {
    refused = r.access;
    std::string why = consent::reason_name(r.check.decision.reason);
    Error e(Exit::perm, "consent does not let " + q.grantee + " read " + q.emr + " for " + q.purpose + " at " +
                            consent::format_time(q.time) + ": " + why +
                            (r.check.decision.rule.empty() ? "" : " (rule " + r.check.decision.rule + ")"));
    if (why == "expired" || why == "revoked")
      e.hint("the patient may grant again; what the grantee received before stays with it");
    throw e;
  }
  // The sealed object, checked against its address by the store.
  std::string sealed = blobstore::get_bytes(store, q.emr);
  seal::MemorySource src(sealed, "object " + q.emr);
  seal::StringSink plain;
  crypto::SecretBytes a = patient.x25519_secret, b = pseudonym.x25519_secret;
  std::vector<crypto::SecretBytes> ids{a, b};
  r.plaintext_bytes = seal::decrypt(ids, src, plain).plaintext_bytes;
  seal::MemorySource again(plain.data, "record");
  seal::encrypt({grantee.x25519}, again, out);
  // Wipe the plaintext copy now that it is sealed again.
  std::fill(plain.data.begin(), plain.data.end(), '\0');
  return r;
}

// ---- signed requests ---------------------------------------------------------------

Value make_request(const keys::SecretKey& k, const std::string& emr, const std::string& purpose, int64_t time) {
  auto nonce = crypto::random_bytes(16);
  Value v{{"type", k_request_type},
          {"requester", k.pub.key_id},
          {"emr", emr},
          {"purpose", purpose},
          {"time", consent::format_time(time)},
          {"nonce", crypto::base64url(nonce.data(), nonce.size())}};
  std::string msg(k_request_context);
  json::canonical_append(msg, v);
  auto sig = k.sign(msg);
  v["sig"] = crypto::base64url(sig.data(), sig.size());
  verify_request(v, k.pub, "new request");
  return v;
}

AccessRequest verify_request(const Value& v, const keys::PublicKey& who, const std::string& source) {
  auto bad = [&](const std::string& field, const std::string& msg) {
    return std::move(Error(Exit::data, msg).file(source)).field(field);
  };
  if (!v.is_object()) throw bad("(request)", "must be an object");
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& k = it.key();  // (clang 14 cannot capture a structured binding)
    static const char* known[] = {"type", "requester", "emr", "purpose", "time", "nonce", "sig"};
    if (std::none_of(std::begin(known), std::end(known), [&](const char* a) { return k == a; })) throw bad(k, "unknown member");
  }
  auto str = [&](const char* k, size_t max) {
    const Value* x = json::find(v, k);
    if (!x) throw bad(k, "missing");
    if (!x->is_string() || x->get_ref<const std::string&>().empty() || x->get_ref<const std::string&>().size() > max)
      throw bad(k, "must be a string of 1-" + std::to_string(max) + " bytes");
    return x->get<std::string>();
  };
  if (str("type", 64) != k_request_type) throw bad("type", std::string("must be \"") + k_request_type + "\"");
  AccessRequest r;
  r.requester = str("requester", 16);
  if (!ledger::is_key_id(r.requester)) throw bad("requester", "must be a key ID (16 lowercase hex digits)");
  r.emr = str("emr", 64);
  ledger::hash_from_hex(r.emr, "emr");
  r.purpose = str("purpose", 32);
  r.time = consent::parse_time(str("time", 20), "time");
  str("nonce", 64);
  crypto::Bytes sig;
  try {
    sig = crypto::unbase64url(str("sig", 86));
  } catch (const Error& e) {
    throw bad("sig", e.message());
  }
  if (sig.size() != 64) throw bad("sig", "must encode 64 bytes");
  if (r.requester != who.key_id)
    throw std::move(Error(Exit::invalid, "the request is from " + r.requester + ", not from " + who.key_id).file(source))
        .field("requester");
  Value body = v;
  body.erase("sig");
  std::string msg(k_request_context);
  json::canonical_append(msg, body);
  crypto::Ed25519Signature s;
  std::copy(sig.begin(), sig.end(), s.begin());
  if (!crypto::ed25519_verify(who.ed25519, msg, s))
    throw std::move(Error(Exit::invalid, "the request's signature does not verify").file(source)).field("sig");
  r.id = crypto::hex(crypto::sha256(json::canonical(v)));
  return r;
}

// ---- reveal ------------------------------------------------------------------------------

namespace {

std::string reveal_message(const std::string& audience, const std::string& challenge, std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  std::string msg(k_reveal_context);
  json::canonical_append(msg, Value{{"type", k_reveal_type}, {"audience", audience}, {"challenge", challenge}, {"ids", ids}});
  return msg;
}

void check_audience_challenge(const std::string& audience, const std::string& challenge) {
  if (!ledger::is_key_id(audience))
    throw Error(Exit::usage, "the audience must be the verifier's key ID (16 lowercase hex digits)").field("audience");
  if (challenge.size() < 16 || challenge.size() > 256)
    throw Error(Exit::usage, "the challenge must be 16-256 characters (use hc-share challenge)").field("challenge");
}

}  // namespace

std::string new_challenge() {
  auto b = crypto::random_bytes(32);
  return crypto::base64url(b.data(), b.size());
}

Value reveal(const std::vector<keys::SecretKey>& ps, const std::string& audience, const std::string& challenge) {
  check_audience_challenge(audience, challenge);
  if (ps.size() < 2) throw Error(Exit::usage, "a reveal links at least two pseudonyms");
  std::vector<std::string> ids;
  for (auto& p : ps) ids.push_back(p.pub.key_id);
  if (std::set<std::string>(ids.begin(), ids.end()).size() != ids.size())
    throw Error(Exit::usage, "the same pseudonym is named twice");
  std::string msg = reveal_message(audience, challenge, ids);
  Value list = Value::array();
  std::vector<const keys::SecretKey*> sorted;
  for (auto& p : ps) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](auto* x, auto* y) { return x->pub.key_id < y->pub.key_id; });
  for (auto* p : sorted) {
    auto sig = p->sign(msg);
    list.push_back(Value{{"id", p->pub.key_id},
                         {"pk", crypto::base64url(p->pub.ed25519.data(), 32)},
                         {"sig", crypto::base64url(sig.data(), sig.size())}});
  }
  return Value{{"type", k_reveal_type}, {"audience", audience}, {"challenge", challenge}, {"pseudonyms", list}};
}

std::vector<std::string> verify_reveal(const Value& proof, const std::string& audience, const std::string& challenge,
                                       const std::string& source) {
  auto bad = [&](const std::string& field, const std::string& msg) {
    return std::move(Error(Exit::data, msg).file(source)).field(field);
  };
  auto str = [&](const Value& o, const char* k, const std::string& path) -> std::string {
    const Value* v = json::find(o, k);
    if (!v) throw bad(path + k, "missing");
    if (!v->is_string()) throw bad(path + k, "must be a string");
    return v->get<std::string>();
  };
  auto only = [&](const Value& o, std::initializer_list<const char*> keys, const std::string& path) {
    if (!o.is_object()) throw bad(path.empty() ? "(proof)" : path.substr(0, path.size() - 1), "must be an object");
    for (auto it = o.begin(); it != o.end(); ++it) {
      const std::string& k = it.key();
      if (std::none_of(keys.begin(), keys.end(), [&](const char* a) { return k == a; })) throw bad(path + k, "unknown member");
    }
  };
  only(proof, {"type", "audience", "challenge", "pseudonyms"}, "");
  if (str(proof, "type", "") != k_reveal_type) throw bad("type", std::string("must be \"") + k_reveal_type + "\"");
  std::string aud = str(proof, "audience", ""), ch = str(proof, "challenge", "");
  const Value* list = json::find(proof, "pseudonyms");
  if (!list) throw bad("pseudonyms", "missing");
  if (!list->is_array() || list->size() < 2 || list->size() > 256)
    throw bad("pseudonyms", "must be an array of 2-256 entries");
  struct Entry {
    std::string id;
    crypto::Ed25519Public pk;
    crypto::Ed25519Signature sig;
  };
  std::vector<Entry> entries;
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string p = fmt::format("pseudonyms[{}].", i);
    const Value& e = (*list)[i];
    only(e, {"id", "pk", "sig"}, p);
    Entry x;
    x.id = str(e, "id", p);
    if (!ledger::is_key_id(x.id)) throw bad(p + "id", "must be a key ID (16 lowercase hex digits)");
    crypto::Bytes pk, sig;
    try {
      pk = crypto::unbase64url(str(e, "pk", p));
      sig = crypto::unbase64url(str(e, "sig", p));
    } catch (const Error& err) {
      throw bad(p + "pk", err.message());
    }
    if (pk.size() != 32) throw bad(p + "pk", "must encode 32 bytes");
    if (sig.size() != 64) throw bad(p + "sig", "must encode 64 bytes");
    std::copy(pk.begin(), pk.end(), x.pk.begin());
    std::copy(sig.begin(), sig.end(), x.sig.begin());
    if (keys::key_id(x.pk) != x.id) throw bad(p + "id", "is not the key ID of pk");
    if (!seen.insert(x.id).second) throw bad(p + "id", "names a pseudonym twice");
    entries.push_back(std::move(x));
  }
  if (aud != audience)
    throw std::move(Error(Exit::invalid, "the proof is for audience " + aud + ", not for " + audience).file(source)).field("audience");
  if (ch != challenge)
    throw std::move(Error(Exit::invalid, "the proof answers another challenge (a replay?)").file(source)).field("challenge");
  std::vector<std::string> ids(seen.begin(), seen.end());
  std::string msg = reveal_message(aud, ch, ids);
  for (size_t i = 0; i < entries.size(); ++i)
    if (!crypto::ed25519_verify(entries[i].pk, msg, entries[i].sig))
      throw std::move(Error(Exit::invalid, "the signature of pseudonym " + entries[i].id + " does not verify").file(source))
          .field(fmt::format("pseudonyms[{}].sig", i));
  return ids;
}

}  // namespace hc::share

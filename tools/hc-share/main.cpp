// hc-share: the patient's side of sharing — index sealed EMRs on the ledger
// under a pseudonym, release them to grantees whose consent holds, audit who
// read what, and prove that pseudonyms belong together (see hc-share(1)).
#include "common/cli.h"
#include "common/options.h"

#include <hc/blobstore/blobstore.h>
#include <hc/core/io.h>
#include <hc/seal/stream.h>
#include <hc/share/args.h>
#include <hc/share/index.h>
#include <hc/share/share.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

namespace S = hc::share;
namespace L = hc::ledger;
using hc::json::Value;

namespace {

struct Options : hc::tool::LedgerOptions {
  std::string key, context, emr, location, store, type, to, purpose, at = "now", output, audience,
      challenge, proof = "-", request;
  std::string age_band, gender, condition, procedure, care_plan;
  std::vector<std::string> readers, contexts, patients;
  uint64_t height = UINT64_MAX;
  bool force = false, quiet = false;
};

using hc::tool::print_json;
using hc::tool::unlock_key;

std::string store_spec(const std::string& s) {
  if (!s.empty()) return s;
  if (const char* e = std::getenv("HC_STORE"); e && *e) return e;
  throw hc::Error(hc::Exit::usage, "no store").hint("give --store SPEC or set HC_STORE");
}

std::optional<uint64_t> upto(const Options& o) {
  return o.height == UINT64_MAX ? std::nullopt : std::optional<uint64_t>(o.height);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Share sealed EMRs through the hc ledger: index them under a pseudonym, release them to grantees "
               "whose consent holds, audit who read what, and link pseudonyms for one organisation."};
  hc::tool::setup(app, "hc-share");
  Options o;
  hc::tool::add_ledger_dir(app, o);
  app.add_flag("-q,--quiet", o.quiet, "Print nothing but data and errors");
  app.require_subcommand(1);

  auto* id = app.add_subcommand("id", "Print the patient's pseudonymous public ID for a relationship");
  id->add_option("--key", o.key, "The patient's private key file")->required();
  id->add_option("--context", o.context, "The relationship (a hospital, a study)")->required();

  auto* index = app.add_subcommand("index", "Publish the index entry of a stored, sealed EMR (emr.index)");
  index->add_option("--key", o.key, "The patient's private key file")->required();
  index->add_option("--context", o.context, "The relationship whose pseudonym signs")->required();
  index->add_option("--emr", o.emr, "Content hash of the sealed object (hc-store put prints it)")->required();
  index->add_option("-s,--store", o.store, "Check the object is in this store and record its location (default $HC_STORE)");
  index->add_option("--location", o.location, "Location to record instead of asking the store");
  index->add_option("--type", o.type, "FHIR resource type of the record (e.g. Observation)");
  index->add_option("--age-band", o.age_band, "Non-identifying field: age band, LO-HI or LO+");
  index->add_option("--gender", o.gender, "Non-identifying field: F, M, O or U");
  index->add_option("--condition", o.condition, "Non-identifying field: condition code");
  index->add_option("--procedure", o.procedure, "Non-identifying field: procedure code");
  index->add_option("--care-plan", o.care_plan, "Non-identifying field: care plan");
  index->add_option("--reader", o.readers, "Key (file or ID) the object is already sealed for; repeatable");
  hc::tool::add_producer(*index, o, "Append in a block sealed by this delegate key (default: print the transaction)");

  auto* release = app.add_subcommand("release", "Re-seal an EMR for a grantee whose consent holds; record the answer");
  release->add_option("--key", o.key, "The patient's private key file")->required();
  release->add_option("--context", o.context, "The relationship whose pseudonym indexed the EMR")->required();
  release->add_option("--emr", o.emr, "Content hash of the sealed object (default: the request's)");
  release->add_option("--to", o.to, "The grantee's public key file (the copy is sealed for it)")->required();
  release->add_option("--purpose", o.purpose, "The grantee's purpose (TREAT, HRESCH, ...; default: the request's)");
  release->add_option("--request", o.request, "The grantee's signed request (hc-share request); its time is the time asked");
  release->add_option("--type", o.type, "FHIR resource type (default: from the index entry)");
  release->add_option("-s,--store", o.store, "Store holding the object (default $HC_STORE)");
  release->add_option("--at", o.at, "Time of the request: now (default), +/-N[smhd], RFC 3339");
  release->add_option("-o,--output", o.output, "Write the grantee's sealed copy to FILE (atomically)")->required();
  release->add_flag("-f,--force", o.force, "Replace an existing output file");
  hc::tool::add_producer(*release, o, "Append the access record with this delegate key (default: print it)");

  auto* request = app.add_subcommand("request", "A grantee signs a request for one EMR (for the patient's release)");
  request->add_option("--key", o.key, "The grantee's private key file")->required();
  request->add_option("--emr", o.emr, "Content hash of the sealed object")->required();
  request->add_option("--purpose", o.purpose, "Purpose code (TREAT, HRESCH, ...)")->required();
  request->add_option("-o,--output", o.output, "Write to FILE (atomically) instead of standard output");
  request->add_flag("-f,--force", o.force, "Replace an existing output file");

  auto* audit = app.add_subcommand("audit", "List access records (who asked for what, when, and the answer)");
  audit->add_option("--patient", o.patients, "Only EMRs indexed by these patient IDs");
  audit->add_option("--key", o.key, "With --context: the patient's key");
  audit->add_option("--context", o.contexts, "Relationships whose pseudonyms to audit (with --key)");
  audit->add_option("--height", o.height, "Up to this block (default: the head)");

  auto* challenge = app.add_subcommand("challenge", "Print a fresh random challenge for reveal");

  auto* reveal = app.add_subcommand("reveal", "Prove to one verifier that pseudonyms belong together");
  reveal->add_option("--key", o.key, "The patient's private key file")->required();
  reveal->add_option("--context", o.contexts, "Relationships whose pseudonyms to link (two or more)")->required();
  reveal->add_option("--audience", o.audience, "The verifier: key file or key ID")->required();
  reveal->add_option("--challenge", o.challenge, "The verifier's challenge")->required();

  auto* verify = app.add_subcommand("verify-reveal", "Check a reveal proof against the challenge you issued");
  verify->add_option("PROOF", o.proof, "Proof file (default: stdin)");
  verify->add_option("--audience", o.audience, "Your key file or key ID")->required();
  verify->add_option("--challenge", o.challenge, "The challenge you issued")->required();

  return hc::tool::run(app, argc, argv, [&]() -> int {
    hc::tool::set_quiet(o.quiet);
    int64_t now = std::time(nullptr);
    if (id->parsed()) {
      auto p = unlock_key(o.key).pseudonym(S::check_context(o.context));
      print_json(Value{{"context", o.context}, {"id", p.pub.key_id}});
    } else if (index->parsed()) {
      S::IndexSpec spec;
      spec.emr = hc::blobstore::parse_address(o.emr);
      if (!o.location.empty()) {
        spec.location = o.location;
      } else {
        auto store = hc::blobstore::open(store_spec(o.store));
        // Refuses a missing or damaged object. A local folder's path says
        // nothing to others (and may name the user): record the object's
        // RFC 6920 name instead.
        spec.location = store->verify(spec.emr).location;
        if (!spec.location.empty() && spec.location[0] == '/') spec.location = hc::blobstore::nih_uri(spec.emr);
      }
      spec.resource_type = o.type;
      auto set = [&](const char* k, const std::string& v) {
        if (!v.empty()) spec.fields[k] = v;
      };
      set("age_band", o.age_band);
      set("gender", o.gender);
      set("condition", o.condition);
      set("procedure", o.procedure);
      set("care_plan", o.care_plan);
      for (auto& r : o.readers) spec.readers.push_back(S::party_id(r, "reader"));
      auto pseudonym = unlock_key(o.key).pseudonym(S::check_context(o.context));
      std::string chain = L::Ledger(hc::tool::ledger_dir(o), true).state().chain;
      auto tx = S::index_tx(pseudonym, chain, spec, now);
      if (o.producer.empty()) {
        hc::io::write_stdout(tx.bytes + "\n");
      } else {
        L::Ledger l(hc::tool::ledger_dir(o));
        auto h = l.append_txs({tx}, unlock_key(o.producer));
        print_json(Value{{"emr", spec.emr}, {"patient", pseudonym.pub.key_id}, {"tx_id", L::to_hex(tx.id)}, {"height", h.front()}});
      }
    } else if (release->parsed()) {
      auto patient = unlock_key(o.key);
      auto pseudonym = patient.pseudonym(S::check_context(o.context));
      auto grantee = hc::keys::load_public(o.to);
      auto store = hc::blobstore::open(store_spec(o.store));
      std::optional<L::Ledger> l;
      l.emplace(hc::tool::ledger_dir(o), o.producer.empty());
      S::Index ix(*l);
      S::CheckRequest q;
      q.grantee = grantee.key_id;
      q.emr = o.emr.empty() ? std::string() : hc::blobstore::parse_address(o.emr);
      q.purpose = o.purpose;
      q.resource_type = o.type;
      q.time = S::parse_when(o.at, now, "at");
      std::string request_id;
      if (!o.request.empty()) {
        // A signed request: it says who asks, for what, and when.
        if (o.at != "now") throw hc::Error(hc::Exit::usage, "--at and --request exclude each other: the request has its time");
        std::string src = o.request == "-" ? "<stdin>" : o.request;
        auto req = S::verify_request(hc::json::parse(hc::io::read_all(o.request, 64 << 10), src), grantee, src);
        if (!q.emr.empty() && q.emr != req.emr) throw hc::Error(hc::Exit::usage, "the request is for EMR " + req.emr).field("emr");
        if (!q.purpose.empty() && q.purpose != req.purpose)
          throw hc::Error(hc::Exit::usage, "the request is for purpose " + req.purpose).field("purpose");
        if (req.time > now + 600) throw hc::Error(hc::Exit::invalid, "the request is dated in the future").file(src);
        q.emr = req.emr;
        q.purpose = req.purpose;
        q.time = req.time;
        request_id = req.id;
        if (auto a = ix.answer(request_id))
          throw hc::Error(hc::Exit::invalid, "this request was answered already (block " + std::to_string(a->at.height) + ")")
              .file(src);
      }
      if (q.emr.empty() || q.purpose.empty()) throw hc::Error(hc::Exit::usage, "release needs --emr and --purpose, or --request");
      auto chain = ix.for_check(q);
      auto record = [&](const L::Tx& tx) {
        if (o.producer.empty()) {
          hc::io::write_stdout(tx.bytes + "\n");
          return;
        }
        auto h = l->append_txs({tx}, unlock_key(o.producer));
        print_json(Value{{"access", L::to_hex(tx.id)}, {"height", h.front()}, {"decision", tx.data().at("decision")},
                    {"output", tx.data().at("decision") == "permit" ? Value(o.output) : Value(nullptr)}});
      };
      std::optional<L::Tx> refused;
      hc::seal::AtomicFileSink out(o.output, 0644, o.force ? hc::io::Overwrite::replace : hc::io::Overwrite::refuse);
      try {
        auto r = S::release(chain, q, grantee, patient, pseudonym, *store, out, now, refused, request_id);
        record(r.access);  // the answer is on chain before the copy appears
        out.commit();
        hc::tool::note(fmt::format("released {} to {} under rule {}", q.emr.substr(0, 16), grantee.key_id,
                                   r.check.decision.rule));
      } catch (const hc::Error& e) {
        if (refused && e.code() == hc::Exit::perm) record(*refused);
        throw;
      }
    } else if (request->parsed()) {
      auto k = unlock_key(o.key);
      auto v = S::make_request(k, hc::blobstore::parse_address(o.emr), o.purpose, now);
      hc::io::write_output(o.output, hc::json::dump(v, false), o.force);
    } else if (audit->parsed()) {
      L::Ledger l(hc::tool::ledger_dir(o), true);
      auto c = S::Chain::load(l, upto(o));
      std::vector<std::string> who = o.patients;
      if (!o.contexts.empty()) {
        if (o.key.empty()) throw hc::Error(hc::Exit::usage, "--context needs --key");
        auto k = unlock_key(o.key);
        for (auto& ctx : o.contexts) who.push_back(k.pseudonym(S::check_context(ctx)).pub.key_id);
      }
      std::string out;
      for (auto& a : c.access) {
        if (!who.empty()) {
          bool mine = std::find(who.begin(), who.end(), a.answered_by) != who.end();
          for (auto* e : c.find_index(a.emr)) mine = mine || std::find(who.begin(), who.end(), e->patient) != who.end();
          if (!mine) continue;
        }
        out += hc::json::dump(a.to_json(), false);
      }
      hc::io::write_stdout(out);
    } else if (challenge->parsed()) {
      print_json(Value{{"challenge", S::new_challenge()}});
    } else if (reveal->parsed()) {
      auto k = unlock_key(o.key);
      std::vector<hc::keys::SecretKey> ps;
      for (auto& ctx : o.contexts) ps.push_back(k.pseudonym(S::check_context(ctx)));
      print_json(S::reveal(ps, S::party_id(o.audience, "audience"), o.challenge));
    } else if (verify->parsed()) {
      std::string src = o.proof == "-" ? "<stdin>" : o.proof;
      auto proof = hc::json::parse(hc::io::read_all(o.proof, 1 << 20), src);
      auto ids = S::verify_reveal(proof, S::party_id(o.audience, "audience"), o.challenge, src);
      print_json(Value{{"valid", true}, {"linked", ids}});
      hc::tool::note(fmt::format("{} pseudonyms belong to one patient", ids.size()));
    }
    return 0;
  });
}

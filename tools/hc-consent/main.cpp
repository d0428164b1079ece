// hc-consent: consent contracts on the ledger (see hc-consent(1)).
#include "common/cli.h"
#include "common/options.h"

#include <hc/core/io.h>
#include <hc/share/args.h>
#include <hc/share/index.h>
#include <hc/share/share.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace S = hc::share;
namespace L = hc::ledger;
using hc::json::Value;

namespace {

struct Options : hc::tool::LedgerOptions {
  std::string key, context, grantee, from = "now", until, at = "now", patient, emr, purpose, type,
      pointer, grant, reason;
  std::vector<std::string> emrs, types, pointers, purposes, patients, contexts;
  uint64_t height = UINT64_MAX;
  std::optional<uint64_t> upto() const { return height == UINT64_MAX ? std::nullopt : std::optional<uint64_t>(height); }
  bool deny = false, quiet = false;
};

using hc::tool::print_json;
using hc::tool::unlock_key;

/// Appends `tx` with the producer key and prints where it landed, or prints
/// the signed transaction for `hc-ledger append` when there is no producer.
void submit(const Options& o, const L::Tx& tx, Value extra) {
  if (o.producer.empty()) {
    hc::io::write_stdout(tx.bytes + "\n");
    return;
  }
  L::Ledger l(hc::tool::ledger_dir(o));
  auto h = l.append_txs({tx}, unlock_key(o.producer));
  extra["tx_id"] = L::to_hex(tx.id);
  extra["height"] = h.front();
  print_json(extra);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Consent contracts on the hc ledger: a patient grants and revokes, anyone checks who may read "
               "which EMR at a given time, and which rule decided."};
  hc::tool::setup(app, "hc-consent");
  Options o;
  hc::tool::add_ledger_dir(app, o);
  app.add_flag("-q,--quiet", o.quiet, "Print nothing but data and errors");
  app.require_subcommand(1);

  auto* grant = app.add_subcommand("grant", "Give (or deny) one grantee access, for a period; sign and submit it");
  grant->add_option("--key", o.key, "The patient's private key file")->required();
  grant->add_option("--context", o.context, "The relationship whose pseudonym signs (as used by hc-share index)")->required();
  grant->add_option("--to", o.grantee, "Grantee: key file, key ID, or * for anyone")->required();
  grant->add_option("--purpose", o.purposes, "Purpose codes (v3-ActReason: TREAT, HRESCH, ...), or *")->required();
  grant->add_option("--emr", o.emrs, "Only these EMRs (content hashes; default: all of this pseudonym's)");
  grant->add_option("--type", o.types, "Only these FHIR resource types");
  grant->add_option("--pointer", o.pointers, "Only these parts (RFC 6901 JSON Pointers)");
  grant->add_option("--from", o.from, "Start: now, +N[smhd] or RFC 3339 UTC (default now)");
  grant->add_option("--until", o.until, "End: +N[smhd] or RFC 3339 UTC (the grant is active before it)")->required();
  grant->add_flag("--deny", o.deny, "A deny rule (deny wins over any permit)");
  hc::tool::add_producer(*grant, o, "Append in a block sealed by this delegate key (default: print the transaction)");

  auto* revoke = app.add_subcommand("revoke", "Take back a grant; final, from the block that records it");
  revoke->add_option("--key", o.key, "The patient's private key file")->required();
  revoke->add_option("--context", o.context, "The relationship whose pseudonym made the grant")->required();
  revoke->add_option("GRANT", o.grant, "Grant ID (64 hex)")->required();
  hc::tool::add_producer(*revoke, o, "Append in a block sealed by this delegate key (default: print the transaction)");

  auto* check = app.add_subcommand("check", "May GRANTEE read EMR for PURPOSE at a time? Exit 0 yes, 1 no");
  check->add_option("--grantee", o.grantee, "Who asks: key file or key ID")->required();
  check->add_option("--emr", o.emr, "EMR content hash (64 hex)")->required();
  check->add_option("--purpose", o.purpose, "Purpose code (TREAT, HRESCH, ...)")->required();
  check->add_option("--type", o.type, "FHIR resource type (default: from the EMR's index entry)");
  check->add_option("--pointer", o.pointer, "Part of the resource (JSON Pointer; default the whole)");
  check->add_option("--patient", o.patient, "The patient ID whose index entry counts (if several indexed the EMR)");
  check->add_option("--at", o.at, "Time: now (default), block (the time of the block at --height), +/-N[smhd], RFC 3339");
  check->add_option("--height", o.height, "Count consent transactions up to this block (default: the head)");

  auto* list = app.add_subcommand("list", "List grants (JSON Lines) with their status at a time");
  list->add_option("--patient", o.patients, "Patient public IDs (default: all)");
  list->add_option("--key", o.key, "With --context: the patient's key, to list its pseudonyms' grants");
  list->add_option("--context", o.contexts, "Relationships whose pseudonyms to list (with --key)");
  list->add_option("--at", o.at, "Time for the status: now (default), block, +/-N[smhd], RFC 3339");
  list->add_option("--height", o.height, "Up to this block (default: the head)");

  return hc::tool::run(app, argc, argv, [&]() -> int {
    hc::tool::set_quiet(o.quiet);
    int64_t now = std::time(nullptr);
    if (grant->parsed()) {
      S::check_context(o.context);
      hc::consent::GrantSpec spec;
      spec.grantee = S::party_id(o.grantee, "to", true);
      spec.effect = o.deny ? hc::consent::Effect::deny : hc::consent::Effect::permit;
      spec.purposes = o.purposes;
      spec.scope.emrs = o.emrs;
      spec.scope.resource_types = o.types;
      spec.scope.pointers = o.pointers;
      spec.start = S::parse_when(o.from, now, "from");
      spec.end = S::parse_when(o.until, spec.start, "until");
      auto pseudonym = unlock_key(o.key).pseudonym(o.context);
      L::Tx tx;
      std::string gid;
      {  // closed again before submit() opens the ledger to append
        L::Ledger l(hc::tool::ledger_dir(o), true);
        S::Index ix(l);
        for (auto& e : o.emrs) {  // a grant for an EMR this pseudonym did not index is a mistake
          bool mine = false;
          for (auto& x : ix.find_index(e)) mine = mine || x.patient == pseudonym.pub.key_id;
          if (!mine)
            throw hc::Error(hc::Exit::no_input, "EMR " + e + " is not indexed under the pseudonym for \"" + o.context +
                                                    "\" (" + pseudonym.pub.key_id + ")")
                .field("emr")
                .hint("index it first with hc-share index, using the same --context");
        }
        // The same terms issued in the same second would be the same rule (one
        // ID); a new grant is a new rule, so its issue time moves on a second.
        spec.issued = now;
        for (;;) {
          tx = S::grant_tx(pseudonym, ix.chain_id(), spec, now);
          gid = hc::consent::parse_grant(tx.data()).id;
          if (!ix.grant(gid)) break;
          ++spec.issued;
        }
      }
      hc::tool::note(fmt::format("grant {}: {} {} for {} from {} until {}", gid.substr(0, 16), o.deny ? "deny" : "permit",
                                 spec.grantee, fmt::join(spec.purposes, ","), hc::consent::format_time(spec.start),
                                 hc::consent::format_time(spec.end)));
      submit(o, tx, Value{{"grant", gid}, {"grantor", pseudonym.pub.key_id}});
    } else if (revoke->parsed()) {
      S::check_context(o.context);
      auto pseudonym = unlock_key(o.key).pseudonym(o.context);
      std::string chain;
      std::optional<S::GrantRecord> it;
      {
        L::Ledger l(hc::tool::ledger_dir(o), true);
        S::Index ix(l);
        L::hash_from_hex(o.grant, "GRANT");
        it = ix.grant(o.grant);
        chain = ix.chain_id();
      }
      if (!it) throw hc::Error(hc::Exit::no_input, "no grant " + o.grant + " on the chain").field("GRANT");
      if (it->grant.grantor != pseudonym.pub.key_id)
        throw hc::Error(hc::Exit::perm, "grant " + o.grant + " was made by " + it->grant.grantor +
                                            ", not by the pseudonym for \"" + o.context + "\" (" + pseudonym.pub.key_id + ")");
      if (it->revoked) throw hc::Error(hc::Exit::invalid, "grant " + o.grant + " is already revoked");
      auto tx = S::revoke_tx(pseudonym, chain, o.grant, now);
      submit(o, tx, Value{{"revoked", o.grant}});
    } else if (check->parsed()) {
      L::Ledger l(hc::tool::ledger_dir(o), true);
      S::Index ix(l);
      ix.height(o.upto());  // a height beyond the head is refused first, as before
      S::CheckRequest q;
      q.grantee = S::party_id(o.grantee, "grantee");
      q.emr = o.emr;
      q.purpose = o.purpose;
      q.resource_type = o.type;
      q.pointer = o.pointer;
      q.patient = o.patient;
      auto c = ix.for_check(q, o.upto());
      q.time = o.at == "block" ? c.block_time : S::parse_when(o.at, now, "at");
      auto r = S::check(c, q);
      print_json(r.to_json());
      if (!r.decision.permit) {
        hc::tool::note(fmt::format("deny: {}{}", hc::consent::reason_name(r.decision.reason),
                                   r.decision.rule.empty() ? "" : " (rule " + r.decision.rule + ")"));
        return 1;
      }
      hc::tool::note("permit (rule " + r.decision.rule + ")");
    } else if (list->parsed()) {
      L::Ledger l(hc::tool::ledger_dir(o), true);
      auto c = S::Chain::load(l, o.upto());
      int64_t t = o.at == "block" ? c.block_time : S::parse_when(o.at, now, "at");
      std::vector<std::string> who = o.patients;
      if (!o.contexts.empty()) {
        if (o.key.empty()) throw hc::Error(hc::Exit::usage, "--context needs --key");
        auto k = unlock_key(o.key);
        for (auto& ctx : o.contexts) who.push_back(k.pseudonym(S::check_context(ctx)).pub.key_id);
      }
      std::string out;
      for (auto& [id, g] : c.grants) {
        if (!who.empty() && std::find(who.begin(), who.end(), g.grant.grantor) == who.end()) continue;
        out += hc::json::dump(g.to_json(t), false);
      }
      hc::io::write_stdout(out);
    }
    return 0;
  });
}

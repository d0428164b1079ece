// The node's DPoS view: lib/consensus's Dpos rules (dpos.h) applied to the
// chain as it is committed, so that every node derives the same producer
// schedule and reputations from the same blocks (hc-node(1), DPOS RULES;
// hc-formats(5), NODE: DPOS RECORD).
//
// - Voters (BFT weight 1 each): the ledger state's delegates that are not
//   banned (the ledger's vote tally elects them at each round boundary).
// - Epoch e = the ledger's round: heights e·L … (e+1)·L − 1 (L = genesis
//   params.round_length; epoch 0 starts at height 1). At the start of each
//   epoch the producer schedule is Dpos::schedule(e) over those delegates,
//   with stake votes from delegate.vote and reputations from this view.
// - Proposer of (h, r) = schedule'[(h + r) mod |schedule'|], schedule' = the
//   schedule minus keys that have since stopped being voters (banned,
//   removed); if it is empty, or no delegate is eligible, every voter in the
//   ledger's order.
// - After height h commits: the slot owner (proposer of (h, 0)) gains
//   produce_reward if the block's header names it as producer, else loses
//   miss_penalty; a banned key's reputation becomes 0.
#pragma once

#include <hc/consensus/dpos.h>
#include <hc/ledger/ledger.h>

#include <map>
#include <string>
#include <vector>

namespace hc::node {

/// The DPoS parameters every hc node uses (hc-node(1), DPOS RULES).
consensus::DposParams dpos_params(const ledger::Params& p);

class DposView {
 public:
  /// The view before height 1.
  static DposView genesis(const ledger::State& s);
  /// Rebuilds the view by replaying the committed blocks 1 … state.height − 1
  /// through ledger::apply (for a ledger that has no stored view).
  static DposView replay(const ledger::Genesis& g, ledger::Ledger& l, uint64_t next_height);

  /// Stored form (hc-formats(5), NODE): {"v":1,"height","epoch","schedule":[keyid…],
  /// "proposers":[keyid…],"reputation":{keyid:n}}. Strict: Error{data}.
  json::Value to_json() const;
  static DposView from_json(const json::Value& v, const std::string& source);

  /// The height this view is for (the next block's), as State::height.
  uint64_t height() const { return m_height; }
  uint64_t epoch() const { return m_epoch; }
  /// The validator set of `s.height` (s is the state this view is at).
  consensus::ValidatorSet validators(const ledger::State& s) const;
  /// The slot owner of the next height (key ID).
  std::string owner() const;
  /// Advances past `block`, whose application gave `after`. Error{internal}
  /// if the block is not the next one.
  void apply(const ledger::Block& block, const ledger::State& after);
  uint32_t reputation(const std::string& key_id) const;
  const std::vector<std::string>& schedule() const { return m_schedule; }
  /// {"epoch","schedule","proposers","owner","reputation"} for hc-node's status.
  json::Value status() const;

 private:
  consensus::Dpos dpos(const ledger::State& s) const;
  void new_epoch(const ledger::State& s);
  void set_proposers(const ledger::State& s);

  uint64_t m_height = 1;
  uint64_t m_epoch = 0;
  std::vector<std::string> m_schedule;   ///< this epoch's, in slot order
  std::vector<std::string> m_proposers;  ///< the schedule still valid at m_height
  std::map<std::string, uint32_t> m_rep; ///< keys not listed have the initial reputation
};

}  // namespace hc::node

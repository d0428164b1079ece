// The DPoS layer around Tendermint: who the delegates are in each epoch.
// Pure rules over a state the ledger keeps; the exact rules are in
// hc-formats(5), CONSENSUS: DPOS RULES, and each is a function here.
//
// - Members (genesis) hold stake. A member's vote is a set of at most
//   `max_votes` candidates; a new vote replaces the old one (vote()).
// - A candidate's votes are the sum of the stake of members voting for it;
//   its weight is votes × reputation (reputation in basis points, 0..10000).
// - Epoch e covers heights e·N + 1 … (e + 1)·N (N = delegates). Its schedule
//   (schedule()) is computed once, from the state after the last block of
//   epoch e − 1: the N eligible candidates of highest weight (ties: smaller
//   Ed25519 key first), eligible = not removed, reputation ≥ minimum, votes >
//   0; ordered by SHA-256("hc-dpos-order/1" ‖ u64 e ‖ key) so slots rotate.
//   Every delegate has BFT weight 1: stake decides who validates, not how much
//   one validator's vote counts.
// - The slot owner of height h is the schedule's round-0 proposer. After h is
//   decided, slot_result(): the owner gains `produce_reward` if the decided
//   block is its own proposal, else loses `miss_penalty` (bounded 0..10000).
// - At each epoch boundary, a candidate the ending epoch's schedule left out
//   (and not removed) regains `recovery` (epoch_end()).
// - Evidence of double signing (evidence.h) that checks removes the
//   validator from every later schedule and sets its reputation to 0
//   (remove()); it takes effect at the next epoch.
#pragma once

#include <hc/consensus/evidence.h>
#include <hc/consensus/validators.h>

#include <map>
#include <string>
#include <vector>

namespace hc::consensus {

struct DposParams {
  uint32_t delegates = 4;          ///< N: delegates per epoch (and heights per epoch)
  uint32_t max_votes = 4;          ///< candidates one member may vote for
  uint32_t initial_reputation = 10000;
  uint32_t min_reputation = 2000;  ///< below it a candidate is not eligible
  uint32_t miss_penalty = 1000;
  uint32_t produce_reward = 100;
  /// Regained at each epoch boundary by a candidate (not removed) that the
  /// ending epoch's schedule left out, so an excluded delegate comes back on
  /// probation (epoch_end()).
  uint32_t recovery = 0;
  /// A member that has cast no vote counts as voting for itself if it is a
  /// candidate (so the genesis delegates stand before anyone votes).
  bool self_vote = false;
};

struct DposMember {
  PublicKey key{};
  uint64_t stake = 0;
};

struct DposCandidate {
  PublicKey key{};
  uint32_t reputation = 10000;
  bool removed = false;
};

struct DposGenesis {
  DposParams params;
  std::vector<DposMember> members;
  std::vector<DposCandidate> candidates;
  std::map<PublicKey, std::vector<PublicKey>> votes;  ///< initial votes by member
};

class Dpos {
 public:
  /// Throws Error{data} on an inconsistent genesis (duplicates, zero
  /// delegates, reputation over 10000, votes that vote() would refuse).
  explicit Dpos(DposGenesis genesis);

  static constexpr uint32_t k_max_reputation = 10000;

  /// A member's vote (delegate.vote). Throws Error{invalid}: not a member,
  /// unknown or duplicate candidate, more than max_votes.
  void vote(const PublicKey& member, const std::vector<PublicKey>& candidates);
  /// Reputation after height h is decided: `owner` is the slot owner,
  /// `produced` whether the decided block is its proposal.
  void slot_result(const PublicKey& owner, bool produced);
  /// At the end of an epoch: every candidate that is not removed and not in
  /// `scheduled` (the ending epoch's schedule) gains `recovery` (capped).
  void epoch_end(const std::vector<PublicKey>& scheduled);
  /// Checks the evidence (Error{invalid} if it does not hold) and removes
  /// its validator. Idempotent. Returns false if it was already removed.
  bool remove(const DoubleSign& evidence, std::string_view chain_id);

  uint64_t votes(const PublicKey& candidate) const;
  /// votes × reputation, as 128-bit arithmetic cannot overflow.
  unsigned __int128 weight(const PublicKey& candidate) const;
  const DposCandidate* candidate(const PublicKey& key) const;
  const DposParams& params() const { return m_params; }

  /// Epoch of a height (heights start at 1): (h − 1) / N.
  uint64_t epoch_of(uint64_t height) const { return (height - 1) / m_params.delegates; }
  /// The elected delegates (unordered: by weight).
  std::vector<PublicKey> elect() const;
  /// The validator set for every height of `epoch`, from the current state.
  /// Throws Error{invalid} if no candidate is eligible.
  ValidatorSet schedule(uint64_t epoch) const;

 private:
  DposParams m_params;
  std::map<PublicKey, uint64_t> m_stake;
  std::map<PublicKey, DposCandidate> m_candidates;
  std::map<PublicKey, std::vector<PublicKey>> m_votes;
};

}  // namespace hc::consensus

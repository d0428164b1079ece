// The chain state and the deterministic state transition apply(state, block)
// that every node computes identically. Validation never writes anything:
// the caller decides whether to commit the result (Ledger::commit).
#pragma once

#include <hc/ledger/format.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hc::ledger {

/// A consent grant as the state knows it (the grant itself is its transaction).
struct Grant {
  std::string grantor;  ///< key ID that signed the grant
  bool revoked = false;
};

/// What apply() needs to know about the past beyond the small core state:
/// whether a transaction ID was already used, and the grants. The LMDB
/// ledger answers from its tables; verify answers from its own replay.
class Lookup {
 public:
  virtual ~Lookup() = default;
  /// True if `id` is in a block before the one being applied.
  virtual bool tx_known(const Hash& id) = 0;
  virtual std::optional<Grant> grant(const Hash& id) = 0;
};

/// The changes a block makes to the grants (the rest of the state is in State).
struct Effects {
  std::map<Hash, Grant> grants;  ///< new or changed grants, keyed by grant tx ID
};

/// A pending member.add or member.remove: the member joins (or leaves) once
/// more than two thirds of the current members have approved it (the
/// proposer's approval included).
struct Proposal {
  bool remove = false;  ///< a member.remove (only member.key_id is meaningful)
  Member member;
  std::string proposer;
  int64_t time = 0;                 ///< time of the block that holds the proposal
  std::set<std::string> approvals;  ///< key IDs of the members that approved it
};

/// A proposal lapses once a block is more than this many seconds after it.
inline constexpr int64_t k_proposal_ttl_s = 7 * 86400;

/// The small core of the state: chain identity and parameters, head, history
/// right edge, members, delegates and votes. Copied by value; serialised as
/// canonical JSON in the ledger's meta table.
struct State {
  std::string chain;  ///< hex chain ID (SHA-256 of the genesis document)
  Params params;
  uint64_t height = 0;  ///< blocks applied so far (the next block's height)
  Hash head{};          ///< hash of the last block
  int64_t head_time = 0;
  merkle::CompactRange history;  ///< over the hashes of blocks 0..height-1
  std::map<std::string, Member> members;
  std::vector<std::string> delegates;  ///< this round's producers, in schedule order
  std::map<std::string, std::vector<std::string>> votes;  ///< voter → candidates
  std::set<std::string> banned;        ///< producers caught double-signing
  std::map<std::string, Proposal> proposals;  ///< pending member.add / member.remove, by transaction ID (hex)
  uint64_t tx_count = 0;               ///< transactions in all blocks so far

  /// The state after the genesis block (height 1 next).
  static State genesis(const Genesis& g);
  json::Value to_json() const;
  static State from_json(const json::Value& v);
  /// The delegate list the votes give (top delegate_count by voters' stake,
  /// ties by key ID; banned and non-members left out). Empty if no votes.
  std::vector<std::string> tally() const;
  bool is_delegate(const std::string& key_id) const;
  /// True if the approvals of current members are more than two thirds of them.
  bool quorum(const std::set<std::string>& approvals) const;
};

struct ApplyOptions {
  bool check_signatures = true;  ///< false if the caller already checked them (e.g. in parallel)
  unsigned threads = 1;          ///< for signature checks
};

/// Thrown by apply(): which transaction (index, or -1 for the header) and why.
struct Invalid {
  long tx_index = -1;
  std::string reason;
};

/// Checks every rule of `block` against `before` (height, hash link, history
/// root, time, producer schedule and signature, transaction root, every
/// transaction's chain, time, uniqueness, signature and kind rules) and
/// returns the state after it; grant changes go to `effects`. Throws
/// Error{invalid} whose message names the height and the reason. Pure: the
/// same inputs give the same result on every node.
State apply(const State& before, const Block& block, Lookup& lookup, Effects& effects, const ApplyOptions& options = {});

/// True if apply() reads the data of transactions of `kind` (its rules need
/// the chain's state); false for kinds with stateless rules only (emr.index,
/// anchor, x.*), whose Tx::body apply() never touches.
bool has_state_rules(std::string_view kind);

/// Checks the signatures of txs[i] for all i in parallel; returns the index of
/// the first invalid one, or -1.
long first_bad_signature(const std::vector<Tx>& txs, unsigned threads);

/// Builds and signs the next block on `state` from `txs` (producer must be a
/// delegate). Does not validate the transactions: apply() does.
Block seal_block(const State& state, std::vector<Tx> txs, const keys::SecretKey& producer, int64_t time,
                 json::Value ext = nullptr);

}  // namespace hc::ledger

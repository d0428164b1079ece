// The Tendermint consensus algorithm, Algorithm 1 of Buchman, Kwon and
// Milosevic, "The latest gossip on BFT consensus" (arXiv:1807.04938), as a
// pure state machine: inputs are messages, timeouts and the start of a
// height; outputs are messages to broadcast, timeouts to schedule, decisions
// and evidence. No clock, no I/O, no randomness: the same inputs give the
// same outputs, which is what the simulated-network tests rely on. Comments
// "L22" etc. name the paper's line numbers. Weights generalise the paper's
// n = 3f + 1: "2f + 1" is "more than 2/3 of the total weight", "f + 1" is
// "more than 1/3".
#pragma once

#include <hc/consensus/evidence.h>
#include <hc/consensus/safety.h>
#include <hc/consensus/validators.h>

#include <functional>
#include <map>
#include <set>
#include <variant>
#include <vector>

namespace hc::consensus {

struct TimeoutEvent {
  uint64_t height = 0;
  uint32_t round = 0;
  Step step = Step::propose;
  bool operator==(const TimeoutEvent&) const = default;
};

/// Schedule `event` after `delay_ms`; the host calls on_timeout(event) then.
struct ScheduleTimeout {
  TimeoutEvent event;
  uint64_t delay_ms = 0;
};

/// A value decided at `height`: final. `commit` holds the > 2/3 precommits.
struct Decision {
  uint64_t height = 0;
  uint32_t round = 0;
  Value value;
  Vote proposal;             ///< the proposer's signed header for `value`
  std::vector<Vote> commit;  ///< the precommits for value.id in `round`
};

/// Broadcast a Vote or a Proposal (the engine has already counted it itself);
/// schedule a timeout; a decision; evidence found against another validator.
using Output = std::variant<Vote, Proposal, ScheduleTimeout, Decision, DoubleSign>;
using Outputs = std::vector<Output>;

/// Timeouts grow linearly with the round (the paper's timeout(r) = base + r·delta).
struct Timeouts {
  uint64_t propose_ms = 1000, propose_delta_ms = 500;
  uint64_t prevote_ms = 500, prevote_delta_ms = 250;
  uint64_t precommit_ms = 500, precommit_delta_ms = 250;
};

struct EngineConfig {
  std::string chain_id;
  Timeouts timeouts;
  uint32_t max_future_rounds = 64;  ///< messages further ahead are dropped
  size_t max_buffered = 4096;       ///< messages kept for the next height
};

class Engine {
 public:
  /// getValue() of the paper: the block this node proposes at `height`.
  using GetValue = std::function<Value(uint64_t height)>;
  /// valid() of the paper; must also check that value.id is the value's ID.
  using IsValid = std::function<bool(uint64_t height, const Value& value)>;

  Engine(EngineConfig config, crypto::SecretBytes ed25519_seed, SafetyGuard& guard, GetValue get_value,
         IsValid is_valid);

  /// StartRound(0) at `height` with its validator set. Replays buffered
  /// messages for that height.
  Outputs start_height(uint64_t height, ValidatorSet validators);
  /// A message from the network (signatures are checked here).
  Outputs on_message(const Message& m);
  Outputs on_proposal(const Proposal& p);
  Outputs on_vote(const Vote& v);
  /// L57, L61, L65.
  Outputs on_timeout(const TimeoutEvent& t);

  uint64_t height() const { return m_height; }
  uint32_t round() const { return m_round; }
  Step step() const { return m_step; }
  bool decided() const { return m_decided; }
  int32_t locked_round() const { return m_locked_round; }
  const PublicKey& key() const { return m_key; }
  const ValidatorSet& validators() const { return m_set; }

 private:
  struct RoundState {
    std::optional<Proposal> proposal;
    // Per validator: its first vote, and at most one conflicting vote. A
    // double-signer's votes count towards each value it signed; quorums of
    // more than 2/3 still intersect in an honest validator, so at most one
    // value per (round, step) can reach one (the paper's argument, where a
    // Byzantine process may send different messages to different processes).
    std::map<PublicKey, std::vector<Vote>> prevotes, precommits;
    bool prevote_timer = false, precommit_timer = false, l36_done = false;
  };

  void ingest_proposal(const Proposal& p, bool own);
  void ingest_vote(const Vote& v, bool own);
  bool buffer_or_drop(uint64_t height, const Message& m);
  void evaluate();
  bool step_rules();
  void start_round(uint32_t round);
  void sign_and_send_vote(Step step, std::optional<Hash> value);
  bool valid(const Value& v);
  using VoteMap = std::map<PublicKey, std::vector<Vote>>;
  uint64_t weight_for(const VoteMap& votes, const std::optional<Hash>& value) const;
  uint64_t weight_any(const VoteMap& votes) const;
  uint64_t weight_round(uint32_t round) const;
  void schedule(Step step, uint32_t round);
  void report_evidence(const Vote& a, const Vote& b);

  EngineConfig m_config;
  crypto::SecretBytes m_seed;
  PublicKey m_key{};
  SafetyGuard& m_guard;
  GetValue m_get_value;
  IsValid m_is_valid;

  bool m_started = false;
  uint64_t m_height = 0;
  uint32_t m_round = 0;
  Step m_step = Step::propose;
  bool m_decided = false;
  ValidatorSet m_set;
  std::optional<Value> m_locked_value, m_valid_value;
  int32_t m_locked_round = -1, m_valid_round = -1;
  std::map<uint32_t, RoundState> m_rounds;
  std::map<Hash, bool> m_valid_cache;
  std::set<std::tuple<PublicKey, uint32_t, uint8_t>> m_evidenced;
  std::vector<Message> m_buffered;
  Outputs m_out;
};

}  // namespace hc::consensus

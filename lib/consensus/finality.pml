/*
 * The finality rule of hc's consensus (lib/consensus/engine.cpp, the
 * Tendermint algorithm of arXiv:1807.04938) for one height, 4 delegates of
 * weight 1 (DPoS gives every elected delegate weight 1, dpos.cpp), checked
 * with spin:
 *
 *   default:        delegate 3 is Byzantine: it signs every prevote,
 *                   precommit and (as round-0 proposer) proposal, for
 *                   every value (see init). Timeouts may fire
 *                   at any moment (asynchrony). Checked: no two different
 *                   values are ever decided (assertion in DECIDE).
 *   -DALL_HONEST:   4 honest delegates; timeouts fire only when nothing else
 *                   can happen (Promela's `timeout`: after GST the timeouts
 *                   are long enough). Checked: every delegate decides
 *                   (ltl live).
 *
 * Abstractions: values are A and B (plus nil); rounds 0..R-1; every message
 * sent is visible to every process at once, and a process's freedom to fire
 * any enabled rule, or a timeout, in any order stands for message delay; a
 * vote counts towards each value its signer signed (Engine::weight_for),
 * so a double-signer counts twice, as in the engine.
 *
 * Each step names the function, and the paper's line, it stands for.
 */

#define N 4
#define R 2
#define QUORUM 3      /* ValidatorSet::quorum: 3w > 2n, n = 4 */
#define ONE_HONEST 2  /* ValidatorSet::one_honest: 3w > n */

#define NIL 0
#define VA 1
#define VB 2
#define NONE 3

#define PROPOSE 0
#define PREVOTE 1
#define PRECOMMIT 2

/* ValidatorSet::proposer: proposers[(h + r) mod p] over the DPoS producer
 * schedule (lib/node/dpos_view.cpp), here the full schedule of the 4
 * delegates (p = n) with h = 3 so the round-0 proposer is delegate 3 (the
 * Byzantine one unless ALL_HONEST). A narrower schedule (a delegate out of
 * it for low reputation) changes who proposes, never who votes or the
 * quorums, so safety below does not depend on it; liveness with all honest
 * delegates up holds for any non-empty schedule of them, as every honest
 * delegate proposes in the rounds it owns. */
#define PROPOSER(r) (((r) + 3) % N)

#ifdef ALL_HONEST
#define HONEST 4
#define TIMEOUT timeout
#else
#define HONEST 3
#define TIMEOUT true
#endif

byte pv[R * N];  /* honest prevotes (RoundState::prevotes): NIL, VA, VB or NONE */
byte pc[R * N];  /* honest precommits (RoundState::precommits) */
byte bpv[R];     /* the Byzantine delegate's prevotes: a bit per value it signed */
byte bpc[R];     /* its precommits */
byte prop[R];    /* proposals of round r: bit v set if proposed (RoundState::proposal) */
byte pvr[R * 3]; /* valid_round + 1 of each proposed value (0 = -1) */
byte decided[N];
byte ndecided;   /* how many delegates have decided */
bit decA, decB;

/* Engine::weight_for(prevotes, v) and weight_any(prevotes). */
#define PVC(r, v) ((pv[(r)*N] == (v)) + (pv[(r)*N+1] == (v)) + (pv[(r)*N+2] == (v)) + \
                   (pv[(r)*N+3] == (v)) + ((bpv[r] >> (v)) & 1))
#define PCC(r, v) ((pc[(r)*N] == (v)) + (pc[(r)*N+1] == (v)) + (pc[(r)*N+2] == (v)) + \
                   (pc[(r)*N+3] == (v)) + ((bpc[r] >> (v)) & 1))
#define PVANY(r) ((pv[(r)*N] != NONE) + (pv[(r)*N+1] != NONE) + (pv[(r)*N+2] != NONE) + \
                  (pv[(r)*N+3] != NONE) + (bpv[r] != 0))
#define PCANY(r) ((pc[(r)*N] != NONE) + (pc[(r)*N+1] != NONE) + (pc[(r)*N+2] != NONE) + \
                  (pc[(r)*N+3] != NONE) + (bpc[r] != 0))
#define PROPOSED(r, v) ((prop[r] >> (v)) & 1)

/* Engine::weight_round(r): distinct delegates with any message in round r. */
#define SENT(r, q) (pv[(r)*N+(q)] != NONE || pc[(r)*N+(q)] != NONE || (prop[r] != 0 && PROPOSER(r) == (q)))
#define INROUND(r) (SENT(r, 0) + SENT(r, 1) + SENT(r, 2) + \
                    (SENT(r, 3) || bpv[r] != 0 || bpc[r] != 0))

/* Engine::step_rules, L49: a proposal and > 2/3 precommits for it in round rr. */
#define DECIDE(rr) \
  :: atomic { decided[p] == NONE && PROPOSED(rr, VA) && PCC(rr, VA) >= QUORUM -> \
       decided[p] = VA; ndecided++; decA = 1; assert(!(decA && decB)); break } \
  :: atomic { decided[p] == NONE && PROPOSED(rr, VB) && PCC(rr, VB) >= QUORUM -> \
       decided[p] = VB; ndecided++; decB = 1; assert(!(decA && decB)); break }

proctype Honest(byte p) {
  byte round = 0, step = PROPOSE, v = NONE, vr;
  byte lockedV = NONE, validV = NONE;
  short lockedR = -1, validR = -1;
  byte l36 = 0; /* RoundState::l36_done, a bit per round */

start_round:  /* Engine::start_round, L11-L21 */
  atomic {
    step = PROPOSE;
    if
    :: PROPOSER(round) == p && validV != NONE ->  /* L15: re-propose validValue */
       prop[round] = prop[round] | (1 << validV); pvr[round * 3 + validV] = validR + 1
    :: PROPOSER(round) == p && validV == NONE ->  /* L18: getValue() */
       if :: v = VA :: v = VB fi;
       prop[round] = prop[round] | (1 << v); pvr[round * 3 + v] = 0; v = NONE
    :: else -> skip                               /* L21: schedule(propose) */
    fi
  }
end_rules:  /* blocked here with nothing enabled: a valid end (no more rounds) */
  do
  DECIDE(0)
  DECIDE(1)
  /* L22: proposal with valid_round -1 while in propose. (Two proposals of
   * one round: this process received either one first.) */
  :: atomic { step == PROPOSE &&
       ((PROPOSED(round, VA) && pvr[round * 3 + VA] == 0) || (PROPOSED(round, VB) && pvr[round * 3 + VB] == 0)) ->
       if
       :: PROPOSED(round, VA) && pvr[round * 3 + VA] == 0 -> v = VA
       :: PROPOSED(round, VB) && pvr[round * 3 + VB] == 0 -> v = VB
       fi;
       if
       :: lockedR == -1 || lockedV == v -> pv[round * N + p] = v
       :: else -> pv[round * N + p] = NIL
       fi;
       step = PREVOTE; v = NONE; vr = 0 }
  /* L28: proposal with valid_round vr < round and > 2/3 prevotes for it in vr. */
  :: atomic { step == PROPOSE && round > 0 &&
       ((PROPOSED(round, VA) && pvr[round * 3 + VA] > 0 && pvr[round * 3 + VA] - 1 < round &&
         PVC(pvr[round * 3 + VA] - 1, VA) >= QUORUM) ||
        (PROPOSED(round, VB) && pvr[round * 3 + VB] > 0 && pvr[round * 3 + VB] - 1 < round &&
         PVC(pvr[round * 3 + VB] - 1, VB) >= QUORUM)) ->
       if
       :: PROPOSED(round, VA) && pvr[round * 3 + VA] > 0 && PVC(pvr[round * 3 + VA] - 1, VA) >= QUORUM -> v = VA
       :: PROPOSED(round, VB) && pvr[round * 3 + VB] > 0 && PVC(pvr[round * 3 + VB] - 1, VB) >= QUORUM -> v = VB
       fi;
       vr = pvr[round * 3 + v] - 1;
       if
       :: lockedR <= vr || lockedV == v -> pv[round * N + p] = v
       :: else -> pv[round * N + p] = NIL
       fi;
       step = PREVOTE; v = NONE; vr = 0 }
  /* Engine::on_timeout(propose), L57: prevote nil. */
  :: atomic { step == PROPOSE && TIMEOUT -> pv[round * N + p] = NIL; step = PREVOTE }
  /* L36: a proposal and > 2/3 prevotes for it, step >= prevote, once per round. */
  :: atomic { step != PROPOSE && ((l36 >> round) & 1) == 0 &&
       ((PROPOSED(round, VA) && PVC(round, VA) >= QUORUM) || (PROPOSED(round, VB) && PVC(round, VB) >= QUORUM)) ->
       if
       :: PROPOSED(round, VA) && PVC(round, VA) >= QUORUM -> v = VA
       :: PROPOSED(round, VB) && PVC(round, VB) >= QUORUM -> v = VB
       fi;
       l36 = l36 | (1 << round);
       if
       :: step == PREVOTE -> lockedV = v; lockedR = round; pc[round * N + p] = v; step = PRECOMMIT
       :: else -> skip
       fi;
       validV = v; validR = round; v = NONE }
  /* L44: > 2/3 prevotes for nil. */
  :: atomic { step == PREVOTE && PVC(round, NIL) >= QUORUM -> pc[round * N + p] = NIL; step = PRECOMMIT }
  /* L34 then Engine::on_timeout(prevote), L61: precommit nil. */
  :: atomic { step == PREVOTE && PVANY(round) >= QUORUM && TIMEOUT -> pc[round * N + p] = NIL; step = PRECOMMIT }
  /* L47 then Engine::on_timeout(precommit), L65: next round. */
  :: atomic { round + 1 < R && PCANY(round) >= QUORUM && TIMEOUT -> round = round + 1; goto start_round }
  /* L55: more than 1/3 of the delegates are in a later round. */
  :: atomic { round + 1 < R && INROUND(round + 1) >= ONE_HONEST -> round = round + 1; goto start_round }
  od
}


init {
  byte i;
  atomic {
    for (i : 0 .. R * N - 1) { pv[i] = NONE; pc[i] = NONE }
    for (i : 0 .. N - 1) { decided[i] = NONE }
#ifndef ALL_HONEST
    /* Delegate 3 is Byzantine and has signed everything from the start:
     * prevotes and precommits for nil, A and B in every round, and both A
     * and B as round-0 proposer. Every guard above is monotone in the
     * messages sent, so any behaviour honest delegates can show with a
     * Byzantine delegate that signs later, or less, they can show here too
     * (they may always delay a rule or fire a timeout): this one Byzantine
     * delegate covers them all, without a process of its own. */
    for (i : 0 .. R - 1) { bpv[i] = 7; bpc[i] = 7 }
    prop[0] = (1 << VA) | (1 << VB);  /* PROPOSER(0) == 3 */
#endif
    for (i : 0 .. HONEST - 1) { run Honest(i) }
  }
}

#ifdef ALL_HONEST
ltl live { <> (ndecided == N) }
#endif

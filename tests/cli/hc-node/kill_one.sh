#!/usr/bin/env bash
# SIGKILL one of four nodes: the other three keep finalising (3 of 4 is more
# than 2/3). Started again, the killed node recovers from its ledger and its
# double-sign record, catches up from its peers, and all four agree.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-node/consortium.bash"

consortium 4 200
for i in 1 2 3 4; do start $i; done
wait_height 1 3 20
kill9 4
h=$(height 1)
run 0 hc-node load --key org2.key --genesis genesis.json -n 100 --batch 20 --wait 30 \
  --node "$(url 1)" --node "$(url 2)" --node "$(url 3)"
expect_out '"committed":100'
wait_height 1 $((h + 5)) 30
wait_height 3 $((h + 5)) 30

# Back: it replays nothing twice, syncs the blocks it missed, and votes again.
start 4
h=$(height 1)
wait_height 4 "$h" 30
api 4 /v1/status >s.json
[ "$(json_get s.json .blocks.synced)" -ge 1 ] || fail "node 4 synced no block: $(cat s.json)"
h=$(height 1)
wait_height 4 $((h + 3)) 30
for i in 1 2 3 4; do stop $i; done
check_agreement 1 2 3 4

#!/usr/bin/env bash
# Kill two of four: no new block is final (2 of 4 is not more than 2/3), and
# finality resumes once one of them returns.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-node/consortium.bash"

consortium 4 200
for i in 1 2 3 4; do start $i; done
wait_height 1 3 20
kill9 3
kill9 4
sleep 1.5
h1=$(height 1); h2=$(height 2)
run 0 hc-node load --key org1.key --genesis genesis.json -n 20 --wait 0 --node "$(url 1)" --node "$(url 2)"
sleep 3
[ "$(height 1)" = "$h1" ] || fail "node 1 finalised without a quorum: $h1 -> $(height 1)"
[ "$(height 2)" = "$h2" ] || fail "node 2 finalised without a quorum: $h2 -> $(height 2)"
api 1 /v1/status >s.json
[ "$(json_get s.json .mempool.txs)" -ge 1 ] || fail "the pending transactions were lost"

start 3
wait_height 1 $((h1 + 2)) 30
wait_height 3 $((h1 + 2)) 30
run 0 hc-node load --key org1.key --genesis genesis.json -n 20 --wait 30 --node "$(url 3)"
expect_out '"committed":20'
for i in 1 2 3; do stop $i; done
check_agreement 1 2 3

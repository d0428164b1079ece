#!/usr/bin/env bash
# Pause a node (SIGSTOP) while the others finalise; resumed (SIGCONT), it
# catches up and all four agree. A paused peer's buffers are bounded: the
# others neither stall nor grow without limit.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-node/consortium.bash"

consortium 4 200
for i in 1 2 3 4; do start $i; done
wait_height 1 3 20
kill -STOP "${PIDS[2]}"
h=$(height 1)
run 0 hc-node load --key org3.key --genesis genesis.json -n 50 --wait 30 --node "$(url 1)" --node "$(url 3)" --node "$(url 4)"
expect_out '"committed":50'
wait_height 4 $((h + 5)) 20
kill -CONT "${PIDS[2]}"
wait_height 2 "$(height 1)" 30
for i in 1 2 3 4; do stop $i; done
check_agreement 1 2 3 4

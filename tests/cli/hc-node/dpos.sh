#!/usr/bin/env bash
# The improved DPoS rules in a running consortium (hc-formats(5), DPOS RULES):
# a delegate that is stopped misses its slots, loses 2500 reputation per
# missed slot, and leaves the producer schedule at the next epoch boundary
# (epochs of 4 blocks here) while the other three keep finalising. Started
# again, it syncs, regains 500 per epoch out of the schedule, and comes back
# on probation. Every node derives the same schedule from the chain.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-node/consortium.bash"

GENESIS_FLAGS="--round-length 4" consortium 4 200
for i in 1 2 3 4; do start $i; done
wait_height 1 2 30
id4=$(hc-keygen id org4.pub)
# dpos_of I FIELD: a field of node I's DPoS view, as JSON.
dpos_of() { api "$1" /v1/status | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["dpos"][sys.argv[1]]))' "$2"; }
dpos_of 1 schedule | grep -q "$id4" || fail "org4 is not scheduled at the start: $(dpos_of 1 schedule)"
kill9 4

# Three missed slots (10000 → 2500), then out at the next epoch boundary.
t=0
until ! dpos_of 1 schedule | grep -q "$id4"; do
  sleep 0.5; t=$((t + 1))
  [ $t -lt 180 ] || fail "org4 never left the schedule: $(api 1 /v1/status)"
done
rep=$(api 1 /v1/status | python3 -c 'import json,sys; print(json.load(sys.stdin)["dpos"]["reputation"].get(sys.argv[1], 10000))' "$id4")
[ "$rep" -lt 5000 ] || fail "org4 left the schedule with reputation $rep"

# The other three keep finalising, and transactions still commit.
h=$(height 1)
run 0 hc-node load --key org2.key --genesis genesis.json -n 20 --wait 60 --node "$(url 1)" --node "$(url 2)"
expect_out '"committed":20'
wait_height 3 $((h + 8)) 60
# Everyone derives the same view: the proposers of node 2 and 3 equal node 1's
# once they are at the same height.
for j in 2 3; do
  t=0
  until [ "$(api 1 /v1/status | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["height"], json.dumps(s["dpos"], sort_keys=True))')" = \
          "$(api $j /v1/status | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["height"], json.dumps(s["dpos"], sort_keys=True))')" ]; do
    sleep 0.1; t=$((t + 1)); [ $t -lt 200 ] || fail "nodes 1 and $j never showed the same DPoS view"
  done
done

# Back: it syncs, and after at most five epochs out it is scheduled again.
start 4
t=0
until dpos_of 1 schedule | grep -q "$id4"; do
  sleep 0.5; t=$((t + 1))
  [ $t -lt 240 ] || fail "org4 never came back: $(api 1 /v1/status)"
done
h=$(height 1)
wait_height 4 $((h + 4)) 60
for i in 1 2 3 4; do stop $i; done
check_agreement 1 2 3 4

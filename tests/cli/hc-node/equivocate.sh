#!/usr/bin/env bash
# An equivocating delegate (the --test-equivocate harness signs two blocks for
# each height it proposes, one to each half of its peers) is caught: a node
# that sees both signed headers submits evidence.double_sign, the ledger bans
# the producer, it leaves the validator set, and the other three go on; all
# four still hold identical, verifiable ledgers.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-node/consortium.bash"

consortium 4 200
for i in 1 2 3; do start $i; done
start 4 --test-equivocate
id4=$(hc-keygen id org4.pub)
t=0
until api 1 /v1/status | grep -q "\"banned\":\[\"$id4\"\]"; do
  sleep 0.2; t=$((t + 1)); [ $t -lt 200 ] || fail "org4 was not banned: $(api 1 /v1/status)"
done
grep -q "test: equivocated" node4.log || fail "the harness did not equivocate"
cat node1.log node2.log node3.log | grep -q "evidence: producer $id4 signed two blocks" || fail "no node reported the evidence"
api 1 /v1/status >s.json
python3 -c '
import json; s=json.load(open("s.json")); assert s["evidence"]["blocks"] >= 0' || fail "status"
h=$(height 1)
run 0 hc-node load --key org2.key --genesis genesis.json -n 30 --wait 30 --node "$(url 2)" --node "$(url 3)"
expect_out '"committed":30'
wait_height 1 $((h + 3)) 20
wait_height 4 $((h + 3)) 20
for i in 1 2 3 4; do stop $i; done
check_agreement 1 2 3 4
# The ban is on the chain: an evidence.double_sign transaction.
hc-ledger -q -d d1/ledger export -o chain.jsonl
grep -q '"kind":"evidence.double_sign"' chain.jsonl || fail "no evidence transaction on the chain"

#!/usr/bin/env bash
# The Noise allow-list follows on-chain membership: a member.remove of org4
# is a proposal (4 members: 3 approvals); once the approval that gives it
# its quorum is final, every node closes its link with org4 and refuses its
# handshakes; the other three go on, and a node restarted with a
# configuration that still lists org4 starts and keeps refusing it.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-node/consortium.bash"

consortium 4 200
for i in 1 2 3 4; do start $i; done
wait_height 1 2 30
id4=$(hc-keygen id org4.pub)
# connected_to I KEYID: "True" if node I has an established link with KEYID.
connected_to() {
  api "$1" /v1/status | python3 -c '
import json,sys
s=json.load(sys.stdin)
print(any(p["connected"] for p in s["peers"] if p["key_id"]==sys.argv[1]))' "$2"
}
t=0
until [ "$(connected_to 1 "$id4")" = True ]; do sleep 0.2; t=$((t + 1)); [ $t -lt 100 ] || fail "org4 never linked"; done

# post I FILE: sends a signed transaction to node I.
post() {
  curl -sf --max-time 5 -X POST --data-binary @"$2" "$(url "$1")/v1/tx" >post.json || fail "POST failed"
  grep -q '"status":"pending"\|"status":"committed"' post.json || fail "not accepted: $(cat post.json)"
}
# committed I TXID: waits until node I's ledger holds the transaction.
committed() {
  local t=0
  until api "$1" "/v1/ledger/tx/$2" >/dev/null 2>&1; do
    sleep 0.2; t=$((t + 1)); [ $t -lt 150 ] || fail "transaction $2 never committed on node $1"
  done
}
run 0 hc-ledger -q -d d1/ledger submit --key org1.key --kind member.remove --set key_id="$id4"
cp out.txt remove.json
# tx_id FILE: the transaction ID (SHA-256 of its canonical line).
tx_id() { python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read().rstrip(b"\n")).hexdigest())' "$1"; }
proposal=$(tx_id remove.json)
post 2 remove.json
run 0 hc-ledger -q -d d1/ledger submit --key org2.key --kind member.approve --set proposal="$proposal"
cp out.txt approve2.json
post 3 approve2.json
committed 1 "$proposal"
committed 1 "$(tx_id approve2.json)"
# Two approvals of four members: org4 is still a member and still linked.
grep -q "member $id4 was removed from the chain" node1.log && fail "the proposal alone removed org4"
[ "$(connected_to 1 "$id4")" = True ] || fail "org4 lost its link before the quorum"
run 0 hc-ledger -q -d d1/ledger submit --key org3.key --kind member.approve --set proposal="$proposal"
cp out.txt approve3.json
post 1 approve3.json
for i in 1 2 3; do
  t=0
  until grep -q "member $id4 was removed from the chain" "node$i.log"; do
    sleep 0.2; t=$((t + 1)); [ $t -lt 150 ] || fail "node $i did not drop org4: $(tail -5 node$i.log)"
  done
done
# org4 keeps dialling; nobody lets it in again.
sleep 3
for i in 1 2 3; do
  api "$i" /v1/status | grep -q "\"key_id\":\"$id4\"" && fail "node $i still lists org4 as a peer"
done
api 4 /v1/status >s4.json
python3 -c '
import json; s=json.load(open("s4.json")); assert not any(p["connected"] for p in s["peers"]), s["peers"]' ||
  fail "org4 still has a link: $(cat s4.json)"
grep -q "refused\|disconnected" node4.log || fail "org4 saw no refusal"
# The rest go on.
h=$(height 1)
wait_height 3 $((h + 3)) 30
# A restart with the old configuration (org4 still listed) works and still refuses org4.
stop 1
start 1
grep -q "peer $id4 was removed from the chain; not linking with it" node1.log || fail "restart did not skip org4"
h=$(height 2)
wait_height 1 $((h + 2)) 30
[ "$(connected_to 1 "$id4")" = False ] || fail "org4 linked with the restarted node"
kill9 4
for i in 1 2 3; do stop $i; done
check_agreement 1 2 3

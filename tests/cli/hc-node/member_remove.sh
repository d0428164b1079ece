#!/usr/bin/env bash
# The Noise allow-list follows on-chain membership: once a member.remove of
# org4 is final, every node closes its link with org4 and refuses its
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

run 0 hc-ledger -q -d d1/ledger submit --key org1.key --kind member.remove --set key_id="$id4"
cp out.txt remove.json
curl -sf --max-time 5 -X POST --data-binary @remove.json "$(url 2)/v1/tx" >post.json || fail "POST failed"
grep -q '"status":"pending"\|"status":"committed"' post.json || fail "not accepted: $(cat post.json)"
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

#!/usr/bin/env bash
# Four nodes on loopback: a few hundred transactions submitted through all of
# them are committed; every node holds byte-identical blocks and passes
# hc-ledger verify; the HTTP API answers and refuses bad input.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-node/consortium.bash"

consortium 4 200
for i in 1 2 3 4; do start $i; done
wait_height 1 2 20

# 300 transactions, round robin over the four nodes, all committed.
run 0 hc-node load --key org1.key --genesis genesis.json -n 300 --batch 25 --wait 40 \
  --node "$(url 1)" --node "$(url 2)" --node "$(url 3)" --node "$(url 4)"
expect_out '"committed":300'
expect_out '"refused":0'

# The API: health, status, a block with its commit, a transaction's status.
api 1 /v1/health >h.json
[ "$(json_get h.json .ok)" = True ] || fail "health"
api 2 /v1/status >s.json
[ "$(json_get s.json .mempool.txs)" -ge 0 ] || fail "status"
api 3 /v1/block/1 >b.json
python3 -c 'import json; b=json.load(open("b.json")); assert len(b["commit"]["signers"]) >= 3, b' || fail "block 1 lacks a commit"
hc-ledger -q -d d1/ledger export -o chain.jsonl
id=$(python3 -c '
import json,sys,hashlib
for l in sys.stdin:
  b=json.loads(l)
  for t in b.get("txs",[]):
    print(hashlib.sha256(json.dumps(t,separators=(",",":"),sort_keys=True,ensure_ascii=False).encode()).hexdigest()); sys.exit()' <chain.jsonl)
api 4 "/v1/tx/$id" >t.json
[ "$(json_get t.json .status)" = committed ] || fail "tx status: $(cat t.json)"
code=$(curl -s -o nf.json -w '%{http_code}' "$(url 1)/v1/tx/$(printf '0%.0s' {1..64})")
[ "$code" = 404 ] || fail "unknown transaction: $code"
code=$(curl -s -o nf.json -w '%{http_code}' "$(url 1)/v1/block/999999")
[ "$code" = 404 ] || fail "block past the head: $code"
code=$(curl -s -o bad.json -w '%{http_code}' -X POST --data '{"body":1}' "$(url 1)/v1/tx")
[ "$code" = 400 ] || fail "malformed transaction: $code $(cat bad.json)"
# A transaction whose signature was tampered with is refused, not relayed.
python3 -c '
import json,sys
for l in open("chain.jsonl"):
  b=json.loads(l)
  for t in b.get("txs",[]):
    t["body"]["nonce"]="tampered"; print(json.dumps(t)); sys.exit()' >tampered.json
code=$(curl -s -o bad.json -w '%{http_code}' -X POST --data @tampered.json "$(url 2)/v1/tx")
[ "$code" = 422 ] || fail "tampered transaction: $code $(cat bad.json)"
grep -q 'signature does not verify' bad.json || fail "tampered: $(cat bad.json)"

h=$(height 1)
for i in 2 3 4; do wait_height $i "$h" 10; done
for i in 1 2 3 4; do stop $i; done
check_agreement 1 2 3 4
[ "$AGREED" -ge "$h" ] || fail "agreed only up to $AGREED"

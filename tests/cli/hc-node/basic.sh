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
api 3 "/v1/block/1?view=tx_ids" >ids.json
python3 -c '
import json,hashlib
b=json.load(open("b.json"))["block"]; v=json.load(open("ids.json"))
want=[hashlib.sha256(json.dumps(t,separators=(",",":"),sort_keys=True,ensure_ascii=False).encode()).hexdigest() for t in b.get("txs",[])]
assert v=={"height":1,"tx_ids":want}, (v,want)' || fail "block 1 tx_ids: $(cat ids.json)"
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

# POST /v1/txs: one result per line, in order: a committed one, the tampered
# one refused (exit code 1), a malformed line named by its number (blank lines
# count); the request itself is answered 200.
python3 -c '
import json
b=[json.loads(l) for l in open("chain.jsonl")]
t=[t for x in b for t in x.get("txs",[])][1]
print(json.dumps(t)); print(open("tampered.json").read().strip()); print(); print("{\"body\":1}")' >batch.jsonl
code=$(curl -s -o res.json -w '%{http_code}' -X POST -H "Content-Type: application/jsonl" --data-binary @batch.jsonl "$(url 3)/v1/txs")
[ "$code" = 200 ] || fail "batch: $code $(cat res.json)"
python3 -c '
import json
r=json.load(open("res.json"))["results"]
assert len(r)==3, r
assert r[0]["status"]=="committed" and r[0]["height"]>=0 and len(r[0]["tx_id"])==64, r[0]
assert r[1]["exit"]==1 and "signature does not verify" in r[1]["error"] and r[1]["line"]==2, r[1]
assert r[2]["exit"]==65 and r[2]["line"]==4, r[2]' || fail "batch results: $(cat res.json)"
# More than 10000 lines: the whole request is refused.
python3 -c 'print("{}\n"*10001, end="")' >big.jsonl
code=$(curl -s -o res.json -w '%{http_code}' -X POST -H "Content-Type: application/jsonl" --data-binary @big.jsonl "$(url 3)/v1/txs")
[ "$code" = 400 ] || fail "batch of 10001: $code $(cat res.json)"
grep -q 'more than 10000 transactions in one request' res.json || fail "batch of 10001: $(cat res.json)"
# Each transaction verified once per node: the checks never exceed the chain's
# transactions plus the refused ones sent to that node, plus the one race
# hc-node(1) names (a proposal arriving while an admission thread checks a
# slice of 8: at most 3 threads x 8 per proposal, rare; 40 allows a few).
for i in 1 2 3 4; do
  api $i /v1/status >s$i.json
  python3 -c '
import json,sys
s=json.load(open(sys.argv[1]))
assert s["signature_checks"] <= s["tx_count"] + 40, (s["signature_checks"], s["tx_count"])' s$i.json || fail "node $i verified twice: $(cat s$i.json)"
done

h=$(height 1)
for i in 2 3 4; do wait_height $i "$h" 10; done
for i in 1 2 3 4; do stop $i; done
check_agreement 1 2 3 4
[ "$AGREED" -ge "$h" ] || fail "agreed only up to $AGREED"

#!/usr/bin/env bash
# hc-ledger --node URL: show, stat, query, prove and submit against a running
# hc-node on loopback give the same JSON as the same commands on the node's
# ledger folder; errors keep their exit status.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-node/consortium.bash"

consortium 1 100
start 1
U=$(url 1)
wait_height 1 1 30

# submit: signed for the node's chain, POSTed, committed.
sum=$(printf 'protocol v1' | sha256sum | cut -c1-64)
run 0 hc-ledger --node "$U" submit --key org1.key --kind anchor --set sha256="$sum" --set label=protocol
expect_out '"status":"pending"'
txid=$(json_get out.txt .tx_id)
t=0
until hc-ledger --node "$U" show "$txid" >tx.json 2>/dev/null; do
  sleep 0.2; t=$((t + 1)); [ $t -lt 100 ] || fail "the transaction was not committed"
done
h=$(json_get tx.json .height)
run 0 hc-ledger --node "$U" stat
cp out.txt stat_remote.json
run 0 hc-ledger --node "$U" show "$h"
cp out.txt block_remote.json
run 0 hc-ledger --node "$U" prove "$txid"
cp out.txt prove_remote.json
run 0 hc-ledger --node "$U" prove --consistency 1 "$h"
cp out.txt cons_remote.json
run 0 hc-ledger --node "$U" query --group-by gender
cp out.txt query_remote.json
[ "$(json_get stat_remote.json .height)" -ge "$h" ] || fail "stat is behind: $(cat stat_remote.json)"

# Errors: the node's exit status comes through; bad URLs and no answer are named.
run 66 hc-ledger --node "$U" show "$(printf '%064d' 0)"
expect_err "no transaction"
run 66 hc-ledger --node "$U" show 999999
run 2 hc-ledger --node "$U" show nonsense
run 2 hc-ledger --node "$U" verify
expect_err "--node works with show, stat, query, prove and submit"
run 2 hc-ledger --node "https://127.0.0.1:1" stat
expect_err "must start with http://"
run 2 hc-ledger --node "http://127.0.0.1" stat
expect_err "needs a port"
run 2 hc-ledger --node "$U" query --where "name=x"
# The API, like the CLI, never lowers the small-cell threshold below 5.
for t in 0 4; do
  code=$(curl -s -o q.json -w '%{http_code}' "$U/v1/query?threshold=$t")
  [ "$code" = 400 ] || fail "threshold=$t answered $code: $(cat q.json)"
  grep -q "threshold must be 5..1000" q.json || fail "threshold=$t: $(cat q.json)"
done
code=$(curl -s -o q.json -w '%{http_code}' "$U/v1/query?threshold=5")
[ "$code" = 200 ] || fail "threshold=5 answered $code: $(cat q.json)"
run 2 hc-ledger --node "$U" submit --key org1.key --kind anchor --set sha256="$sum" --set label=x --producer org1.key

# The same answers from the folder, once the node has stopped.
stop 1
run 69 hc-ledger --node "$U" stat
expect_err "no answer from the node"
hc-ledger -d d1/ledger show "$txid" >tx_local.json
hc-ledger -d d1/ledger show "$h" >block_local.json
hc-ledger -d d1/ledger prove "$txid" >prove_local.json
hc-ledger -d d1/ledger prove --consistency 1 "$h" >cons_local.json
hc-ledger -d d1/ledger query --group-by gender >query_local.json
cmp tx.json tx_local.json || fail "show TXID differs"
cmp block_remote.json block_local.json || fail "show HEIGHT differs"
# An inclusion proof also carries the head it was made at, which moved on.
python3 - <<'PY' || fail "prove differs"
import json
a, b = json.load(open("prove_remote.json")), json.load(open("prove_local.json"))
for k in ("tx_id", "height", "leaf_index", "tree_size", "audit_path", "root", "header", "sig"):
    assert a[k] == b[k], k
PY
cmp cons_remote.json cons_local.json || fail "prove --consistency differs"
cmp query_remote.json query_local.json || fail "query differs"
# The node's proof checks offline against the head it names, read from the folder.
hc-ledger -d d1/ledger show "$(json_get prove_remote.json .head.header.height)" >head_local.json
run 0 hc-ledger check-proof prove_remote.json --trusted-hash "$(json_get head_local.json .hash)"

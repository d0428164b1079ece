# init, submit, append, anchor, stat, show, verify, prove, check-proof, query, export, import.
source "$HC_SRC/tests/cli/lib.sh"
key org org
key pat patient
run 0 hc-ledger -d L init --producer org.pub
[ "$(json_get out.txt .height)" = 0 ] || fail "height after init"
run 73 hc-ledger -d L init --producer org.pub
expect_err "a ledger already exists here"

sum=$(sha256sum org.pub | cut -c1-64)
run 0 hc-ledger -d L submit --key pat.key --kind emr.index --set content_hash="$sum" --set location=blob/1 \
  --set patient="$(hc-keygen id pat.pub)" --set fields.gender=F --set fields.age_band=40-49 \
  --set fields.condition="knee arthritis" --set readers='[]'
cp out.txt tx.jsonl
run 0 hc-ledger -d L append --key org.key tx.jsonl
txid=$(json_get out.txt .tx_id)
[ "$(json_get out.txt .height)" = 1 ] || fail "tx not at height 1"
echo "hello" > doc.txt
run 0 hc-ledger -d L anchor --key org.key doc.txt
[ "$(json_get out.txt .sha256)" = "$(sha256sum doc.txt | cut -c1-64)" ] || fail "anchor sha256"
[ "$(json_get out.txt .height)" = 2 ] || fail "anchor height"

HC_LEDGER=L run 0 hc-ledger stat
[ "$(json_get out.txt .transactions)" = 2 ] || fail "stat count"
head=$(json_get out.txt .head)
run 0 hc-ledger -d L show "$txid"
[ "$(json_get out.txt .height)" = 1 ] || fail "show tx"
run 0 hc-ledger -d L show 2
[ "$(json_get out.txt .hash)" = "$head" ] || fail "show block hash"

run 0 hc-ledger -d L verify
[ "$(json_get out.txt .ok)" = True ] || fail "verify"
expect_err "ledger intact: 3 blocks, 2 transactions checked"
[ -z "$(grep -F 'verifying' err.txt || true)" ] || fail "progress printed into a pipe"

run 0 hc-ledger -d L prove "$txid"
cp out.txt inc.json
run 0 hc-ledger check-proof inc.json --trusted-hash "$head"
[ "$(json_get out.txt .ok)" = True ] || fail "inclusion proof"
run 0 hc-ledger -d L prove --consistency 1 2
cp out.txt cons.json
run 0 hc-ledger check-proof --trusted-hash "$head" < cons.json
python3 -c 'import json;p=json.load(open("inc.json"));p["leaf_index"]=1;json.dump(p,open("bad.json","w"))'
run 1 hc-ledger check-proof bad.json --trusted-hash "$head"
expect_err "proof does not verify"
run 1 hc-ledger check-proof inc.json --trusted-hash "$(printf '%064d' 0)"
expect_err "neither the head nor the block is the trusted one"

run 0 hc-ledger -d L query --where gender=F --where 'age>=40'
expect_out '{"count":"< 5","total":true}'
run 0 hc-ledger -d L query --rows
expect_out "too few records to list"
[ -z "$(grep -F "$(hc-keygen id pat.pub)" out.txt || true)" ] || fail "query leaked the patient ID"

run 0 hc-ledger -d L export -o exp.jsonl
[ "$(wc -l < exp.jsonl)" = 3 ] || fail "export lines"
run 73 hc-ledger -d L export -o exp.jsonl
run 0 hc-ledger -d L2 import exp.jsonl
[ "$(json_get out.txt .head)" = "$head" ] || fail "import head differs"

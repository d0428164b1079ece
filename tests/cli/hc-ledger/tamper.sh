# A byte changed in a stored transaction or header is found by verify, at its height.
source "$HC_SRC/tests/cli/lib.sh"
key org org
hc-ledger -d L init --producer org.pub >/dev/null
for i in 1 2 3; do
  echo "document $i" > d$i.txt
  hc-ledger -d L anchor --key org.key d$i.txt >/dev/null
done
hc-ledger -d L submit --key org.key --kind anchor --set sha256="$(printf '%064d' 7)" --set label=TAMPERME > t.jsonl
hc-ledger -d L append --key org.key t.jsonl > /dev/null   # height 4
hc-ledger -d L anchor --key org.key d1.txt > /dev/null    # height 5
run 0 hc-ledger -d L verify
cp -r L pristine

flip() {  # flip FROM TO: replace a byte string in the data file (LMDB's free pages may hold stale copies)
  python3 - "$1" "$2" <<'PY'
import sys
p = "L/data.mdb"; b = open(p, "rb").read()
a, c = sys.argv[1].encode(), sys.argv[2].encode()
assert b.count(a) >= 1, b.count(a)
open(p, "wb").write(b.replace(a, c))
PY
}
flip TAMPERME TAMPERMF
run 1 hc-ledger -d L verify
expect_err "block 4: transaction 0"
[ "$(json_get out.txt .bad_height)" = 4 ] || fail "wrong height named"

rm -rf L && cp -r pristine L
# The header of block 3: change its tx_root's first hex digit.
root=$(hc-ledger -d L show 3 | python3 -c 'import json,sys; print(json.load(sys.stdin)["header"]["tx_root"])')
new=$(python3 -c "import sys; r='$root'; print(('1' if r[0]!='1' else '2')+r[1:])")
flip "\"tx_root\":\"$root\"" "\"tx_root\":\"$new\""
run 1 hc-ledger -d L verify
[ "$(json_get out.txt .bad_height)" = 3 ] || fail "wrong height named for a header"

rm -rf L && cp -r pristine L
# A signature byte of the producer (base64url text of block 2's sig).
sig=$(hc-ledger -d L show 2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["sig"])')
newsig=$(python3 -c "s='$sig'; print(s[:10]+('A' if s[10]!='A' else 'B')+s[11:])")
flip "$sig" "$newsig"
run 1 hc-ledger -d L verify
[ "$(json_get out.txt .bad_height)" = 2 ] || fail "wrong height for a signature"
expect_err "signature"

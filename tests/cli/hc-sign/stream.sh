# hc-sign --stream: JSON Lines in, one SD-JWT per line out, one passphrase.
source "$HC_SRC/tests/cli/lib.sh"
D="$HC_SRC/tests/data/ces"
key doc
for f in patient observation condition procedure careplan bundle; do
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$D/$f.json"
done > in.jsonl
echo "" >> in.jsonl   # blank lines are skipped
run 0 hc-sign --key doc.key --stream in.jsonl
[ "$(wc -l < out.txt)" = 6 ] || fail "expected 6 lines"
n=0
while IFS= read -r line; do
  n=$((n+1)); echo "$line" > one.json
  run 0 hc-verify --signer doc.pub one.json
done < out.txt
cp out.txt signed.jsonl
run 0 hc-sign --key doc.key --stream --compact -o c.txt in.jsonl
[ "$(grep -c '~$' c.txt)" = 6 ] || fail "expected 6 compact lines"
expect_err "signed 6 records"
# A bad record names its line and nothing is written.
printf '%s\n{"resourceType": 5}\n' "$(head -1 in.jsonl)" > bad.jsonl
run 65 hc-sign --key doc.key --stream -o bad.out bad.jsonl
expect_err "bad.jsonl:2:"
[ ! -e bad.out ] || fail "output written despite the error"
# Wrong passphrase: asked once, refused once.
HC_PASSPHRASE=wrong run 77 hc-sign --key doc.key --stream in.jsonl

# hc-extract: --remove, repeated extraction, --keep, --policy, and refusals.
source "$HC_SRC/tests/cli/lib.sh"
D="$HC_SRC/tests/data/ces"
key doc
hc-sign --key doc.key "$D/patient.json" > p.sd.json
run 0 hc-extract --remove /name --remove /address/0/line p.sd.json
echo "$out" > p1.json
run 0 hc-verify --signer doc.pub --resource p1.json
python3 - "$D/patient.json" <<'P' || fail "not the input minus the removals"
import json, sys
want = json.load(open(sys.argv[1])); got = json.load(open("out.txt"))
del want["name"]; del want["address"][0]["line"]
sys.exit(want != got)
P
# Again on its own output (patient -> hospital -> researcher).
run 0 hc-extract --remove /telecom/0 --compact p1.json
echo "$out" > p2.txt
run 0 hc-verify --signer doc.pub --resource p2.txt
expect_out '"email"'
grep -q '(03) 5555' out.txt && fail "removed telecom still there"
# Compact in, compact out.
run 0 hc-extract --remove /gender p2.txt
case "$out" in *~) ;; *) fail "compact input must give compact output" ;; esac
# --keep
run 0 hc-extract --keep /birthDate p.sd.json
echo "$out" > k.json
run 0 hc-verify --signer doc.pub --resource k.json
[ "$out" = '{"birthDate":"1974-12-25","id":"3f2a9c1d0b7e4a55","resourceType":"Patient"}' ] || fail "keep: $out"
# --policy file with patterns
echo '{"remove": ["/telecom/*", "/address/*/line"]}' > ep.json
run 0 hc-extract --policy ep.json p.sd.json
echo "$out" > e.json
run 0 hc-verify --signer doc.pub --resource e.json
grep -q "5555" out.txt && fail "telecom kept"
grep -q "Erewhon" out.txt && fail "address line kept"
# Refusals name the pointer, exit with the documented code, write nothing.
run 2 hc-extract --remove /nope -o x.json p.sd.json
expect_err "/nope does not exist"
[ ! -e x.json ] || fail "written despite the error"
run 77 hc-extract --remove /id -o x.json p.sd.json
expect_err "/id must stay"
[ ! -e x.json ] || fail "written despite the error"
run 2 hc-extract --remove name p.sd.json
expect_err "not a JSON Pointer"
echo '{"drop": []}' > bad.json
run 78 hc-extract --policy bad.json p.sd.json
run 65 hc-extract --remove /name "$D/patient.json"

# Bad input for every subcommand gives the documented exit code and a message.
source "$HC_SRC/tests/cli/lib.sh"
key org org
key other org
unset HC_LEDGER || true
run 2 hc-ledger stat
expect_err "no ledger folder"
run 66 hc-ledger -d nowhere stat
expect_err "no ledger here"
[ ! -e nowhere ] || fail "a read created the folder"
run 2 hc-ledger -d L init
expect_err "init needs --genesis FILE or --producer KEY"
echo '{"v":1,"name":"x","time":"2026-11-26T00:00:00Z","members":[],"delegates":[]}' > g.json
run 65 hc-ledger -d L init --genesis g.json
expect_err 'field "members"'
run 0 hc-ledger -d L init --producer org.pub

printf 'not json\n' > garbage.jsonl
run 65 hc-ledger -d L append --key org.key garbage.jsonl
expect_err "garbage.jsonl:1"
hc-ledger -d L submit --key other.key --kind anchor --set sha256="$(printf '%064d' 1)" --set label=x > tx.jsonl
python3 - <<'PY'
import json
t = json.loads(open("tx.jsonl").read())
t["body"]["data"]["label"] = "y"          # signature no longer matches
open("forged.jsonl", "w").write("\n" + json.dumps(t) + "\n")
PY
run 1 hc-ledger -d L append --key org.key forged.jsonl
expect_err "forged.jsonl:2"
expect_err "signature does not verify"
run 1 hc-ledger -d L append --key other.key tx.jsonl
expect_err "is not a delegate"
run 0 hc-ledger -d L append --key org.key tx.jsonl
run 1 hc-ledger -d L append --key org.key tx.jsonl
expect_err "repeats an earlier transaction"
# In a later block of one append: the error names that input line, and the
# blocks before it stay appended.
for i in 1 2 3 4; do
  hc-ledger -d L submit --key org.key --kind anchor --set sha256="$(printf '%064d' 2)" --set label=x --nonce "n$i"
done > four.jsonl
{ cat four.jsonl; sed -n 2p forged.jsonl; } > late.jsonl
run 0 hc-ledger -d L stat
before=$(json_get out.txt .height)
run 1 hc-ledger -d L append --key org.key --block-size 2 late.jsonl
expect_err "late.jsonl:5"
expect_err "signature does not verify"
run 0 hc-ledger -d L stat
[ "$(json_get out.txt .height)" = $((before + 2)) ] || fail "the two good blocks were not kept"
run 65 hc-ledger -d L submit --key org.key --kind anchor --set sha256=xyz --set label=x
expect_err 'field "body.data.sha256"'
run 65 hc-ledger -d L submit --key org.key --kind no.such --data '{}'
expect_err "unknown transaction kind"

run 66 hc-ledger -d L show 99
expect_err "no block at height 99"
run 2 hc-ledger -d L show abc
run 66 hc-ledger -d L show "$(printf '%064d' 0)"
run 66 hc-ledger -d L prove "$(printf '%064d' 0)"
run 2 hc-ledger -d L prove --consistency 0 1
run 66 hc-ledger -d L prove --consistency 1 9
run 2 hc-ledger check-proof tx.jsonl
expect_err "nothing trusted"
run 65 hc-ledger check-proof tx.jsonl --trusted-hash "$(printf '%064d' 0)"
run 2 hc-ledger -d L query --where location=x
expect_err 'cannot filter on "location"'
run 2 hc-ledger -d L query --threshold 2
run 2 hc-ledger -d L verify --from 5 --to 1
run 66 hc-ledger -d L anchor --key org.key missing.txt

# An export whose chain is broken is refused on import.
hc-ledger -d L export > exp.jsonl
python3 - <<'PY'
import json
lines = open("exp.jsonl").read().splitlines()
b = json.loads(lines[1]); b["header"]["time"] = "2020-01-01T00:00:00Z"
lines[1] = json.dumps(b)
open("broken.jsonl", "w").write("\n".join(lines) + "\n")
PY
run 1 hc-ledger -d L3 import broken.jsonl
expect_err "broken.jsonl:2"

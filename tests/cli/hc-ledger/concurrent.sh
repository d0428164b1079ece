# Readers never block the writer: verify runs again and again while blocks are appended.
source "$HC_SRC/tests/cli/lib.sh"
key org org >/dev/null
hc-ledger -d L0 init --producer org.pub >/dev/null
mkdir files
python3 -c "
for i in range(600): open(f'files/f{i}', 'w').write(str(i))"
hc-ledger -d L0 anchor --key org.key files/* >/dev/null
hc-ledger -d L0 export > exp.jsonl
python3 - <<'PY'
import json
lines = open("exp.jsonl").read().splitlines()
open("g.json", "w").write(json.dumps(json.loads(lines[0])["genesis"]))
with open("txs.jsonl", "w") as f:
    for line in lines[1:]:
        for t in json.loads(line)["txs"]:
            f.write(json.dumps(t) + "\n")
PY
hc-ledger -d L init --genesis g.json >/dev/null
hc-ledger -d L append --key org.key --block-size 1 txs.jsonl > appended.txt &
pid=$!
checks=0
while kill -0 "$pid" 2>/dev/null; do
  run 0 hc-ledger -d L verify
  checks=$((checks + 1))
done
wait "$pid" || fail "append failed"
run 0 hc-ledger -d L verify
[ "$(json_get out.txt .to)" = 600 ] || fail "not all blocks appended"
echo "concurrent: $checks verifies during the append" >&2
[ "$checks" -ge 1 ] || fail "no verify ran during the append"

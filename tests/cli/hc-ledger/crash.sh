# Crash safety: SIGKILL an appending process at random moments, then verify
# must pass and the ledger must keep growing. HC_CRASH_ITERATIONS (default 60)
# sets the number of kills; a longer run is done by hand.
source "$HC_SRC/tests/cli/lib.sh"
n=${HC_CRASH_ITERATIONS:-60}
key org org >/dev/null
hc-ledger -d L0 init --producer org.pub >/dev/null
mkdir files
python3 -c "
for i in range($((n * 20 + 200))): open(f'files/f{i}', 'w').write(str(i))"
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
run 0 hc-ledger -d L init --genesis g.json
for i in $(seq 0 $((n - 1))); do
  sed -n "$((i * 20 + 1)),$((i * 20 + 20))p" txs.jsonl > chunk.jsonl
  hc-ledger -d L append --key org.key --block-size 2 chunk.jsonl >/dev/null 2>&1 &
  pid=$!
  sleep "0.0$((RANDOM % 4))$((RANDOM % 10))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  run 0 hc-ledger -d L verify
done
# Everything left over goes in cleanly afterwards: no stale lock, no damage.
sed -n "$((n * 20 + 1)),\$p" txs.jsonl > rest.jsonl
run 0 hc-ledger -d L append --key org.key rest.jsonl
run 0 hc-ledger -d L verify
h=$(hc-ledger -d L stat | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])')
echo "crash: $n kills, head height $h" >&2
[ "$h" -gt 1 ] || fail "nothing was ever appended"

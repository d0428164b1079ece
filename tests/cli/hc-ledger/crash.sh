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
# How long one chunk's append takes here (key unlock included; ASan builds
# on a loaded machine are many times slower): each kill lands at a random
# moment within 1.2 times that, so some land mid-append, before, between
# and after the blocks' commits, on any build.
run 0 hc-ledger -d Lt init --genesis g.json
sed -n "1,20p" txs.jsonl > chunk.jsonl
t0=$(date +%s%N)
run 0 hc-ledger -d Lt append --key org.key --block-size 2 chunk.jsonl
span=$(( ($(date +%s%N) - t0) / 1000000 * 12 / 10 + 1 ))
for i in $(seq 0 $((n - 1))); do
  sed -n "$((i * 20 + 1)),$((i * 20 + 20))p" txs.jsonl > chunk.jsonl
  hc-ledger -d L append --key org.key --block-size 2 chunk.jsonl >/dev/null 2>&1 &
  pid=$!
  ms=$(( (RANDOM * 32768 + RANDOM) % span ))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  run 0 hc-ledger -d L verify
done
# Everything left over goes in cleanly afterwards: no stale lock, no damage.
sed -n "$((n * 20 + 1)),\$p" txs.jsonl > rest.jsonl
run 0 hc-ledger -d L append --key org.key rest.jsonl
run 0 hc-ledger -d L verify
h=$(hc-ledger -d L stat | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])')
echo "crash: $n kills within ${span} ms each, head height $h" >&2
[ "$h" -gt 1 ] || fail "nothing was ever appended"

#!/usr/bin/env bash
# Four hc-node processes on loopback; `hc-node load` submits signed
# transactions at RATE per second for SECONDS through all four (one
# keep-alive client per node, JSON Lines batches) and follows the chain until
# all are final. The bound, the two cores' Ed25519 verify rate divided by the
# node count (each node verifies each transaction once), is measured by
# hc-bench in the same run, before the nodes start.
# Prints one JSON line: load's figures, latency in block intervals, bound, ratio.
# Usage: bench/node_bench.sh HC_BIN SECONDS RATE [INTERVAL_MS [BATCH]]
#   HC_BENCH: the hc-bench binary (default HC_BIN/../bench/hc-bench)
set -euo pipefail
bin=$(cd "$1" && pwd) secs=$2 rate=$3 interval=${4:-1000} batch=${5:-250}
hcbench=${HC_BENCH:-$bin/../bench/hc-bench}
export PATH="$bin:$PATH" HC_PASSPHRASE=bench
work=$(mktemp -d "${TMPDIR:-/tmp}/hc-node-bench.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
bound_line=$(HC_BENCH_SECONDS=${HC_BOUND_SECONDS:-2} "$hcbench" "bounds/ed25519 verify" 2>/dev/null | tail -n 1)
verify2=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["value"])' "$bound_line")
read -r -a ports <<<"$(python3 -c '
import socket; ss=[socket.socket() for _ in range(8)]
for s in ss: s.bind(("127.0.0.1",0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')"
for i in 0 1 2 3; do
  hc-keygen --quiet new --role org --label "org$i" -o "org$i" --argon2-memory 1024 --argon2-iterations 1 >/dev/null
done
hc-node genesis --block-interval-ms "$interval" --member org0.pub --member org1.pub --member org2.pub --member org3.pub -o genesis.json
for i in 0 1 2 3; do
  peers=(); for j in 0 1 2 3; do peers+=(--peer "org$j.pub@127.0.0.1:${ports[$j]}"); done
  hc-node init --data-dir "d$i" --key "org$i.key" --genesis genesis.json --listen "127.0.0.1:${ports[$i]}" \
    --api "127.0.0.1:${ports[$((i + 4))]}" "${peers[@]}" -o "n$i.json" 2>/dev/null
  hc-node --config "n$i.json" >/dev/null 2>"n$i.log" & pids+=($!)
done
for i in 0 1 2 3; do until curl -sf "http://127.0.0.1:${ports[$((i + 4))]}/v1/health" >/dev/null 2>&1; do sleep 0.1; done; done
sleep 2
[ -n "${HC_BENCH_KEEP:-}" ] && echo "${ports[*]}" >"$HC_BENCH_KEEP"
load=$(hc-node load --key org0.key --genesis genesis.json --rate "$rate" --duration "$secs" --batch "$batch" --wait 120 \
  $(for i in 4 5 6 7; do printf -- '--node http://127.0.0.1:%s ' "${ports[$i]}"; done))
checks=$(for i in 4 5 6 7; do curl -sf "http://127.0.0.1:${ports[$i]}/v1/status"; echo; done)
python3 - "$load" "$verify2" "$interval" "$checks" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); verify2 = float(sys.argv[2]); iv = float(sys.argv[3])
st = [json.loads(l) for l in sys.argv[4].splitlines() if l.strip()]
bound = verify2 / 4
r["block_interval_ms"] = iv
r["latency_intervals"] = {"p50": r["latency_ms"]["p50"] / iv, "p99": r["latency_ms"]["p99"] / iv}
r["bound_tx_per_s"] = bound
r["bound"] = "2-core Ed25519 verify/s (hc-bench, same run) / 4 nodes = %.0f / 4" % verify2
r["ratio"] = r["tx_per_s"] / bound
# Verify once per node: signature checks per node against the chain's transactions.
r["signature_checks_per_tx"] = [round(s["signature_checks"] / max(1, s["tx_count"]), 3) for s in st]
r["signature_checks_in_blocks_per_tx"] = [round(s["signature_checks_in_blocks"] / max(1, s["tx_count"]), 3) for s in st]
r["targets"] = {"tx_per_s>=3000": r["tx_per_s"] >= 3000, "p50<=2 intervals": r["latency_intervals"]["p50"] <= 2,
                "p99<=5 intervals": r["latency_intervals"]["p99"] <= 5}
print(json.dumps(r))
PY

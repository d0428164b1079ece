#!/usr/bin/env bash
# Four hc-node processes on loopback; `hc-node load` submits COUNT signed
# transactions through all four and follows the chain until all are final.
# Prints load's JSON line. Usage: bench/node_bench.sh HC_BIN COUNT [INTERVAL_MS]
set -euo pipefail
bin=$1 count=$2 interval=${3:-1000}
export PATH="$bin:$PATH" HC_PASSPHRASE=bench
work=$(mktemp -d "${TMPDIR:-/tmp}/hc-node-bench.XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
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
hc-node load --key org0.key --genesis genesis.json -n "$count" --batch 1000 --wait 120 \
  $(for i in 4 5 6 7; do printf -- '--node http://127.0.0.1:%s ' "${ports[$i]}"; done)

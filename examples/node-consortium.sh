#!/usr/bin/env bash
# Four consortium members run hc-node on loopback (ports chosen free at run
# time): they agree on every block by Tendermint BFT finality, transactions
# submitted to any node are final on all, one node can fail and the rest go
# on, and every ledger verifies. Everything started here is stopped at the end.
# Run with the hc binaries on PATH: bash examples/node-consortium.sh
set -euo pipefail
if ! declare -F say >/dev/null; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/hc-node-demo.XXXXXX")
  say() { printf '\n== %s\n' "$*"; }
  indent() { sed 's/^/   /'; }
  export HC_PASSPHRASE="demo passphrase"
else
  work=$PWD/consortium; mkdir -p "$work"
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
            if [[ ${work:-} == */hc-node-demo.* ]]; then rm -rf "$work"; fi; }
trap cleanup EXIT
cd "$work"
read -r -a ports <<<"$(python3 -c '
import socket; ss=[socket.socket() for _ in range(8)]
for s in ss: s.bind(("127.0.0.1",0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')"
orgs=(hospital insurer research ministry)

say "Node: four members make keys and agree on a genesis document (1 block per 500 ms)"
for o in "${orgs[@]}"; do [ -e "$o.key" ] || hc-keygen new --role org --label "$o" -o "$o" --quiet >/dev/null; done
hc-node genesis --name "demo consortium" --block-interval-ms 500 \
  $(for o in "${orgs[@]}"; do printf -- '--member %s.pub ' "$o"; done) -o genesis.json --force
for i in 0 1 2 3; do
  peers=(); for j in 0 1 2 3; do peers+=(--peer "${orgs[$j]}.pub@127.0.0.1:${ports[$j]}"); done
  hc-node init --data-dir "${orgs[$i]}" --key "${orgs[$i]}.key" --genesis genesis.json \
    --listen "127.0.0.1:${ports[$i]}" --api "127.0.0.1:${ports[$((i + 4))]}" "${peers[@]}" -o "${orgs[$i]}.json" --force 2>/dev/null
done
api() { echo "http://127.0.0.1:${ports[$(( $1 + 4 ))]}"; }
height() { curl -s "$(api "$1")/v1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])'; }
# wait_for WHAT SECONDS CMD...: polls CMD until it succeeds; gives up with
# the node logs after SECONDS, so a node that cannot start never hangs this.
wait_for() {
  local what=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "gave up waiting for $what after ${limit}s; node logs:" >&2
      tail -n 5 ./*.log >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}
healthy() { curl -sf "$(api "$1")/v1/health" >/dev/null 2>&1; }
caught_up() { [ "$(height 3)" -ge "$1" ] 2>/dev/null; }

say "Node: start the four nodes"
for i in 0 1 2 3; do
  hc-node --config "${orgs[$i]}.json" >"${orgs[$i]}.out" 2>"${orgs[$i]}.log" & pids[$i]=$!
done
for i in 0 1 2 3; do wait_for "node $i" 30 healthy "$i"; done
sleep 2
curl -s "$(api 0)/v1/status" | python3 -c 'import json,sys; s=json.load(sys.stdin)
print("height", s["height"], "peers", sum(p["connected"] for p in s["peers"]), "delegates", len(s["delegates"]))' | indent

say "Node: 400 anchor transactions through all four nodes; final on all"
hc-node load --key hospital.key --genesis genesis.json -n 400 --batch 50 \
  --node "$(api 0)" --node "$(api 1)" --node "$(api 2)" --node "$(api 3)" | indent

say "Node: the ministry's node is killed (SIGKILL); three of four keep finalising"
kill -9 "${pids[3]}"; wait "${pids[3]}" 2>/dev/null || true
hc-node load --key insurer.key --genesis genesis.json -n 100 --node "$(api 0)" --node "$(api 1)" | indent

say "Node: it restarts, catches up from its peers, and all heads agree"
hc-node --config ministry.json >>ministry.out 2>>ministry.log & pids[3]=$!
wait_for "the ministry's node" 30 healthy 3
target=$(height 0)
wait_for "the ministry's node to catch up to height $target" 60 caught_up "$target"

say "Node: hc-ledger reads the running chain through a node's API; the DPoS view"
hc-ledger --node "$(api 0)" stat | indent
curl -s "$(api 0)/v1/status" | python3 -c 'import json,sys; d=json.load(sys.stdin)["dpos"]
print("epoch", d["epoch"], "producers", len(d["proposers"]), "reputations:", d["reputation"])' | indent
for i in 0 1 2 3; do kill "${pids[$i]}"; wait "${pids[$i]}" 2>/dev/null || true; done
pids=()
for o in "${orgs[@]}"; do
  printf '%-9s ' "$o"; hc-ledger -q -d "$o/ledger" export --to "$target" | sha256sum | cut -c1-16
done | indent
for o in "${orgs[@]}"; do hc-ledger -q -d "$o/ledger" verify >/dev/null && echo "$o: hc-ledger verify ok"; done | indent

# Helpers for hc-node's CLI tests (sourced after tests/cli/lib.sh): a
# consortium of N nodes on 127.0.0.1 with ports chosen free at run time.
# Every process started here is killed by the EXIT trap.
PIDS=()
cleanup_nodes() {
  for p in "${PIDS[@]}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
}
trap 'cleanup_nodes; rm -rf "$T"' EXIT

# free_ports N: N distinct TCP ports that are free now, below the kernel's
# ephemeral range: a port taken from that range (bind to port 0) can be
# given to another socket's outgoing connection (the nodes' own, to their
# peers) before the node that is to listen on it starts. Ports are handed
# out in turn from a counter shared by the tests running at once (under a
# lock), so two tests never get the same port either.
free_ports() { python3 -c '
import fcntl,os,random,socket,sys
n=int(sys.argv[1])
low=int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
lo,hi=10000,min(low,32768)
if hi-lo<1000:
    ss=[socket.socket() for _ in range(n)]
    for s in ss: s.bind(("127.0.0.1",0))
    print(" ".join(str(s.getsockname()[1]) for s in ss)); sys.exit()
with open(os.path.join(os.environ.get("TMPDIR","/tmp"),"hc-test-ports"),"a+") as f:
    fcntl.flock(f,fcntl.LOCK_EX)
    f.seek(0)
    t=f.read().strip()
    p=int(t) if t.isdigit() and lo<=int(t)<hi else random.randrange(lo,hi)
    out=[]
    for _ in range(hi-lo):
        if len(out)==n: break
        s=socket.socket()
        try:
            s.bind(("127.0.0.1",p)); out.append(p)
        except OSError:
            pass
        finally:
            s.close()
        p=p+1 if p+1<hi else lo
    f.seek(0); f.truncate(); f.write(str(p))
print(" ".join(map(str,out)))' "$1"; }

# consortium N [BLOCK_INTERVAL_MS]: keys org1..orgN, genesis.json, n1.json..nN.json.
consortium() {
  local n=$1 interval=${2:-200} i j
  N=$n
  read -r -a PORTS <<<"$(free_ports $((2 * n)))"
  local members=()
  for i in $(seq 1 "$n"); do key "org$i" org; members+=(--member "org$i.pub"); done
  # GENESIS_FLAGS: more hc-node genesis options (e.g. --round-length 4).
  hc-node genesis "${members[@]}" --block-interval-ms "$interval" ${GENESIS_FLAGS:-} -o genesis.json
  for i in $(seq 1 "$n"); do
    local peers=()
    for j in $(seq 1 "$n"); do peers+=(--peer "org$j.pub@127.0.0.1:$(p2p_port "$j")"); done
    hc-node init --data-dir "d$i" --key "org$i.key" --genesis genesis.json \
      --listen "127.0.0.1:$(p2p_port "$i")" --api "127.0.0.1:$(api_port "$i")" "${peers[@]}" -o "n$i.json" 2>/dev/null
    # Short consensus timeouts keep the tests fast.
    python3 - "n$i.json" <<'PY'
import json,sys
p=sys.argv[1]; c=json.load(open(p))
c["timeouts"]={"propose_ms":400,"prevote_ms":200,"precommit_ms":200}
json.dump(c,open(p,"w"),indent=2)
PY
  done
}
p2p_port() { echo "${PORTS[$(( $1 - 1 ))]}"; }
api_port() { echo "${PORTS[$(( N + $1 - 1 ))]}"; }
url() { echo "http://127.0.0.1:$(api_port "$1")"; }

# start I [ARGS...]: starts node I in the background and waits for its API.
start() {
  local i=$1; shift
  hc-node --config "n$i.json" ${HC_NODE_FLAGS:-} "$@" >>"node$i.out" 2>>"node$i.log" &
  PIDS[$i]=$!
  local t=0
  until curl -sf "$(url "$i")/v1/health" >/dev/null 2>&1; do
    sleep 0.1; t=$((t + 1))
    kill -0 "${PIDS[$i]}" 2>/dev/null || { cat "node$i.log" >&2; fail "node $i exited"; }
    [ $t -lt 150 ] || fail "node $i did not come up"
  done
}
# kill9 I: SIGKILL node I.
kill9() { kill -9 "${PIDS[$1]}"; wait "${PIDS[$1]}" 2>/dev/null || true; PIDS[$1]=; }
# stop I: SIGTERM, and it must exit 0.
stop() { kill -TERM "${PIDS[$1]}"; wait "${PIDS[$1]}" || fail "node $1 exited $? on SIGTERM"; PIDS[$1]=; }

api() { curl -sf --max-time 5 "$(url "$1")$2"; }
height() { api "$1" /v1/status | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])'; }
# wait_height I H [SECONDS]: until node I's head is at least H.
wait_height() {
  local i=$1 h=$2 s=${3:-30} t=0
  while [ "$(height "$i" 2>/dev/null || echo -1)" -lt "$h" ]; do
    sleep 0.2; t=$((t + 1))
    if [ $t -ge $((s * 5)) ]; then
      local j
      for j in $(seq 1 "$N"); do
        echo "node $j: $(api "$j" /v1/status 2>/dev/null | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["height"], s["consensus"], [(p["label"], p["connected"], p["next_height"]) for p in s["peers"]])' 2>/dev/null || echo down)" >&2
        tail -n 5 "node$j.log" >&2 || true
      done
      fail "node $i did not reach height $h in ${s}s (at $(height "$i" 2>/dev/null))"
    fi
  done
}

# check_agreement I...: stops nothing; compares the named nodes' ledgers up
# to the lowest head (byte-identical exports) and runs hc-ledger verify on each.
check_agreement() {
  local min=999999999 i h
  for i in "$@"; do
    h=$(hc-ledger -d "d$i/ledger" stat | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])')
    [ "$h" -lt "$min" ] && min=$h
  done
  [ "$min" -ge 1 ] || fail "no block was committed"
  for i in "$@"; do
    hc-ledger -q -d "d$i/ledger" export --to "$min" -o "export$i.jsonl" --force
    hc-ledger -q -d "d$i/ledger" verify >"verify$i.json" || fail "hc-ledger verify failed on node $i: $(cat "verify$i.json")"
  done
  for i in "$@"; do cmp -s "export$1.jsonl" "export$i.jsonl" || fail "nodes $1 and $i differ below height $min"; done
  AGREED=$min
}

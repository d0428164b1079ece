#!/usr/bin/env bash
# A partition: every link of node 4 goes through a loopback proxy that drops
# all its connections while a control file exists. Cut off, node 4 (the
# minority) finalises nothing while the other three (the majority) go on;
# healed, node 4 catches up and all four agree.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-node/consortium.bash"

consortium 4 200
read -r -a PROXY <<<"$(free_ports 4)"
python3 - "${PROXY[@]}" <<'PY'
import json,sys
q=sys.argv[1:5]
for i in (1,2,3):
    c=json.load(open(f"n{i}.json"))
    for p in c["peers"]:
        if p["key"].endswith("org4.pub"): p["address"]="127.0.0.1:"+q[3]
    json.dump(c,open(f"n{i}.json","w"))
c=json.load(open("n4.json"))
for p in c["peers"]:
    for i in (1,2,3):
        if p["key"].endswith(f"org{i}.pub"): p["address"]="127.0.0.1:"+q[i-1]
json.dump(c,open("n4.json","w"))
PY
cat >proxy.py <<'PY'
import asyncio,os,sys
ctl=sys.argv[1]
pairs=[tuple(int(x) for x in a.split(":")) for a in sys.argv[2:]]
conns=set()
async def pipe(r,w):
    try:
        while not os.path.exists(ctl):
            d=await r.read(65536)
            if not d: break
            w.write(d); await w.drain()
    except Exception: pass
    finally: w.close()
async def handle(r,w,target):
    if os.path.exists(ctl): w.close(); return
    try: tr,tw=await asyncio.open_connection("127.0.0.1",target)
    except Exception: w.close(); return
    conns.update((w,tw))
    await asyncio.gather(pipe(r,tw),pipe(tr,w))
    conns.difference_update((w,tw))
async def main():
    for lp,tp in pairs:
        await asyncio.start_server(lambda r,w,tp=tp: handle(r,w,tp),"127.0.0.1",lp)
    while True:
        await asyncio.sleep(0.05)
        if os.path.exists(ctl):
            for w in list(conns): w.close()
asyncio.run(main())
PY
python3 proxy.py cut "${PROXY[0]}:$(p2p_port 1)" "${PROXY[1]}:$(p2p_port 2)" "${PROXY[2]}:$(p2p_port 3)" \
  "${PROXY[3]}:$(p2p_port 4)" 2>proxy.log &
PIDS[9]=$!
for i in 1 2 3 4; do start $i; done
wait_height 4 3 20

touch cut
sleep 1
h4=$(height 4); h1=$(height 1)
run 0 hc-node load --key org1.key --genesis genesis.json -n 30 --wait 30 --node "$(url 1)" --node "$(url 2)" --node "$(url 3)"
expect_out '"committed":30'
wait_height 1 $((h1 + 5)) 20
wait_height 3 $((h1 + 5)) 20
[ "$(height 4)" = "$h4" ] || fail "the cut-off node finalised: $h4 -> $(height 4)"

rm cut
wait_height 4 "$(height 1)" 30
h=$(height 1)
wait_height 4 $((h + 2)) 20
for i in 1 2 3 4; do stop $i; done
check_agreement 1 2 3 4

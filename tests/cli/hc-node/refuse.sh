#!/usr/bin/env bash
# A peer whose key is not on a node's allow-list is refused during the Noise
# handshake; garbage and oversized frames on the peer port do not crash a
# node, which keeps finalising; bad configurations are refused clearly.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-node/consortium.bash"

consortium 4 200
# Node 1 does not list org4: org4's links to it must be refused.
python3 - n1.json <<'PY'
import json,sys
c=json.load(open(sys.argv[1])); c["peers"]=[p for p in c["peers"] if not p["key"].endswith("org4.pub")]
json.dump(c,open(sys.argv[1],"w"))
PY
start 1 -v
for i in 2 3 4; do start $i; done
wait_height 1 3 20
sleep 1
grep -q "is not a consortium member.s; link refused" node1.log || fail "node 1 did not log the refusal: $(cat node1.log)"
api 4 /v1/status >s4.json
python3 -c 'import json; s=json.load(open("s4.json")); p=[x for x in s["peers"] if x["label"]=="org1"][0]; assert not p["connected"], p' ||
  fail "org4 is connected to node 1"

# Garbage, an oversized frame, and a half-open handshake to node 2's peer port.
python3 - "$(p2p_port 2)" <<'PY'
import os,socket,sys,time
port=int(sys.argv[1])
for payload in [os.urandom(5000), b"\xff\xff" + os.urandom(70000), b"\x00\x20" + b"\x00"*32, b""]:
    s=socket.create_connection(("127.0.0.1",port)); s.sendall(payload); time.sleep(0.1); s.close()
PY
h=$(height 2)
wait_height 2 $((h + 3)) 20
kill -0 "${PIDS[2]}" || fail "node 2 died"

# Configurations that cannot work are refused before anything starts.
key stranger org
python3 - n2.json <<'PY'
import json,sys
c=json.load(open(sys.argv[1])); c["peers"].append({"key":"stranger.pub","address":"127.0.0.1:9"}); c["data_dir"]="dx"
json.dump(c,open("bad.json","w"))
PY
run 78 hc-node --config bad.json
expect_err "peer key"
expect_err "is not a member of the chain"
echo '{"type":"hc-node-config-v1","data_dir":"x","key":"org1.key","genesis":"genesis.json","api":"0.0.0.0:1"}' >pub.json
run 78 hc-node --config pub.json
expect_err "loopback"
run 2 hc-node
expect_err "nothing to do"
for i in 1 2 3 4; do stop $i; done
check_agreement 1 2 3 4

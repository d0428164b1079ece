# member.remove is a proposal like member.add: with three members it takes
# all three approvals (3A > 2N); one member's signature does not remove a key.
source "$HC_SRC/tests/cli/lib.sh"
for k in o1 o2 o3; do key $k org; done
python3 - <<'PY'
import json
members = [{k: json.load(open(f"o{i}.pub"))[k] for k in ("key_id", "ed25519", "label")} for i in (1, 2, 3)]
json.dump({"v": 1, "name": "removal", "time": "2026-11-26T00:00:00Z", "members": members,
           "delegates": [members[0]["key_id"], members[1]["key_id"]]}, open("g.json", "w"))
PY
run 0 hc-ledger -d L init --genesis g.json
id2=$(json_get o2.pub .key_id)
id3=$(json_get o3.pub .key_id)
members() { run 0 hc-ledger -d L stat; json_get out.txt .members; }
run 0 hc-ledger -d L submit --key o1.key --kind member.remove --set key_id="$id3" --producer o1.key
proposal=$(json_get out.txt .tx_id)
[ "$(members)" = 3 ] || fail "one member's signature removed a member"
run 1 hc-ledger -d L submit --key o1.key --kind member.approve --set proposal="$proposal" --producer o1.key
expect_err "approves a proposal it already approved"
run 1 hc-ledger -d L submit --key o2.key --kind member.remove --set key_id="$id3" --producer o1.key
expect_err "the key is already proposed for removal (approve proposal $proposal)"
run 1 hc-ledger -d L submit --key o1.key --kind member.remove --set key_id="$id2" --producer o1.key
expect_err "the signer already has a pending proposal ($proposal)"
run 65 hc-ledger -d L submit --key o2.key --kind member.remove --set key_id=nothex --producer o1.key
expect_err "body.data.key_id"
run 0 hc-ledger -d L submit --key o2.key --kind member.approve --set proposal="$proposal" --producer o1.key
[ "$(members)" = 3 ] || fail "two of three approvals removed a member"
# The member under removal signs its approval on its own; the producer appends it.
run 0 hc-ledger -d L submit --key o3.key --kind member.approve --set proposal="$proposal"
cp out.txt approve.jsonl
run 0 hc-ledger -d L append --key o1.key approve.jsonl
[ "$(members)" = 2 ] || fail "the third approval did not remove the member"
run 1 hc-ledger -d L submit --key o3.key --kind member.approve --set proposal="$proposal" --nonce 2 --producer o1.key
expect_err "only a member may approve members"
# Two members: removing o2 takes both; o1 stays the last delegate.
run 0 hc-ledger -d L submit --key o2.key --kind member.remove --set key_id="$id2" --producer o1.key
second=$(json_get out.txt .tx_id)
run 0 hc-ledger -d L submit --key o1.key --kind member.approve --set proposal="$second" --producer o1.key
[ "$(members)" = 1 ] || fail "o2 was not removed"
run 1 hc-ledger -d L submit --key o1.key --kind member.remove --set key_id="$(json_get o1.pub .key_id)" --producer o1.key
expect_err "would remove the last member"
run 0 hc-ledger -d L verify
[ "$(json_get out.txt .ok)" = True ] || fail "verify: $out"

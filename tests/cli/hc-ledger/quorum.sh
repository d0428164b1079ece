# member.add is a proposal: with three members it takes all three (3A > 2N);
# one member alone cannot add a member, twice or by a second proposal.
source "$HC_SRC/tests/cli/lib.sh"
for k in o1 o2 o3 o4; do key $k org; done
python3 - <<'PY'
import json
members = [{k: json.load(open(f"o{i}.pub"))[k] for k in ("key_id", "ed25519", "label")} for i in (1, 2, 3)]
json.dump({"v": 1, "name": "quorum", "time": "2026-11-26T00:00:00Z", "members": members,
           "delegates": [members[0]["key_id"]]}, open("g.json", "w"))
PY
run 0 hc-ledger -d L init --genesis g.json
member4=(--set key_id="$(json_get o4.pub .key_id)" --set ed25519="$(json_get o4.pub .ed25519)" --set label=o4)
run 0 hc-ledger -d L submit --key o1.key --kind member.add "${member4[@]}" --producer o1.key
proposal=$(json_get out.txt .tx_id)
run 0 hc-ledger -d L stat
[ "$(json_get out.txt .members)" = 3 ] || fail "a proposal made a member at once"
run 1 hc-ledger -d L submit --key o1.key --kind member.approve --set proposal="$proposal" --producer o1.key
expect_err "approves a proposal it already approved"
run 1 hc-ledger -d L submit --key o2.key --kind member.add "${member4[@]}" --producer o1.key
expect_err "the key is already proposed"
run 1 hc-ledger -d L submit --key o4.key --kind member.approve --set proposal="$proposal" --producer o1.key
expect_err "only a member may approve members"
run 65 hc-ledger -d L submit --key o2.key --kind member.approve --set proposal=nothex --producer o1.key
expect_err "body.data.proposal"
run 0 hc-ledger -d L submit --key o2.key --kind member.approve --set proposal="$proposal" --producer o1.key
run 0 hc-ledger -d L stat
[ "$(json_get out.txt .members)" = 3 ] || fail "two of three approvals made a member"
# o3 signs its approval on its own; the producer appends it.
run 0 hc-ledger -d L submit --key o3.key --kind member.approve --set proposal="$proposal"
cp out.txt approve.jsonl
run 0 hc-ledger -d L append --key o1.key approve.jsonl
run 0 hc-ledger -d L stat
[ "$(json_get out.txt .members)" = 4 ] || fail "the third approval did not make a member"
run 1 hc-ledger -d L submit --key o2.key --kind member.approve --set proposal="$proposal" --nonce 2 --producer o1.key
expect_err "approves a proposal that is not pending"
run 0 hc-ledger -d L verify

# A grantee's signed request: release checks its signature, takes EMR,
# purpose and time from it, keeps its ID in the access record, and refuses
# a replay, another grantee's key, a changed byte and a mismatch.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-share/setup.bash"
g=$(grant --until +1h)
run 0 hc-share request --key research.key --emr "$emr" --purpose HRESCH -o req.json
rid=$(python3 -c 'import json,hashlib; v=json.load(open("req.json")); print(hashlib.sha256(json.dumps(v,sort_keys=True,separators=(",",":")).encode()).hexdigest())')
rel() { hc-share release --key bob.key --context stmarys --to research.pub --producer stmarys.key "$@"; }
run 0 rel --request req.json -o a.age
run 0 hc-open --key research.key a.age
run 0 hc-share audit --patient "$bob_id"
expect_out "\"request\":\"$rid\""
# Replay.
run 1 rel --request req.json -o b.age
expect_err "answered already"; [ ! -e b.age ] || fail "wrote output for a replayed request"
# Signed by another key than the grantee's.
run 0 hc-share request --key other.key --emr "$emr" --purpose HRESCH -o other.json
run 1 rel --request other.json -o c.age
expect_err "not from"
# A changed purpose (the signature no longer verifies).
sed 's/HRESCH/TREAT/' req.json > changed.json
run 1 rel --request changed.json -o d.age
expect_err "does not verify"
# A request for another EMR than --emr, and --at with --request.
run 0 hc-share request --key research.key --emr "$emr" --purpose HRESCH -o req2.json
run 2 rel --request req2.json --emr "$(printf 'f%.0s' $(seq 64))" -o e.age
run 2 rel --request req2.json --at +1h -o e.age
run 65 rel --request emr.json -o e.age
# Neither --emr/--purpose nor --request.
run 2 rel -o e.age
expect_err "needs --emr and --purpose"

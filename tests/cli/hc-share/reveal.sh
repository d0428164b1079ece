# Reveal links pseudonyms for one verifier and one challenge only.
source "$HC_SRC/tests/cli/lib.sh"
key bob patient; key stmarys org; key research org
ch=$(hc-share challenge | python3 -c 'import json,sys; print(json.load(sys.stdin)["challenge"])')
[ ${#ch} = 43 ] || fail "challenge: $ch"
run 0 hc-share reveal --key bob.key --context stmarys --context study --audience stmarys.pub --challenge "$ch"
cp out.txt proof.json
grep -q '"secret"\|"seed"' proof.json && fail "a secret in the proof"
run 0 hc-share verify-reveal --audience stmarys.pub --challenge "$ch" proof.json
expect_out '"valid":true'
a=$(hc-share id --key bob.key --context stmarys | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
b=$(hc-share id --key bob.key --context study | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
expect_out "$a"; expect_out "$b"
run 0 hc-share verify-reveal --audience "$(hc-keygen id stmarys.pub)" --challenge "$ch" < proof.json
# Another verifier, another challenge: refused.
run 1 hc-share verify-reveal --audience research.pub --challenge "$ch" proof.json
expect_err "audience"
run 1 hc-share verify-reveal --audience stmarys.pub --challenge "another-challenge-0123456789" proof.json
expect_err "another challenge"
# A changed signature, a swapped key, an extra member, a dropped pseudonym.
python3 - <<'PY'
import json
p = json.load(open("proof.json"))
s = p["pseudonyms"][0]["sig"]; q = json.loads(json.dumps(p))
q["pseudonyms"][0]["sig"] = ("A" if s[0] != "A" else "B") + s[1:]; json.dump(q, open("badsig.json", "w"))
q = json.loads(json.dumps(p)); q["pseudonyms"][0]["pk"] = p["pseudonyms"][1]["pk"]; json.dump(q, open("swap.json", "w"))
q = json.loads(json.dumps(p)); q["extra"] = 1; json.dump(q, open("extra.json", "w"))
q = json.loads(json.dumps(p)); q["pseudonyms"] = q["pseudonyms"][:1]; json.dump(q, open("one.json", "w"))
PY
run 1 hc-share verify-reveal --audience stmarys.pub --challenge "$ch" badsig.json
expect_err "does not verify"
run 65 hc-share verify-reveal --audience stmarys.pub --challenge "$ch" swap.json
expect_err "not the key ID of pk"
run 65 hc-share verify-reveal --audience stmarys.pub --challenge "$ch" extra.json
expect_err "unknown member"
run 65 hc-share verify-reveal --audience stmarys.pub --challenge "$ch" one.json
run 2 hc-share reveal --key bob.key --context stmarys --audience stmarys.pub --challenge "$ch"
expect_err "at least two"
run 2 hc-share reveal --key bob.key --context a --context b --audience stmarys.pub --challenge short
run 77 env HC_PASSPHRASE=wrong hc-share reveal --key bob.key --context a --context b --audience stmarys.pub --challenge "$ch"

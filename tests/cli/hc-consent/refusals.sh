# Bad grants are refused before anything is signed; a deny rule wins over a
# permit; a grant without --producer is a transaction for hc-ledger append.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-share/setup.bash"
g() { hc-consent grant --key bob.key --context stmarys --producer stmarys.key "$@"; }
# An EMR this pseudonym did not index.
run 66 g --to research.pub --purpose HRESCH --emr "$(printf 'd%.0s' $(seq 64))" --until +1h
expect_err "not indexed under the pseudonym"
run 66 hc-consent grant --key bob.key --context other --to research.pub --purpose HRESCH --emr "$emr" --until +1h
# Bad purpose, bad times, bad grantee, period backwards.
run 65 g --to research.pub --purpose research --until +1h
expect_err 'purpose[0]'
run 2 g --to research.pub --purpose HRESCH --until tomorrow
expect_err "is not a time"
run 2 g --to research.pub --purpose HRESCH --until +1h --from yesterday
run 65 g --to research.pub --purpose HRESCH --from 2030-01-02T00:00:00Z --until 2030-01-01T00:00:00Z
expect_err "must be after"
run 2 g --to nosuch.pub --purpose HRESCH --until +1h
run 65 g --to research.pub --purpose HRESCH --purpose '*' --until +1h
run 77 env HC_PASSPHRASE=wrong hc-consent grant --key bob.key --context stmarys --to research.pub --purpose HRESCH --until +1h
# Nothing reached the chain.
run 0 hc-consent list
[ -z "$out" ] || fail "a refused grant is on chain: $out"
# Deny wins over permit, whatever the order.
p=$(grant --until +1d)
run 0 g --to research.pub --purpose '*' --until +1d --deny
d=$(python3 -c 'import json,sys; print(json.load(open("out.txt"))["grant"])')
run 1 hc-consent check --grantee research.pub --emr "$emr" --purpose HRESCH
expect_out '"reason":"denied"'; expect_out "\"rule\":\"$d\""
run 0 hc-consent revoke --key bob.key --context stmarys "$d" --producer stmarys.key
run 0 hc-consent check --grantee research.pub --emr "$emr" --purpose HRESCH
expect_out "\"rule\":\"$p\""
# Anyone ("*") as grantee.
run 0 g --to '*' --purpose PUBHLTH --until +1d
run 0 hc-consent check --grantee other.pub --emr "$emr" --purpose PUBHLTH
# Without --producer: a signed transaction that hc-ledger append accepts.
run 0 hc-consent grant --key bob.key --context stmarys --to other.pub --purpose TREAT --until +1d
cp out.txt tx.jsonl
expect_out '"kind":"consent.grant"'; expect_out "\"signer\":\"$bob_id\""
run 0 hc-ledger append --key stmarys.key tx.jsonl
run 0 hc-consent check --grantee other.pub --emr "$emr" --purpose TREAT
# Several patients indexed one EMR: the check must be told whose entry counts.
key eve patient
hc-share --quiet index --key eve.key --context stmarys --emr "$emr" --producer stmarys.key >/dev/null
run 2 hc-consent check --grantee other.pub --emr "$emr" --purpose TREAT
expect_err "several patient IDs"
run 0 hc-consent check --grantee other.pub --emr "$emr" --purpose TREAT --patient "$bob_id"
run 66 hc-consent check --grantee other.pub --emr "$emr" --purpose TREAT --patient 0123456789abcdef
run 66 hc-consent check --grantee other.pub --emr "$(printf 'e%.0s' $(seq 64))" --purpose TREAT
run 0 hc-ledger verify

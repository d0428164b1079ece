# A grant on chain permits its grantee during its period, names itself as the
# deciding rule, and denies before, after, other grantees and other purposes.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-share/setup.bash"
g=$(grant --from 2030-01-01T00:00:00Z --until 2030-01-02T00:00:00Z)
[ ${#g} = 64 ] || fail "no grant ID: $g"
check() { hc-consent --quiet check --emr "$emr" --purpose HRESCH "$@"; }
run 0 check --grantee research.pub --at 2030-01-01T12:00:00Z
expect_out '"decision":"permit"'; expect_out "\"rule\":\"$g\""; expect_out '"reason":"permitted"'
expect_out "\"patient\":\"$bob_id\""; expect_out '"resourceType":"Observation"'
run 1 check --grantee research.pub --at 2029-12-31T23:59:59Z
expect_out '"reason":"not-yet-valid"'
run 1 check --grantee research.pub --at 2030-01-02T00:00:00Z
expect_out '"reason":"expired"'; expect_out "\"rule\":\"$g\""
run 1 check --grantee other.pub --at 2030-01-01T12:00:00Z
expect_out '"reason":"no-consent"'; expect_out '"rule":null'
run 1 hc-consent check --emr "$emr" --grantee research.pub --at 2030-01-01T12:00:00Z --purpose TREAT
expect_out '"reason":"no-consent"'
# A key ID works as well as a key file.
rid=$(hc-keygen id research.pub)
run 0 check --grantee "$rid" --at 2030-01-01T12:00:00Z
# Evaluated up to a height: before the grant's block there was no consent.
h=$(hc-ledger stat | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])')
run 1 check --grantee research.pub --at 2030-01-01T12:00:00Z --height $((h - 1))
expect_out '"reason":"no-consent"'
run 2 check --grantee research.pub --height $((h + 5))
expect_err "beyond the head"
# The list shows the grant and its status at a time.
run 0 hc-consent list --patient "$bob_id" --at 2030-01-01T12:00:00Z
expect_out "\"grant\":\"$g\""; expect_out '"status":"active"'
run 0 hc-consent list --key bob.key --context stmarys --at 2031-01-01T00:00:00Z
expect_out '"status":"expired"'
run 0 hc-consent list --patient 0000000000000000
[ -z "$out" ] || fail "listed another patient's grants"
# The same terms twice (likely in one second) are two rules with two IDs.
a=$(grant --from 2031-01-01T00:00:00Z --until 2031-01-02T00:00:00Z)
b=$(grant --from 2031-01-01T00:00:00Z --until 2031-01-02T00:00:00Z)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || fail "two grants, one ID: $a $b"

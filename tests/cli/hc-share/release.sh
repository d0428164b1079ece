# Key release: while a grant holds, the record is re-sealed for the grantee
# only and the answer is recorded on chain; every refusal writes nothing and
# (when consent is the reason) is recorded too.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-share/setup.bash"
rel() { hc-share release --key bob.key --context stmarys --emr "$emr" --to research.pub --purpose HRESCH \
          --producer stmarys.key "$@"; }
# No consent yet: refused, nothing written, the refusal is on chain.
run 77 rel -o out.age
expect_err "no-consent"; [ ! -e out.age ] || fail "wrote output without consent"
run 0 hc-share audit --patient "$bob_id"
expect_out '"decision":"deny"'; expect_out '"reason":"no-consent"'
g=$(grant --until +1h)
run 0 rel -o out.age
expect_out '"decision":"permit"'
run 0 hc-open --key research.key out.age
[ "$out" = "$(cat emr.json)" ] || fail "the released copy differs from the record"
run 77 hc-open --key stmarys.key out.age           # sealed for the grantee only
run 77 hc-open --key bob.key out.age
run 0 hc-share audit --key bob.key --context stmarys
expect_out '"decision":"permit"'; expect_out "\"rule\":\"$g\""; expect_out "\"requester\":\"$(hc-keygen id research.pub)\""
[ "$(grep -c . out.txt)" = 2 ] || fail "expected two access records: $out"
# Existing output is not clobbered without --force.
run 73 rel -o out.age
run 0 rel -o out.age --force
# Expired: asked as of two hours later.
run 77 rel -o late.age --at +2h
expect_err "expired"; expect_err "what the grantee received before stays with it"
[ ! -e late.age ] || fail "wrote output after expiry"
# Revoked.
run 0 hc-consent revoke --key bob.key --context stmarys "$g" --producer stmarys.key
run 77 rel -o revoked.age
expect_err "revoked"; [ ! -e revoked.age ] || fail "wrote output after revocation"
run 0 hc-share audit --patient "$bob_id"
[ "$(grep -c '"decision":"deny"' out.txt)" = 3 ] || fail "expected three refusals on chain: $out"
# Without --producer the access transaction is printed instead.
run 77 hc-share release --key bob.key --context stmarys --emr "$emr" --to research.pub --purpose HRESCH -o x.age
expect_out '"kind":"access"'
run 0 hc-ledger verify

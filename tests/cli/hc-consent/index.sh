# The sharing index beside the ledger (hc-consent(1) FILES): built on first
# use, caught up by later commands, rebuilt after deletion, and when it
# cannot be kept the whole chain answers the same.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-share/setup.bash"
check() { hc-consent --quiet check --emr "$emr" --purpose HRESCH --grantee research.pub --at 2030-01-01T12:00:00Z "$@"; }
run 1 check
expect_out '"reason":"no-consent"'
[ -f "$HC_LEDGER/share-index/data.mdb" ] || fail "no index was kept"
[ "$(stat -c %a "$HC_LEDGER/share-index")" = 700 ] || fail "the index folder is not mode 700"
# A grant appended after the index was built is seen (the index catches up).
g=$(grant --from 2030-01-01T00:00:00Z --until 2030-01-02T00:00:00Z)
run 0 check
expect_out "\"rule\":\"$g\""
# Deleted: rebuilt from the ledger, same answer.
rm -rf "$HC_LEDGER/share-index"
run 0 check
expect_out "\"rule\":\"$g\""
[ -f "$HC_LEDGER/share-index/data.mdb" ] || fail "the index was not rebuilt"
# Cannot be kept (a file in its place): the whole chain answers the same,
# revocation included.
rm -rf "$HC_LEDGER/share-index"
echo x > "$HC_LEDGER/share-index"
run 0 check
expect_out "\"rule\":\"$g\""
run 0 hc-consent --quiet revoke --key bob.key --context stmarys --producer stmarys.key "$g"
run 1 check
expect_out '"reason":"revoked"'
rm "$HC_LEDGER/share-index"
run 1 check
expect_out '"reason":"revoked"'
# Another chain's index in its place is thrown away and rebuilt.
mkdir other && (cd other && key o org && HC_LEDGER="$PWD/l" hc-ledger --quiet init --producer o.pub >/dev/null &&
  HC_LEDGER="$PWD/l" hc-consent --quiet check --emr "$emr" --purpose HRESCH --grantee "$(hc-keygen id ../research.pub)" \
    >/dev/null 2>&1 || true)
[ -f other/l/share-index/data.mdb ] || fail "no index in the other ledger"
rm -rf "$HC_LEDGER/share-index" && cp -r other/l/share-index "$HC_LEDGER/share-index"
run 1 check
expect_out '"reason":"revoked"'

# hc-keygen export --age-recipient / --age-identity: the identity is the key
# file's X25519 scalar (age-keygen -y derives the same recipient), read with
# the passphrase; a wrong passphrase prints nothing.
source "$HC_SRC/tests/cli/lib.sh"
key alice patient
run 0 hc-keygen export --age-recipient alice.pub
r=$out
[[ "$r" =~ ^age1[02-9ac-hj-np-z]{58}$ ]] || fail "not an age recipient: $r"
run 0 hc-keygen export --age-recipient alice.key      # the public part of a private key file
[ "$out" = "$r" ] || fail "recipient differs between .pub and .key"
run 0 hc-keygen export --age-identity alice.key
grep -qx "# public key: $r" out.txt || fail "identity file lacks its public key comment"
id=$(grep -v '^#' out.txt)
[[ "$id" =~ ^AGE-SECRET-KEY-1[02-9ACDEFGHJKLMNPQRSTUVWXYZ]{58}$ ]] || fail "not an age identity"
[ -z "$err" ] || fail "the identity export wrote to stderr: $err"
echo "$id" > id.txt
[ "$(age-keygen -y id.txt)" = "$r" ] || fail "age-keygen -y disagrees with --age-recipient"
HC_PASSPHRASE=wrong run 77 hc-keygen export --age-identity alice.key
[ -z "$out" ] || fail "something printed on a wrong passphrase"
run 2 hc-keygen export --age-identity --age-recipient alice.key
run 77 hc-keygen export --age-identity alice.pub   # a public file is not a private key
expect_err "private key file is readable by others"

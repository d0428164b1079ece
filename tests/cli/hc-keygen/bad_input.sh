# hc-keygen refuses wrong passphrases, loose permissions, corrupt and missing files.
source "$HC_SRC/tests/cli/lib.sh"
key bob patient
sum=$(sha256sum bob.key)

HC_PASSPHRASE=wrong run 77 hc-keygen pub bob.key
expect_err "hc-keygen: error: bob.key: wrong passphrase or damaged key file"

chmod 644 bob.key
run 77 hc-keygen pub bob.key
expect_err "private key file is readable by others (mode 0644)"
expect_err "hc-keygen: hint: run: chmod 600 bob.key"
chmod 600 bob.key

head -c 100 bob.key > trunc.key && chmod 600 trunc.key
run 65 hc-keygen pub trunc.key
expect_err "hc-keygen: error: trunc.key:"

sed 's/"label": "bob"/"label": "eve"/' bob.key > tampered.key && chmod 600 tampered.key
run 77 hc-keygen pub tampered.key
expect_err "tampered.key: wrong passphrase or damaged key file"

run 66 hc-keygen pub missing.key
expect_err "hc-keygen: error: missing.key: cannot open: No such file or directory"

echo '{"type":"hc-public-key-v1"}' > broken.pub
run 65 hc-keygen id broken.pub
expect_err 'hc-keygen: error: broken.pub: field "role": missing'

# No terminal, no passphrase source: a usage error, not a hang.
env -u HC_PASSPHRASE setsid hc-keygen pub bob.key </dev/null >out.txt 2>err.txt && fail "no passphrase accepted" || code=$?
[ "$code" = 2 ] || fail "exit $code without passphrase"
[ "$(sha256sum bob.key)" = "$sum" ] || fail "bob.key changed"

# hc-keygen new: files, modes, JSON, refusals; pub/id/export; openssl checks an hc signature.
source "$HC_SRC/tests/cli/lib.sh"

export HC_PASSPHRASE="correct horse battery staple"
run 0 hc-keygen new --role doctor --label "Dr Alice" -o alice --argon2-memory 1024 --argon2-iterations 1
[ "$(stat -c %a alice.key)" = 600 ] || fail "alice.key mode is $(stat -c %a alice.key)"
[ "$(stat -c %a alice.pub)" = 644 ] || fail "alice.pub mode"
id=$(json_get out.txt .key_id)
[ ${#id} = 16 ] || fail "key id $id"
expect_err "created alice.key and alice.pub, key ID $id"
grep -q '"alg": "argon2id"' alice.key || fail "key not encrypted"
! grep -q "$HC_PASSPHRASE" alice.key || fail "passphrase in file"

run 0 hc-keygen id alice.pub
[ "$out" = "$id" ] || fail "id mismatch"
run 0 hc-keygen id alice.key
[ "$out" = "$id" ] || fail "id from .key mismatch"

# pub derives from the secrets (needs the passphrase) and equals alice.pub.
run 0 hc-keygen pub alice.key
cmp -s out.txt alice.pub || fail "pub differs from alice.pub"

# Never overwrite: the key file is left byte for byte as it was.
sum=$(sha256sum alice.key)
run 73 hc-keygen new --role doctor --label X -o alice
expect_err "hc-keygen: error: alice.key: file exists"
[ "$(sha256sum alice.key)" = "$sum" ] || fail "alice.key changed"

# Usage errors exit 2.
run 2 hc-keygen new --role nurse --label X -o n
run 2 hc-keygen new --label X
run 2 hc-keygen export alice.pub
expect_err "hc-keygen: error: --pem, --jwk, --age-recipient or --age-identity is required"

# openssl reads the exported key (hc-verify's tests check openssl verifies hc signatures).
run 0 hc-keygen export --pem alice.pub
cp out.txt alice.pem
openssl pkey -pubin -in alice.pem -noout || fail "openssl cannot read the PEM"
run 0 hc-keygen export --jwk alice.pub
[ "$(json_get out.txt .kid)" = "$id" ] || fail "jwk kid"

# hc-keygen passwd replaces the passphrase atomically; the old one stops working.
source "$HC_SRC/tests/cli/lib.sh"
key carol org
id=$(hc-keygen id carol.pub)
printf 'new secret\n' > new.txt
run 0 hc-keygen passwd carol.key --new-passphrase-file new.txt --argon2-memory 1024 --argon2-iterations 1
[ "$(stat -c %a carol.key)" = 600 ] || fail "mode after passwd"
HC_PASSPHRASE=pw run 77 hc-keygen pub carol.key
run 0 hc-keygen pub carol.key --passphrase-file new.txt
[ "$(json_get out.txt .key_id)" = "$id" ] || fail "key changed"
ls -a | grep -q '\.tmp-' && fail "temporary file left behind"
# A wrong current passphrase leaves the file untouched.
sum=$(sha256sum carol.key)
HC_PASSPHRASE=nope HC_NEW_PASSPHRASE=x run 77 hc-keygen passwd carol.key
[ "$(sha256sum carol.key)" = "$sum" ] || fail "file changed on failure"

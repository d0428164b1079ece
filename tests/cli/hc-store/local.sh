# hc-store on the default local folder backend: put, get, list, verify,
# idempotence, atomic -o, damage and missing objects.
source "$HC_SRC/tests/cli/lib.sh"
export HC_STORE="$T/store"
printf 'sealed bytes' > a.age
head -c 300000 /dev/urandom > b.age
A=$(sha256sum a.age | cut -c1-64)
B=$(sha256sum b.age | cut -c1-64)

run 0 hc-store put a.age b.age
[ "$(sed -n 1p out.txt | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" = "$A" ] || fail "wrong address"
expect_out '"created":true'
expect_err "stored a.age as $A"
run 0 hc-store put < a.age
expect_out '"created":false'
expect_err "already stored <stdin> as $A"

run 0 hc-store list
[ "$(wc -l < out.txt)" = 2 ] || fail "list: expected 2 lines"
expect_out "\"id\":\"$B\""

run 0 hc-store get "$A"
[ "$out" = "sealed bytes" ] || fail "get returned other bytes"
run 0 hc-store get "sha256:$B" -o copy.age
cmp -s copy.age b.age || fail "get -o wrote other bytes"
run 73 hc-store get "$B" -o copy.age
expect_err "copy.age"
run 0 hc-store get "$B" -o copy.age --force

run 0 hc-store verify
expect_err "2 object(s) checked, all intact"

# Damage one object: get refuses (exit 1) without writing a byte, -o leaves nothing.
chmod u+w "$HC_STORE/objects/${A:0:2}/$A"
printf 'Sealed bytes' > "$HC_STORE/objects/${A:0:2}/$A"
run 1 hc-store get "$A"
expect_err "object $A is damaged"
[ ! -s out.txt ] || fail "damaged bytes were released"
run 1 hc-store get "$A" -o damaged.age
[ ! -e damaged.age ] || fail "output file left behind"
run 1 hc-store verify
expect_out '"ok":false'
expect_out '"code":"invalid"'
expect_err "some failed"
# Putting the original again repairs it.
run 0 hc-store put a.age
expect_out '"created":true'
run 0 hc-store verify "$A"

# Missing objects and stores, bad addresses.
run 66 hc-store get 0000000000000000000000000000000000000000000000000000000000000000
expect_err "no object 0000000000000000000000000000000000000000000000000000000000000000 in $HC_STORE"
run 66 hc-store verify 0000000000000000000000000000000000000000000000000000000000000000
expect_out '"code":"no_input"'
run 66 hc-store --store "$T/none" list
expect_err "no store at $T/none"
run 2 hc-store get abc
expect_err 'not an object address: "abc"'
mkdir other && echo x > other/notes
run 78 hc-store --store other put a.age
expect_err "not an hc store and not empty: other"
run 66 hc-store put missing.age
expect_err "missing.age: cannot open"
run 65 hc-store --max-size 100 put b.age
expect_err "larger than the store's bound of 100 bytes"
[ -z "$(ls "$HC_STORE/tmp")" ] || fail "temporary file left behind"
run 2 hc-store
run 2 hc-store --store fhir+ftp://x/fhir list
expect_err "bad FHIR store"

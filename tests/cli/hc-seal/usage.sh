# hc-seal's refusals: no recipient, a malformed recipient, missing input or
# key file, an existing output (no clobbering without --force).
source "$HC_SRC/tests/cli/lib.sh"
key alice patient
echo hello > plain.txt
run 2 hc-seal plain.txt
expect_err "--to is required"
run 65 hc-seal --to age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq -o x.age plain.txt
expect_err "bad age recipient: bad Bech32 key: checksum does not verify"
run 66 hc-seal --to nobody.pub -o x.age plain.txt
run 66 hc-seal --to alice.pub -o x.age missing.txt
expect_err "missing.txt: cannot open"
[ ! -e x.age ] || fail "output left behind after a failure"
run 0 hc-seal --to alice.pub -o x.age plain.txt
run 73 hc-seal --to alice.pub -o x.age plain.txt
expect_err "file exists"
run 0 hc-seal --to alice.pub -o x.age --force plain.txt
# A private key file names its own public key as a recipient.
run 0 hc-seal --to alice.key -o y.age plain.txt
run 0 hc-open --key alice.key y.age
[ "$out" = hello ] || fail "round trip through the private key file's recipient"
ls -A | grep -q '\.tmp-' && fail "temporary file left behind"
true

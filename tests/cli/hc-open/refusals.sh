# Wrong key, malformed header, changed header, changed / truncated / extended
# payload: each is refused with its documented exit code; -o leaves nothing;
# stdout gets only the chunks that authenticated before the failure.
source "$HC_SRC/tests/cli/lib.sh"
key alice patient; key mallory patient
head -c 200000 /dev/urandom > plain.bin
run 0 hc-seal --to alice.pub -o sealed.age plain.bin
size=$(stat -c %s sealed.age)
hlen=$(( $(grep -abo -m1 -- '^--- ' sealed.age | cut -d: -f1) + 48 ))   # "--- " + 43 + "\n"

flip() {  # flip OFFSET IN OUT: copies IN with one bit flipped at OFFSET
  python3 -c 'import sys; b=bytearray(open(sys.argv[2],"rb").read()); b[int(sys.argv[1])]^=1; open(sys.argv[3],"wb").write(b)' "$@"
}

run 77 hc-open --key mallory.key sealed.age
expect_err "this file is not sealed for any of the given keys"
[ -z "$out" ] || fail "output released with a wrong key"

echo "not an age file" > junk.age
run 65 hc-open --key alice.key junk.age
expect_err "junk.age:1: age header: not an age file"

# Another valid base64 character in the MAC line → HMAC failure (1).
python3 -c 'import sys; b=bytearray(open("sealed.age","rb").read()); i=int(sys.argv[1]); b[i]=ord("B") if b[i]==ord("A") else ord("A"); open("bad-mac.age","wb").write(b)' $((hlen - 5))
run 1 hc-open --key alice.key bad-mac.age
expect_err "the header MAC does not verify"

# A flipped bit in the third chunk: -o leaves nothing; stdout gets exactly
# the two chunks that authenticated, and the exit status says to discard them.
third=$((hlen + 16 + 2 * 65552 + 10))
flip $third sealed.age bad3.age
run 1 hc-open --key alice.key -o out.bin bad3.age
expect_err "payload chunk 3 (at plaintext byte 131072): the chunk does not authenticate"
[ ! -e out.bin ] || fail "plaintext left behind with -o"
ls -A | grep -q '\.tmp-' && fail "temporary file left behind"
set +e; hc-open --key alice.key bad3.age > prefix.bin 2>/dev/null; code=$?; set -e
[ "$code" = 1 ] || fail "exit $code for a changed chunk on stdout"
[ "$(stat -c %s prefix.bin)" = 131072 ] || fail "stdout released more than the authenticated chunks"
cmp -s prefix.bin <(head -c 131072 plain.bin) || fail "released prefix differs"

# Truncated at a chunk boundary (final chunk dropped), and mid-chunk.
head -c $((hlen + 16 + 3 * 65552)) sealed.age > cut.age
run 1 hc-open --key alice.key -o out.bin cut.age
expect_err "payload chunk 4 (at plaintext byte 196608): the file ends without a final chunk (truncated)"
head -c $((size - 1)) sealed.age > cut2.age
run 1 hc-open --key alice.key -o out.bin cut2.age
[ ! -e out.bin ] || fail "plaintext left behind with -o"
# Cut inside the nonce: a header failure.
head -c $((hlen + 8)) sealed.age > cut3.age
run 65 hc-open --key alice.key cut3.age
expect_err "the file ends before the 16-byte payload nonce"

# Data appended after the final chunk.
{ cat sealed.age; printf x; } > long.age
run 1 hc-open --key alice.key -o out.bin long.age
[ ! -e out.bin ] || fail "plaintext left behind with -o"

# Chunks 1 and 2 swapped.
python3 - "$hlen" <<'PY'
import sys
h=int(sys.argv[1])+16; b=open("sealed.age","rb").read(); c=65552
open("swap.age","wb").write(b[:h]+b[h+c:h+2*c]+b[h:h+c]+b[h+2*c:])
PY
run 1 hc-open --key alice.key swap.age
expect_err "payload chunk 1 (at plaintext byte 0)"
[ -z "$out" ] || fail "output released from reordered chunks"

# The unchanged file still opens; an existing output is not clobbered.
run 0 hc-open --key alice.key -o out.bin sealed.age
cmp -s out.bin plain.bin || fail "round trip"
run 73 hc-open --key alice.key -o out.bin sealed.age
run 2 hc-open sealed.age
expect_err "--key or --identity"
# A wrong passphrase for the key.
HC_PASSPHRASE=nope run 77 hc-open --key alice.key sealed.age

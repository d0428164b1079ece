# Release refuses a wrong key, a tampered object and a missing object, and
# never leaves a file behind.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-share/setup.bash"
g=$(grant --until +1h)
rel() { hc-share release --context stmarys --emr "$emr" --to research.pub --purpose HRESCH --producer stmarys.key "$@"; }
# Wrong key: another patient's key has another pseudonym, which indexed nothing.
key mallory patient
run 66 rel --key mallory.key -o a.age
expect_err "is not indexed by patient"
# Wrong key: the pseudonym matches but the object was sealed for someone else.
key carol patient
printf '{"resourceType":"Observation"}' | hc-seal --to other.pub -o carol.age
cid=$(sha256sum carol.age | cut -c1-64); hc-store --quiet put carol.age >/dev/null
hc-share --quiet index --key carol.key --context stmarys --emr "$cid" --producer stmarys.key >/dev/null
hc-consent --quiet grant --key carol.key --context stmarys --to research.pub --purpose HRESCH --until +1h --producer stmarys.key >/dev/null
run 77 hc-share release --key carol.key --context stmarys --emr "$cid" --to research.pub --purpose HRESCH -o c.age --producer stmarys.key
expect_err "not sealed for any of the given keys"; [ ! -e c.age ] || fail "wrote output with the wrong key"
# Wrong grantee key: the request names research, the key given is another.
run 0 rel --key bob.key -o ok.age
run 77 hc-open --key other.key ok.age
# Tampered object in the store.
obj=$(find store -type f -name "$emr")
cp "$obj" saved.age
python3 - "$obj" <<'PY'
import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-3]^=1; open(p,"wb").write(b)
PY
run 1 rel --key bob.key -o t.age
[ ! -e t.age ] || fail "wrote output from a tampered object"
# Missing object.
rm -f "$obj"
run 66 rel --key bob.key -o m.age
[ ! -e m.age ] || fail "wrote output for a missing object"
# Not indexed at all.
run 66 hc-share release --key bob.key --context stmarys --emr "$(printf 'b%.0s' $(seq 64))" --to research.pub \
  --purpose HRESCH -o n.age
expect_err "not indexed"

# Index: the object must be in the store (and intact); the entry is signed
# by the pseudonym and holds only non-identifying fields.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-share/setup.bash"
run 0 hc-ledger query --where condition=hypertension
expect_out '"count":"< 5"'
run 0 hc-share index --key bob.key --context study --emr "$emr" --gender F --reader research.pub
expect_out '"kind":"emr.index"'
sid=$(hc-share id --key bob.key --context study | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[ "$sid" != "$bob_id" ] || fail "two contexts gave one pseudonym"
expect_out "\"patient\":\"$sid\""; expect_out "\"signer\":\"$sid\""
expect_out "\"readers\":[\"$(hc-keygen id research.pub)\"]"
grep -q "$(hc-keygen id bob.pub)" out.txt && fail "the patient's key ID is on chain"
# Missing object.
run 66 hc-share index --key bob.key --context stmarys --emr "$(printf 'c%.0s' $(seq 64))"
# Tampered object.
obj=$(find store -type f -name "$emr")
python3 - "$obj" <<'PY'
import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[40]^=1; open(p,"wb").write(b)
PY
run 1 hc-share index --key bob.key --context stmarys --emr "$emr"
# Bad input.
run 2 hc-share index --key bob.key --context stmarys --emr nothex
run 65 hc-share index --key bob.key --context stmarys --emr "$emr" --location here --gender X
expect_err "fields.gender"
run 65 hc-share index --key bob.key --context stmarys --emr "$emr" --location here --age-band 50-40
run 2 hc-share index --key bob.key --context "" --emr "$emr" --location here
run 2 hc-share index --key bob.key --context stmarys --emr "$emr" --location here --reader nosuchfile
run 2 hc-share index --key bob.key --context stmarys --emr "$emr"  --location here -d ""  # no ledger given

#!/usr/bin/env bash
# The off-chain store, end to end: a patient seals a record, keeps it in the
# store under the SHA-256 of the sealed bytes, fetches it back, and the store
# refuses a copy that someone has changed. Runs on a local folder store; no
# server to set up. Needs hc-store (and hc-keygen/hc-seal if built) on PATH.
set -euo pipefail
work=$(mktemp -d "${TMPDIR:-/tmp}/hc-blobstore-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export HC_STORE="$work/store"
say() { printf '\n== %s\n' "$*"; }

cat > emr.json <<'JSON'
{"resourceType":"Observation","status":"final","code":{"text":"Heart rate"},
 "valueQuantity":{"value":72,"unit":"beats/minute"}}
JSON
if command -v hc-seal >/dev/null && command -v hc-keygen >/dev/null; then
  say "The patient seals the record for herself (age format)"
  HC_PASSPHRASE=demo hc-keygen new --role patient --label "Alice" -o alice \
    --argon2-memory 1024 --argon2-iterations 1 --quiet >/dev/null
  hc-seal --to alice.pub emr.json > emr.age
else
  say "(hc-seal not built here: storing a stand-in for the sealed file)"
  { printf 'age-encryption.org/v1\n'; head -c 256 /dev/urandom; } > emr.age
fi

say "She puts the sealed file in the store; its address is the SHA-256 of its bytes"
id=$(hc-store put emr.age | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
echo "stored as $id"
echo "(the same address: $(sha256sum emr.age | cut -c1-64))"

say "Putting it again stores nothing new"
hc-store put emr.age

say "Anyone holding the address fetches it and gets exactly those bytes"
hc-store get "$id" -o fetched.age
cmp emr.age fetched.age && echo "fetched.age is identical to emr.age"

say "Someone changes the stored copy: the store refuses to hand it out"
obj="$HC_STORE/objects/${id:0:2}/$id"
printf 'X' | dd of="$obj" bs=1 seek=30 conv=notrunc status=none
if hc-store get "$id" -o tampered.age; then echo "UNEXPECTED: tampered copy accepted"; exit 1; fi
echo "refused (exit 1), and no tampered.age was written: $( [ -e tampered.age ] && echo present || echo absent)"
hc-store verify || echo "verify reports the damage (exit $?)"

say "Putting the original again repairs the store"
hc-store put emr.age >/dev/null
hc-store verify

#!/usr/bin/env bash
# The ledger end to end: a hospital's single-organisation ledger, a patient's
# EMR index and time-limited consent, a proof of existence, verification,
# proofs checked offline, a research query with small-cell suppression,
# export and re-import. Embedded defaults only: no servers, no hardware.
# Run with the hc binaries on PATH: bash examples/ledger.sh
set -euo pipefail
if ! declare -F say >/dev/null; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/hc-ledger-demo.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  say() { printf '\n== %s\n' "$*"; }
  indent() { sed 's/^/   /'; }
  export HC_PASSPHRASE="demo passphrase"
fi
for who in "stmarys:org:St Mary's Hospital" "bob:patient:Bob Patient" "research:org:Research Institute"; do
  IFS=: read -r name role label <<<"$who"
  [ -e "$name.key" ] || hc-keygen new --role "$role" --label "$label" -o "$name" --quiet >/dev/null
done
export HC_LEDGER=$PWD/ledger

say "Ledger: St Mary's creates a single-organisation ledger (it is the only member and block producer)"
hc-ledger init --producer stmarys.pub | python3 -c 'import json,sys; s=json.load(sys.stdin); print("chain", s["chain"][:16]+"...", "height", s["height"])' | indent

say "Ledger: Bob indexes a (sealed, off-chain) EMR with non-identifying fields only"
emr_hash=$(printf 'sealed EMR bytes' | sha256sum | cut -c1-64)
hc-ledger submit --key bob.key --kind emr.index --set content_hash="$emr_hash" \
  --set location="store/$emr_hash" --set patient="$(hc-keygen id bob.pub)" \
  --set fields.age_band=40-49 --set fields.gender=M --set fields.condition="knee arthritis" \
  --set readers="[\"$(hc-keygen id stmarys.pub)\"]" > index.json
hc-ledger append --key stmarys.key index.json | tee appended.json | indent
txid=$(python3 -c 'import json; print(json.load(open("appended.json"))["tx_id"])')

say "Ledger: Bob grants the Research Institute access for one year, then the hospital anchors a consent form"
cat > grant.json <<JSON
{"type": "hc-consent-grant-v1", "grantor": "$(hc-keygen id bob.pub)",
 "grantee": "$(hc-keygen id research.pub)", "decision": "permit", "purpose": ["HRESCH"],
 "scope": {"resourceType": ["Observation", "Condition"], "emr": ["$emr_hash"]},
 "period": {"start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
 "issued": "2026-01-01T00:00:00Z"}
JSON
hc-ledger submit --key bob.key --kind consent.grant --data-file grant.json --producer stmarys.key | indent
echo "Consent form v3, signed on paper" > consent-form.txt
hc-ledger anchor --key stmarys.key consent-form.txt | indent

say "Ledger: verify re-checks every hash link, Merkle root, signature and rule"
hc-ledger verify | indent
hc-ledger stat > stat.json
head=$(python3 -c 'import json; print(json.load(open("stat.json"))["head"])')

say "Ledger: an RFC 9162 inclusion proof of Bob's index, checked offline against the head hash alone"
hc-ledger prove "$txid" > proof.json
hc-ledger check-proof proof.json --trusted-hash "$head" | indent
hc-ledger prove --consistency 1 3 > consistency.json
hc-ledger check-proof consistency.json --trusted-hash "$head" | indent

say "Ledger: a researcher's query; counts under 5 are shown as \"< 5\" so nobody can be singled out"
hc-ledger query --where 'age>=40' --where gender=M --group-by condition | indent

say "Ledger: a tampered copy is caught, with the height"
cp -r ledger tampered
python3 - <<'PY'
p = "tampered/data.mdb"; b = open(p, "rb").read()
open(p, "wb").write(b.replace(b"knee arthritis", b"knee arthritiz"))
PY
hc-ledger -d tampered verify 2>&1 >/dev/null | indent || true

say "Ledger: export as JSON Lines and re-import into a fresh ledger (every block re-verified)"
hc-ledger export -o export.jsonl
hc-ledger -d imported import export.jsonl 2>&1 | tail -1 | indent

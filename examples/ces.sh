#!/usr/bin/env bash
# Content extraction signatures end to end: a doctor signs an EMR, the patient
# removes what a hospital need not see and binds the copy to that hospital's
# request, the hospital verifies it. Uses the built-in extraction policy only.
# Run from anywhere with the hc tools on PATH (or HC_BIN=build/bin).
set -euo pipefail
[ -n "${HC_BIN:-}" ] && export PATH="$HC_BIN:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/hc-ces-example.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export HC_PASSPHRASE=example-passphrase   # demo only: real keys prompt on the terminal

# Keys (a cheap Argon2id cost keeps the demo fast; real keys use the defaults).
hc-keygen --quiet new --role doctor --label "Dr Alice Example" -o alice --argon2-memory 8192 --argon2-iterations 1 >/dev/null
hc-keygen --quiet new --role patient --label "Jim Chalmers" -o jim --argon2-memory 8192 --argon2-iterations 1 >/dev/null

cat > obs.json <<'JSON'
{"resourceType": "Observation", "id": "bp-1", "status": "final",
 "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure panel"}]},
 "subject": {"reference": "Patient/jim"}, "effectiveDateTime": "2026-11-26T10:15:00Z",
 "performer": [{"reference": "Practitioner/alice", "display": "Dr Alice Example"}],
 "component": [
   {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6", "display": "Systolic"}]},
    "valueQuantity": {"value": 142, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}},
   {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4", "display": "Diastolic"}]},
    "valueQuantity": {"value": 91, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"}}],
 "note": [{"text": "Patient anxious about job loss; recheck in two weeks."}]}
JSON

echo "== the doctor signs, bound to the patient's key"
hc-sign --key alice.key --holder jim.pub obs.json > obs.sd.json
hc-verify --signer alice.pub obs.sd.json | python3 -c 'import json,sys; v=json.load(sys.stdin); print({k: v[k] for k in ("valid","signer","doc_type","disclosures","hidden_digests")})'

echo "== the patient drops the note and who measured it"
hc-extract --remove /note --remove /performer obs.sd.json > share.sd.json
echo "== ...but cannot drop what the policy says must stay"
hc-extract --remove /status share.sd.json 2>&1 >/dev/null || echo "   (exit $?, as documented)"

echo "== the patient presents it to hospital-b, which sent nonce 8f1e"
hc-extract --holder-key jim.key --aud hospital-b --nonce 8f1e share.sd.json > present.sd.json

echo "== hospital-b verifies signature, redactions, policy and key binding"
hc-verify --signer alice.pub --aud hospital-b --nonce 8f1e --resource --pretty present.sd.json

echo "== a replay to another hospital fails"
hc-verify --signer alice.pub --aud hospital-c --nonce 8f1e present.sd.json >/dev/null 2>&1 || echo "   refused (exit $?)"

# hc-sign refuses bad input with documented exit codes.
source "$HC_SRC/tests/cli/lib.sh"
D="$HC_SRC/tests/data/ces"
key doc
echo '{"id": "x"}' > nores.json
run 65 hc-sign --key doc.key nores.json
expect_err 'resourceType'
echo '{"resourceType": "Observation", "id": "o"}' > nostatus.json
run 65 hc-sign --key doc.key nostatus.json
expect_err "lacks /status, which the policy requires"
# A part whose "requires" partner is missing would never verify: refused
# when signing, naming both pointers.
echo '{"resourceType": "Observation", "id": "o", "status": "final", "code": {"text": "bp"},
  "subject": {"reference": "Patient/p"}, "component": [{"valueQuantity": {"value": 1}}]}' > nocode.json
run 65 hc-sign --key doc.key nocode.json
expect_err "has /component/0/valueQuantity without /component/0/code, which the policy requires"
echo '{"resourceType": "Basic", "_sd": []}' > reserved.json
run 65 hc-sign --key doc.key reserved.json
expect_err 'reserved by SD-JWT'
echo '{"resourceType": ' > broken.json
run 65 hc-sign --key doc.key broken.json
run 66 hc-sign --key missing.key "$D/patient.json"
run 2 hc-sign "$D/patient.json"
run 2 hc-sign --key doc.key --expires tomorrow "$D/patient.json"
expect_err 'is not a time'
echo '{"name": "p", "resources": {"Patient": {"plain": "no"}}}' > bad-policy.json
run 78 hc-sign --key doc.key --policy bad-policy.json "$D/patient.json"
expect_err 'resources.Patient.plain'
HC_PASSPHRASE=nope run 77 hc-sign --key doc.key "$D/patient.json"

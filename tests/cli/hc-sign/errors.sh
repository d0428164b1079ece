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
# A NUL byte ends nlohmann's input; hc refuses it where it stands (file,
# line, column), and in stream mode names the line.
printf '{"resourceType":"Basic","id":"x"}\0junk' > nul.json
run 65 hc-sign --key doc.key nul.json
expect_err 'nul.json:1: column 34: a NUL byte is not allowed in JSON text'
printf '{"resourceType":"Basic","id":"x"}\n{"resourceType":"Basic",\0"id":"y"}\n' > nul.jsonl
run 65 hc-sign --stream --key doc.key nul.jsonl
expect_err 'nul.jsonl:2: column 25: a NUL byte'
# A UTF-8 byte-order mark is allowed (RFC 8259 §8.1) and signs the same
# resource as without it.
printf '\xef\xbb\xbf{"resourceType":"Basic","id":"b","code":{"text":"t"}}' > bom.json
run 0 hc-sign --key doc.key -o bom.sd.json bom.json
run 0 hc-verify --signer doc.pub --resource bom.sd.json
expect_out '"id":"b"'
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

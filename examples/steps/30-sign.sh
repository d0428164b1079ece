# Step: Dr Alice signs the reading as an SD-JWT bound to Bob; Bob removes
# what a researcher need not see.
say "Signing: Dr Alice signs the Observation (SD-JWT), bound to Bob's key"
hc-sign --key alice.key --holder bob.pub -o bp.sd.json bp.json
hc-verify --signer alice.pub bp.sd.json | jf 'valid: {valid}; {disclosures} parts Bob may withhold one by one; policy {policy[name]}' | indent
say "Extraction: Bob drops which device measured him; the doctor's signature still holds"
hc-extract --remove /device -o share.sd.json bp.sd.json
hc-verify --signer alice.pub --resource share.sd.json | python3 -c 'import json,sys; r=json.load(sys.stdin)
print("what stays:", ", ".join(sorted(r)))' | indent
if hc-extract --remove /subject bp.sd.json >/dev/null 2>extract.err; then
  echo "UNEXPECTED: the subject was removed"; exit 1
fi
echo "Removing the subject is refused: $(sed 's/^hc-extract: error: //' extract.err)" | indent

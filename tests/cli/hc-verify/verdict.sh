# hc-verify: the JSON verdict, --resource, --trust, and exit codes.
source "$HC_SRC/tests/cli/lib.sh"
D="$HC_SRC/tests/data/ces"
key doc; key other
hc-sign --key doc.key "$D/careplan.json" > c.sd.json
run 0 hc-verify --signer doc.pub c.sd.json
for f in '"valid":true' '"signer":"'"$(hc-keygen id doc.pub)"'"' '"satisfied":true' '"hidden_digests":' '"issued_at":"'; do
  expect_out "$f"
done
run 0 hc-verify --signer doc.pub --resource c.sd.json
expect_out '"resourceType":"CarePlan"'
mkdir trust; cp doc.pub other.pub trust/
run 0 hc-verify --trust trust c.sd.json
run 1 hc-verify --signer other.pub c.sd.json
expect_out '"valid":false'
expect_err 'not a trusted key'
rm trust/doc.pub
run 1 hc-verify --trust trust c.sd.json
expect_err 'not a trusted key'
# Tampered: one disclosure changed.
python3 - <<'P'
import json, base64
d = json.load(open("c.sd.json"))
x = d["header"]["disclosures"][0]
d["header"]["disclosures"][0] = ("B" if x[0] != "B" else "C") + x[1:]
json.dump(d, open("t.json", "w"))
d = json.load(open("c.sd.json")); d["header"]["disclosures"].append(d["header"]["disclosures"][0])
json.dump(d, open("dup.json", "w"))
P
run 1 hc-verify --signer doc.pub t.json
run 1 hc-verify --signer doc.pub dup.json
expect_err 'sent twice'
# Unreadable input is not "invalid".
echo 'hello' > junk.txt
run 65 hc-verify --signer doc.pub junk.txt
head -c 100 c.sd.json > cut.json
run 65 hc-verify --signer doc.pub cut.json
run 66 hc-verify --signer doc.pub missing.json
run 2 hc-verify c.sd.json
expect_err 'no trusted key'
# Expiry and --at.
hc-sign --key doc.key --expires +1d "$D/careplan.json" > e.sd.json
run 0 hc-verify --signer doc.pub e.sd.json
expect_out '"expires_at"'
run 1 hc-verify --signer doc.pub --at +3d e.sd.json
expect_err 'expired'

# hc <-> @sd-jwt/core (sd-jwt-js 0.19): the library verifies every document hc
# signs and extracts (both serializations, with and without a KB-JWT), and
# hc-verify accepts SD-JWTs the library issues and presents.
source "$HC_SRC/tests/cli/lib.sh"
I="$HC_SRC/tests/interop/ces"
D="$HC_SRC/tests/data/ces"
if [ ! -d "$I/node_modules/@sd-jwt/core" ]; then
  echo "SKIP: run 'npm install --no-audit --no-fund' in tests/interop/ces first"; exit 77
fi
command -v node >/dev/null || fail "node_modules is installed but node is not on PATH"
js() { node "$I/check.mjs" "$@"; }
same_resource() {  # same_resource CLAIMS-JSON EXPECTED-RESOURCE-JSON
  python3 - "$1" "$2" <<'P' || fail "sd-jwt-js disclosed a different resource"
import json, sys
got = json.load(open(sys.argv[1]))["claims"]["fhir"]
want = json.load(open(sys.argv[2]))
sys.exit(got != want)
P
}
HC_PASSPHRASE=pw hc-keygen --quiet new --role doctor --label Doc -o doc --no-passphrase 2>/dev/null >/dev/null
HC_PASSPHRASE=pw hc-keygen --quiet new --role patient --label Pat -o pat --no-passphrase 2>/dev/null >/dev/null

for f in patient observation condition procedure careplan bundle; do
  # Signed, full: both serializations.
  hc-sign --key doc.key --holder pat.pub "$D/$f.json" > s.json
  run 0 js verify doc.pub s.json; echo "$out" > c.json; same_resource c.json "$D/$f.json"
  hc-sign --key doc.key --compact "$D/$f.json" > s.txt
  run 0 js verify doc.pub s.txt; echo "$out" > c.json; same_resource c.json "$D/$f.json"
done

# Extracted, then extracted again, then bound to the patient.
hc-sign --key doc.key --holder pat.pub "$D/patient.json" > p.json
hc-extract --remove /name/1 --remove /address/0/line/0 --remove /telecom p.json > p1.json
hc-extract --remove /birthDate p1.json > p2.json
python3 - "$D/patient.json" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
del r["name"][1]; del r["address"][0]["line"][0]; del r["telecom"]; del r["birthDate"]
json.dump(r, open("want.json", "w"))
P
run 0 js verify doc.pub p2.json; echo "$out" > c.json; same_resource c.json want.json
hc-extract --holder-key pat.key --aud hospital-b --nonce n-42 p2.json > kb.json
run 0 js verify doc.pub kb.json n-42; echo "$out" > c.json; same_resource c.json want.json
grep -q '"aud":"hospital-b"' c.json || fail "KB-JWT payload not seen by sd-jwt-js"
run 1 js verify doc.pub kb.json n-43
hc-extract --compact --holder-key pat.key --aud hospital-b --nonce n-42 p2.json > kb.txt
run 0 js verify doc.pub kb.txt n-42
# A document signed by another key does not verify with the doctor's.
HC_PASSPHRASE=pw hc-keygen --quiet new --role doctor --label Eve -o eve --no-passphrase 2>/dev/null >/dev/null
hc-sign --key eve.key "$D/observation.json" > eve.json
run 1 js verify doc.pub eve.json

# The other way: sd-jwt-js issues, hc-verify checks.
cat > policy.json <<'P'
{"name": "interop", "decoy_pad": 0,
 "resources": {"Observation": {"plain": ["/resourceType", "/id", "/status", "/code", "/subject"],
                               "required": ["/resourceType", "/status"]},
               "Patient": {"plain": ["/resourceType", "/id"]}}}
P
for f in observation patient; do
  run 0 js issue doc.key "$D/$f.json" policy.json pat.pub
  echo "$out" > lib.txt
  run 0 hc-verify --signer doc.pub --resource lib.txt
  python3 -c 'import json,sys; sys.exit(json.load(open("out.txt")) != json.load(open(sys.argv[1])))' "$D/$f.json" \
    || fail "hc-verify disclosed a different $f"
done
# ...and presents with a KB-JWT, keeping only some claims.
run 0 js present lib.txt pat.key hospital-b n-7 gender birthDate
echo "$out" > pres.txt
run 0 hc-verify --signer doc.pub --aud hospital-b --nonce n-7 --resource pres.txt
[ "$out" = '{"birthDate":"1974-12-25","gender":"male","id":"3f2a9c1d0b7e4a55","resourceType":"Patient"}' ] \
  || fail "presentation: $out"
run 1 hc-verify --signer doc.pub --aud hospital-c --nonce n-7 pres.txt
# hc-extract works on the library's SD-JWT too.
run 0 hc-extract --remove /gender --holder-key pat.key --aud x --nonce y lib.txt
echo "$out" > lx.txt
run 0 js verify doc.pub lx.txt y
echo "interop: all checks passed"

# hc-sign: JSON serialization by default, --compact, stdin, atomic -o.
source "$HC_SRC/tests/cli/lib.sh"
D="$HC_SRC/tests/data/ces"
key doc; key pat patient
run 0 hc-sign --key doc.key --holder pat.pub "$D/observation.json"
echo "$out" > obs.sd.json
[ "$(json_get obs.sd.json .header.disclosures | head -c1)" = "[" ] || fail "no disclosures array"
run 0 hc-verify --signer doc.pub --resource obs.sd.json
python3 -c 'import json,sys; a=json.load(open("out.txt")); b=json.load(open(sys.argv[1])); sys.exit(a!=b)' "$D/observation.json" \
  || fail "resource did not come back unchanged"
# stdin and --compact
run 0 sh -c "hc-sign --key doc.key --compact < '$D/patient.json'"
case "$out" in *~) ;; *) fail "compact form must end in ~" ;; esac
echo "$out" > p.txt
run 0 hc-verify --signer doc.pub p.txt
expect_out '"valid":true'
# -o writes atomically and never clobbers without --force
run 0 hc-sign --key doc.key -o out.sd.json "$D/condition.json"
run 73 hc-sign --key doc.key -o out.sd.json "$D/condition.json"
expect_err "out.sd.json"
run 0 hc-sign --key doc.key -o out.sd.json --force "$D/procedure.json"
run 0 hc-verify --signer doc.pub out.sd.json
expect_out '"doc_type":"fhir-r4/Procedure"'

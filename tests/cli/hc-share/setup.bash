# Shared set-up for hc-share and hc-consent tests (sourced after lib.sh):
# keys, a single-organisation ledger, one sealed EMR in a local store,
# indexed by Bob's pseudonym for "stmarys". Sets $emr and $bob_id.
export HC_LEDGER="$T/ledger" HC_STORE="$T/store"
key bob patient; key stmarys org; key research org; key other org
hc-ledger --quiet init --producer stmarys.pub >/dev/null
printf '{"resourceType":"Observation","status":"final","code":{"text":"Blood pressure"}}' > emr.json
hc-seal --to bob.pub -o emr.age emr.json
emr=$(sha256sum emr.age | cut -c1-64)
hc-store --quiet put emr.age >/dev/null
bob_id=$(hc-share id --key bob.key --context stmarys | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
hc-share --quiet index --key bob.key --context stmarys --emr "$emr" --type Observation --age-band 40-49 \
  --gender M --condition hypertension --producer stmarys.key >/dev/null
# grant [hc-consent grant options...]: grants research HRESCH on $emr; prints the grant ID.
grant() { hc-consent --quiet grant --key bob.key --context stmarys --to research.pub --purpose HRESCH --emr "$emr" \
            --producer stmarys.key "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["grant"])'; }

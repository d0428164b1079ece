# Step: the researcher queries, obtains the record while the consent holds,
# and is refused once it has expired or been revoked.
say "Research: the institute counts records by non-identifying fields (counts under 5 are hidden)"
echo "hc-ledger query --where condition=hypertension --group-by age_band:" | indent
hc-ledger query --where condition=hypertension --group-by age_band | indent
echo "(each age band has fewer than 5 records, so only the total is shown)" | indent
echo "hc-ledger query --where condition=hypertension --where 'age>=40' --rows (first two):" | indent
hc-ledger query --where condition=hypertension --where 'age>=40' --rows | sed -n 1,2p | indent

say "Research: may the institute read Bob's record now? The chain's consent rules answer"
hc-consent --quiet check --grantee research.pub --emr "$emr" --purpose HRESCH |
  jf '{decision} ({reason}), rule {rule:.16}..., evaluated at block {height}' | indent

say "Release: the institute signs a request; Bob's tooling checks it and the consent, re-seals the record for the institute alone, and records the answer on chain"
hc-share request --key research.key --emr "$emr" --purpose HRESCH -o request.json
hc-share --quiet release --key bob.key --context stmarys --request request.json --to research.pub \
  -o for-research.age --producer stmarys.key |
  jf 'access {access:.16}... ({decision}) in block {height}; for-research.age is sealed for research.pub only' | indent
hc-open --key research.key -o research-copy.sd.json for-research.age
hc-verify --signer alice.pub --resource research-copy.sd.json | python3 -c 'import json,sys; o=json.load(sys.stdin)
c={x["code"]["text"]: x["valueQuantity"]["value"] for x in o["component"]}
print("The institute opens it and checks Dr Alice signature:", ", ".join(f"{k} {v} mmHg" for k,v in c.items()), "- subject", o["subject"]["reference"])' | indent

say "Expiry: two hours later (asked with --at +2h rather than waiting) the consent has ended"
set +e
hc-consent --quiet check --grantee research.pub --emr "$emr" --purpose HRESCH --at +2h |
  jf '{decision} ({reason}) at {time}, rule {rule:.16}...' | indent
hc-share release --key bob.key --context stmarys --emr "$emr" --to research.pub --purpose HRESCH --at +2h \
  -o late.age --producer stmarys.key 2>release.err >/dev/null
code=$?
set -e
[ "$code" = 77 ] || { echo "UNEXPECTED: release after expiry gave exit $code"; cat release.err; exit 1; }
echo "release refused (exit $code): $(head -1 release.err | sed 's/.*: //')" | indent
echo "late.age was not written: $([ -e late.age ] && echo "it WAS" || echo absent). The refusal is on chain too." | indent
echo "What the institute received while the consent held stays with it: no ledger can take back a copy." | indent

say "Revocation: Bob grants the institute another week, then changes his mind"
hc-consent --quiet grant --key bob.key --context stmarys --to research.pub --purpose HRESCH --emr "$emr" \
  --until +7d --producer stmarys.key > grant2.json
grant2=$(sed -n 's/.*"grant":"\([0-9a-f]*\)".*/\1/p' grant2.json)
hc-consent --quiet revoke --key bob.key --context stmarys "$grant2" --producer stmarys.key >/dev/null
set +e
hc-consent --quiet check --grantee research.pub --emr "$emr" --purpose HRESCH --at +2h |
  jf 'after the revoke: {decision} ({reason}), rule {rule:.16}...' | indent
hc-consent --quiet check --grantee research.pub --emr "$emr" --purpose HRESCH --at +2h \
  --height "$(( $(hc-ledger stat | sed -n 's/.*"height":\([0-9]*\).*/\1/p') - 1 ))" |
  jf 'one block earlier (--height {height}): {decision} ({reason})' | indent
set -e

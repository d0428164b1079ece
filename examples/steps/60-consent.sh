# Step: Bob gives the Research Institute a time-limited consent.
say "Consent: Bob lets the Research Institute read this record for health research (HRESCH) for one hour"
hc-consent --quiet grant --key bob.key --context stmarys --to research.pub --purpose HRESCH --emr "$emr" \
  --type Observation --from now --until +1h --producer stmarys.key > grant.json
grant=$(sed -n 's/.*"grant":"\([0-9a-f]*\)".*/\1/p' grant.json)
echo "consent.grant $grant" | indent
echo "is a rule on chain: permit research.pub, purpose HRESCH, this EMR only, from now for one hour." | indent
hc-consent list --key bob.key --context stmarys |
  jf '{grant:.16}... {decision} {grantee} {purpose[0]} {start} .. {end}: {status}' | indent

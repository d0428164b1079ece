# Step: Bob audits who read what; he links two pseudonyms for St Mary's only;
# the whole ledger verifies.
say "Audit: Bob lists every request for his records and its answer"
hc-share audit --key bob.key --context stmarys |
  jf '{time} {requester} asked for {emr:.12}... ({purpose}, as of {asked_at}): {decision} ({reason}) [signed request: {request:.12}]' | indent

say "Reveal: Bob proves to St Mary's that his blood-pressure-study pseudonym is also him"
challenge=$(hc-share challenge | sed -n 's/.*"challenge":"\([^"]*\)".*/\1/p')
echo "St Mary's sends a fresh challenge: $challenge" | indent
hc-share reveal --key bob.key --context stmarys --context bp-study --audience stmarys.pub --challenge "$challenge" > reveal.json
echo "Bob signs it with each pseudonym key (no private key leaves his machine):" | indent
hc-share --quiet verify-reveal --audience stmarys.pub --challenge "$challenge" reveal.json | indent
if hc-share verify-reveal --audience research.pub --challenge "$challenge" reveal.json >/dev/null 2>reveal.err; then
  echo "UNEXPECTED: the proof worked for another organisation"; exit 1
fi
echo "The Research Institute cannot reuse it: $(sed 's/^hc-share: error: //' reveal.err | head -1)" | indent

say "Verification: every block, signature, Merkle root and consent rule on the ledger checks out"
hc-ledger --quiet verify | jf 'ok: {ok}; {blocks} blocks, {transactions} transactions' | indent

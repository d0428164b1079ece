# Step: St Mary's runs the ledger; Bob (and other patients on the ward)
# publish index entries: content hash, location, pseudonym, and only
# non-identifying fields.
say "Ledger: St Mary's starts a single-organisation ledger"
hc-ledger --quiet init --producer stmarys.pub --name "St Mary's sharing ledger" |
  python3 -c 'import json,sys; s=json.load(sys.stdin); print("chain", s.get("chain","?")[:16]+"...", "at height", s.get("height"))' | indent
say "Index: Bob publishes where his sealed record is, under his St Mary's pseudonym"
hc-share index --key bob.key --context stmarys --emr "$emr" --type Observation \
  --age-band 40-49 --gender M --condition hypertension --reader stmarys.pub --producer stmarys.key |
  jf 'emr.index transaction {tx_id:.16}... in block {height}, signed by pseudonym {patient}' | indent
echo "On chain: the content hash, the store location, the pseudonym, age band 40-49, gender M, condition hypertension." | indent
echo "Not on chain: Bob's name, his key ID, or anything that links this record to his other relationships." | indent
say "Index: six other patients on the ward do the same (one block for all six)"
: > ward.jsonl
i=0
for fields in "50-59 F hypertension" "40-49 F hypertension" "60-69 M hypertension" "40-49 M hypertension" \
              "30-39 F asthma" "50-59 M hypertension"; do
  i=$((i + 1)); read -r band sex cond <<<"$fields"
  hc-keygen new --role patient --label "Ward patient $i" -o "ward$i" --quiet --argon2-memory 1024 --argon2-iterations 1 >/dev/null
  printf '{"resourceType":"Observation","status":"final","code":{"text":"Blood pressure"},"note":[{"text":"ward patient %s"}]}' "$i" |
    hc-seal --to "ward$i.pub" -o "ward$i.age"
  id=$(hc-store --quiet put "ward$i.age" | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
  hc-share index --key "ward$i.key" --context stmarys --emr "$id" --type Observation \
    --age-band "$band" --gender "$sex" --condition "$cond" >> ward.jsonl
done
hc-ledger --quiet append --key stmarys.key ward.jsonl | tail -1 |
  python3 -c 'import json,sys; print("six emr.index transactions appended in block", json.load(sys.stdin)["height"])' | indent

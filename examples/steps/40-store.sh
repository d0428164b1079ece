# Step: Bob seals the extracted record and puts it in the off-chain store.
say "Sealing and storing: Bob seals the record for himself and St Mary's (age v1) and stores it"
hc-seal --to bob.pub --to stmarys.pub -o emr.age share.sd.json
emr=$(hc-store --quiet put emr.age | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
echo "emr.age: $(stat -c %s emr.age) bytes, stored under its SHA-256: $emr" | indent
echo "Nobody but Bob and St Mary's can read it; the store only checks that the bytes match the address." | indent

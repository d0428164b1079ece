# Step: a bedside sensor board measures Bob (simulated: no hardware needed).
# Readings are filed under Bob's pseudonym for St Mary's, never his main key ID.
export HC_LEDGER="$PWD/ledger" HC_STORE="$PWD/store"
# jf FORMAT: prints each JSON line of stdin through Python's str.format
# ("{rule:.16}" keeps 16 characters; null shows as "none").
jf() { python3 -c 'import json,sys
for line in sys.stdin:
  if line.strip():
    v={k: ("none" if x is None else x) for k,x in json.loads(line).items()}
    print(sys.argv[1].format(**v))' "$1"; }
bob_stmarys=$(hc-share id --key bob.key --context stmarys | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
say "Capture: St Mary's sensor board measures Bob; readings become FHIR Observations"
echo "Bob's pseudonymous ID towards St Mary's is $bob_stmarys (derived from his key; his key ID $(hc-keygen id bob.pub) is never used)" | indent
hc-sensor-sim --quiet --baud 0 --lines 20 --sensor bp,pulse,spo2,temp --dump-interval 1 |
  hc-sensor-read --quiet --port - --patient "$bob_stmarys" > readings.jsonl
echo "$(wc -l < readings.jsonl) Observations captured; the kinds:" | indent
python3 -c 'import json,collections,sys
c=collections.Counter(json.loads(l)["code"]["text"] for l in open("readings.jsonl"))
for k,n in sorted(c.items()): print(f"{n:3} x {k}")' | indent
grep -m1 '"Blood pressure"' readings.jsonl > bp.json
python3 -c 'import json; o=json.load(open("bp.json")); c={x["code"]["text"]: x["valueQuantity"]["value"] for x in o["component"]}
print("The doctor will sign the blood pressure reading:", ", ".join(f"{k} {v} mmHg" for k,v in c.items()), "at", o["effectiveDateTime"])' | indent

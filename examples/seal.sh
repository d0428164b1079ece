#!/usr/bin/env bash
# Step: the patient seals an EMR in the age format for themself and the
# hospital; each opens it; age(1) opens it too; a changed byte is refused.
# Runs as a step of examples/demo.sh (after 10-keys.sh), or alone with the hc
# binaries on PATH.
if ! declare -F say >/dev/null; then
  set -euo pipefail
  work=$(mktemp -d "${TMPDIR:-/tmp}/hc-seal-demo.XXXXXX"); trap 'rm -rf "$work"' EXIT; cd "$work"
  say() { printf '\n== %s\n' "$*"; }
  indent() { sed 's/^/   /'; }
  export HC_PASSPHRASE="demo passphrase"
fi
[ -f bob.key ] || hc-keygen new --role patient --label "Bob Patient" -o bob --quiet >/dev/null
[ -f stmarys.key ] || hc-keygen new --role org --label "St Mary's Hospital" -o stmarys --quiet >/dev/null

say "Sealing: Bob seals his record for himself and St Mary's, in the age v1 format"
cat > emr.json <<'JSON'
{"resourceType":"Observation","status":"final","code":{"text":"Blood pressure"},
 "subject":{"reference":"Patient/bob"},"valueQuantity":{"value":118,"unit":"mmHg"}}
JSON
hc-seal --to bob.pub --to stmarys.pub -o emr.age emr.json
echo "emr.age: $(stat -c %s emr.age) bytes; its header, in the clear:" | indent
sed -n '1,/^---/p' emr.age | cut -c1-70 | indent
hc-open --key stmarys.key emr.age | cmp -s - emr.json && echo "St Mary's opens it: same bytes as emr.json" | indent
hc-open --key bob.key -o bob-copy.json emr.age && cmp -s bob-copy.json emr.json &&
  echo "Bob opens it into bob-copy.json (written atomically, mode $(stat -c %a bob-copy.json))" | indent

if command -v age >/dev/null; then
  hc-keygen export --age-identity bob.key > bob.agekey   # a secret: stdout only
  age -d -i bob.agekey emr.age | cmp -s - emr.json && echo "age -d -i opens it as well (age recipient $(hc-keygen export --age-recipient bob.pub | cut -c1-20)...)" | indent
  rm -f bob.agekey
fi

say "Sealing: a changed byte or a stranger's key is refused, and nothing is written"
hc-keygen new --role org --label "Someone else" -o stranger --quiet >/dev/null
python3 -c 'import sys; b=bytearray(open("emr.age","rb").read()); b[-5]^=1; open("tampered.age","wb").write(b)'
set +e
hc-open --key bob.key -o tampered.json tampered.age 2>&1 | indent; code=${PIPESTATUS[0]}
echo "exit status $code; tampered.json exists: $([ -e tampered.json ] && echo yes || echo no)" | indent
hc-open --key stranger.key emr.age 2>&1 | indent; code=${PIPESTATUS[0]}
echo "exit status $code (not sealed for this key)" | indent
set -e

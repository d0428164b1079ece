# hc-sign --policy: the signer's own rules are signed and enforced downstream.
source "$HC_SRC/tests/cli/lib.sh"
D="$HC_SRC/tests/data/ces"
key doc
cat > mine.json <<'P'
{"name": "clinic-strict", "decoy_pad": 8,
 "resources": {"Patient": {"plain": ["/resourceType", "/id", "/name"], "required": ["/resourceType", "/birthDate"]}}}
P
run 0 hc-sign --key doc.key --policy mine.json -o p.sd.json "$D/patient.json"
run 0 hc-verify --signer doc.pub p.sd.json
expect_out '"name":"clinic-strict"'
run 77 hc-extract --remove /name p.sd.json
expect_err "/name must stay"
run 77 hc-extract --remove /birthDate p.sd.json
expect_err "lacks /birthDate"
run 0 hc-extract --remove /gender p.sd.json
# The policy has no rules for Observation and no "*".
run 65 hc-sign --key doc.key --policy mine.json "$D/observation.json"
expect_err 'has no rules for resource type Observation'

# A revoke ends a grant from its block on; only the grantor may revoke; twice
# is refused; the ledger's own rules agree.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-share/setup.bash"
g=$(grant --until +1d)
run 0 hc-consent check --grantee research.pub --emr "$emr" --purpose HRESCH
run 0 hc-consent revoke --key bob.key --context stmarys "$g" --producer stmarys.key
expect_out "\"revoked\":\"$g\""
run 1 hc-consent check --grantee research.pub --emr "$emr" --purpose HRESCH
expect_out '"reason":"revoked"'; expect_out "\"rule\":\"$g\""
run 1 hc-consent revoke --key bob.key --context stmarys "$g" --producer stmarys.key
expect_err "already revoked"
# Another pseudonym of the same patient is another key: refused.
g2=$(grant --until +1d)
run 77 hc-consent revoke --key bob.key --context elsewhere "$g2" --producer stmarys.key
expect_err "was made by $bob_id"
# Without --producer the signed transaction is printed; the ledger itself
# refuses a revoke signed by someone else (its stateless rule is lib/consent's).
run 0 hc-consent revoke --key bob.key --context stmarys "$g2"
python3 - "$g2" <<'PY' > forged.json
import json, sys
print(json.dumps({"type": "hc-consent-revoke-v1", "grantor": "0123456789abcdef", "grant": sys.argv[1], "issued": "2030-01-01T00:00:00Z"}))
PY
run 65 hc-ledger submit --key research.key --kind consent.revoke --data-file forged.json --producer stmarys.key
expect_err 'body.data.grantor'; expect_err "must be the signer"
run 66 hc-consent revoke --key bob.key --context stmarys "$(printf 'a%.0s' $(seq 64))" --producer stmarys.key
expect_err "no grant"
run 65 hc-consent revoke --key bob.key --context stmarys nothex --producer stmarys.key

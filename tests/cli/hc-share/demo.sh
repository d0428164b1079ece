# The end-to-end BPDS demo (examples/demo.sh) runs to the end and shows each
# refusal it promises.
source "$HC_SRC/tests/cli/lib.sh"
run 0 bash "$HC_SRC/examples/demo.sh"
expect_out "Done: every step above ran"
expect_out "permit (permitted)"
expect_out "release refused (exit 77)"
expect_out "late.age was not written: absent"
expect_out "after the revoke: deny (revoked)"
expect_out "ok: True"
expect_out "ministry: hc-ledger verify ok"

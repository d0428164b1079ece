# The device is unplugged mid-stream (the pty closes) and comes back on a
# new pty: the reader says so, reconnects with backoff and loses nothing
# it had read; sequence numbers continue without a gap.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-sensor-read/pty.lib"
start_sim -n 500 --unplug-after 200 --replug-after 0.7 --dump-interval 2 --flood -b 921600
start_reader --format raw --stats --backoff-max 0.2
wait_sim
grep -qF "1 unplugs" sim.err || fail "no unplug: $(cat sim.err)"
[ "$(wc -l < sim.out)" = 2 ] || fail "the simulator should print two pty paths"
sleep 0.3
stop_reader INT
[ "$code" = 0 ] || fail "exit $code: $err"
seq_check out.txt 500
expect_err 'device disconnected; reconnecting'
expect_err 'reconnected after'
expect_err '"reconnects":1'
expect_err '"lost":0'
# FHIR output across an unplug, with a port that never returns: --give-up.
start_sim -n 100 --dump-interval 2 --flood
start_reader --patient 0123456789abcdef --give-up 0.5
wait_sim
set +e; wait "$READER"; code=$?; set -e; READER=""
[ "$code" = 69 ] || fail "exit $code, expected 69 after --give-up"
grep -qF "did not come back within 0.5 s" err.txt || fail "no give-up message"
[ "$(wc -l < out.txt)" -gt 10 ] || fail "observations read before the unplug are kept"

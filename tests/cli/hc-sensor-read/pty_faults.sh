# Faults on the line, through a pty: checksum errors, garbage, over-long
# lines, bytes at the wrong baud rate, and lines split across reads are
# counted exactly, reported on stderr, and never stop the reader.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-sensor-read/pty.lib"
start_sim -n 300 --fault checksum,garbage,overlong,baud,split --fault-every 10 --dump-interval 2 --flood
start_reader --format raw --stats
wait_sim
grep -qF "30 faults" sim.err || fail "sim: $(cat sim.err)"
sleep 0.3
stop_reader TERM
[ "$code" = 0 ] || fail "exit $code: $err"
# Six of each: the corrupted lines are lost (and seen as sequence gaps),
# the injected ones are dropped, the split lines arrive whole.
expect_err '"checksum_errors":6'
expect_err '"unknown":6'
expect_err '"overlong":6'
expect_err '"noise":6'
expect_err '"lost":6'
expect_err '"readings":294'
expect_err 'checksum: checksum'
expect_err 'noise: control or invalid bytes'
expect_err "line longer than 1024 bytes dropped"
[ "$(wc -l < out.txt)" = 294 ] || fail "294 readings expected"
# The e-Health dialect has no checksum: a corrupted line is noise there.
start_sim -n 200 --dialect e-health --fault checksum,garbage --fault-every 20 --flood -b 921600
start_reader --format raw --stats
wait_sim
sleep 0.3
stop_reader TERM
expect_err '"noise":5'
expect_err '"unknown":5'

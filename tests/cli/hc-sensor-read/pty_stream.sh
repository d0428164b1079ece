# A real pseudo-terminal, raw, at 115200 baud: every line arrives, in
# order; SIGTERM then flushes, prints the summary and exits 0.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-sensor-read/pty.lib"
start_sim -n 400 --dump-interval 2 --flood -b 921600
start_reader --format raw --stats
wait_sim
expect_sim() { grep -qF -- "$1" sim.err || fail "sim stderr lacks $1"; }
expect_sim "sent 400 lines"
sleep 0.3
stop_reader TERM
[ "$code" = 0 ] || fail "exit $code after SIGTERM: $err"
seq_check out.txt 400
expect_err '"lines":400'
expect_err '"lost":0'
expect_err '"signal":true'
expect_err 'device disconnected; reconnecting'
expect_err '400 lines, 400 readings, 400 outputs'

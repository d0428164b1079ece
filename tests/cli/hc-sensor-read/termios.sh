# The port is opened raw and exclusive at the requested speed, and its
# previous settings are restored on exit.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-sensor-read/pty.lib"
start_sim -s temp --no-wait
pty=$(readlink "$T/port")
stty -F "$pty" 9600 icanon echo
start_reader --format raw -b 921600
for _ in $(seq 50); do grep -q . out.txt && break; sleep 0.1; done
now=$(stty -F "$pty" -a)
[[ "$now" == *"speed 921600 baud"* ]] || fail "speed not set: $now"
[[ "$now" == *"-icanon"* && "$now" == *"-echo "* ]] || fail "not raw: $now"
# A second reader is refused: the port is exclusive.
run 69 hc-sensor-read -p "$T/port" --format raw -d 1
expect_err "is in use by another process"
stop_reader TERM
[ "$code" = 0 ] || fail "exit $code"
after=$(stty -F "$pty" -a)
[[ "$after" == *"speed 9600 baud"* && "$after" == *" icanon"* ]] || fail "settings not restored: $after"

# The simulator: usage errors, deterministic output, valid lines.
source "$HC_SRC/tests/cli/lib.sh"
run 2 hc-sensor-sim --dialect serial
run 2 hc-sensor-sim --unplug-after 5
expect_err "--unplug-after and --link need --pty"
run 2 hc-sensor-sim --fault lightning
expect_err 'unknown fault "lightning"'
run 2 hc-sensor-sim --sensor resp
expect_err 'unknown sensor "resp"'
# Same seed, same bytes; every line checks out.
hc-sensor-sim -b 0 -n 500 -q > a.txt
hc-sensor-sim -b 0 -n 500 -q > b.txt
cmp -s a.txt b.txt || fail "not deterministic"
[ "$(wc -l < a.txt)" = 500 ] || fail "-n 500"
run 0 hc-sensor-read -p - --format raw --stats < a.txt
expect_err '"readings":500'
expect_err '"lost":0'
# Pacing: 115200 baud is 11520 bytes a second.
start=$(date +%s.%N)
hc-sensor-sim --flood -n 200 -q > paced.txt
secs=$(python3 -c "import sys,os; print(os.path.getsize('paced.txt')/11520)")
took=$(python3 -c "import time; print(time.time()-$start)")
python3 -c "import sys; sys.exit(0 if $took >= 0.8*$secs else 1)" || fail "not paced: $took s for $secs s of bytes"
# Only the sensors asked for.
run 0 hc-sensor-sim -b 0 -n 50 -s temp,bp --dialect e-health --dump-interval 1
! grep -q -e ECG -e EMG -e PRbpm out.txt || fail "sensor filter"
expect_out "Temperature (ºC): 3"

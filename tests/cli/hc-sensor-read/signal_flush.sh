# SIGINT while waveform samples wait for a full batch: they leave as a last,
# shorter SampledData, the summary prints, the exit status is 0.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-sensor-read/pty.lib"
start_sim -s ecg,pulse
start_reader --patient 0123456789abcdef --batch 100000 --stats
sleep 1.5
stop_reader INT
[ "$code" = 0 ] || fail "exit $code: $err"
expect_out '"code":"131328"'
expect_out '"code":"8867-4"'
expect_err '"signal":true'
python3 "$HC_SRC/tests/cli/hc-sensor-read/fhir_check.py" out.txt 131328 8867-4 || fail "FHIR check"

# Output is flushed as lines arrive, so the reader streams into a pipe
# (hc-sensor-read | hc-sign ...): the first observations reach the next
# process while the device is still talking.
source "$HC_SRC/tests/cli/lib.sh"
source "$HC_SRC/tests/cli/hc-sensor-read/pty.lib"
start_sim -s pulse,temp
set +e
timeout --foreground -k 10 20 hc-sensor-read -p "$T/port" --patient 0123456789abcdef 2> err.txt | head -n 3 > first.txt
set -e
[ "$(wc -l < first.txt)" = 3 ] || fail "no streamed lines"
python3 "$HC_SRC/tests/cli/hc-sensor-read/fhir_check.py" first.txt || fail "FHIR check"
# When the next process goes away, the reader stops with an I/O error.
grep -qF "cannot write output" err.txt || fail "no write error: $(cat err.txt)"

# Bad command lines and missing ports: exact messages and exit codes.
source "$HC_SRC/tests/cli/lib.sh"
echo 'PRbpm : 72    %SPo2 : 97' > in.txt
run 2 hc-sensor-read -p - < in.txt
expect_err "FHIR output needs --patient ID or --patient-key FILE"
run 2 hc-sensor-read -p - --patient 0123456789ABCDEF < in.txt
expect_err "a patient ID is 16 lower-case hex digits"
run 2 hc-sensor-read -p - --patient 0123456789abcdef --sensor heart < in.txt
expect_err 'unknown sensor "heart"'
run 2 hc-sensor-read -p - --format raw -b 12345 < in.txt
expect_err "unsupported baud rate 12345"
run 2 hc-sensor-read -p - --format xml < in.txt
run 66 hc-sensor-read -p /dev/nonexistent-tty --format raw
expect_err "cannot open /dev/nonexistent-tty"
run 66 hc-sensor-read -p - --patient-key missing.pub < in.txt
# Filters and --count; raw output needs no patient.
run 0 hc-sensor-read -p - --format raw --sensor spo2 < in.txt
expect_out '"sensor":"spo2"'
expect_out '"values":[97]'
[ "$(wc -l < out.txt)" = 1 ] || fail "filter"
hc-sensor-sim -b 0 -d 10 -q > many.txt
run 0 hc-sensor-read -p - --format raw --count 5 < many.txt
[ "$(wc -l < out.txt)" = 5 ] || fail "--count"
run 0 hc-sensor-read -p - --patient 0123456789abcdef --sensor bp,glucose < many.txt
expect_out '"85354-9"'
expect_out '"2339-0"'
! grep -q '8867-4' out.txt || fail "pulse should be filtered"

# Every sensor in hc's line protocol, from standard input, as FHIR R4
# Observations that pass the vital-signs profiles' fixed-value checks.
source "$HC_SRC/tests/cli/lib.sh"
ALL="8867-4 2708-6 9279-1 8310-5 85354-9 2339-0 8361-8 131328 emg airflow gsr"
hc-sensor-sim -b 0 -d 30 --dump-interval 5 -q > in.txt
run 0 hc-sensor-read -p - --patient 0123456789abcdef --stats < in.txt
python3 "$HC_SRC/tests/cli/hc-sensor-read/fhir_check.py" out.txt $ALL || fail "FHIR check"
expect_err '"checksum_errors":0'
expect_err '"lost":0'
# A flipped bit in the line is caught; a good line before and after is kept.
sed -n '1p' in.txt > bad.txt; sed -n '2p' in.txt | sed 's/SPO2,9/SPO2,8/' >> bad.txt; sed -n '3p' in.txt >> bad.txt
run 0 hc-sensor-read -p - --patient 0123456789abcdef --stats < bad.txt
[ "$(wc -l < out.txt)" = 2 ] || fail "expected 2 observations"
expect_err 'checksum: checksum'
expect_err '"checksum_errors":1'
expect_err '"lost":1'
# The subject may come from the patient's public key file.
# (lib.sh's key() passes --quiet after the subcommand, which hc-keygen refuses.)
hc-keygen --quiet new --role patient --label pat -o pat --argon2-memory 1024 --argon2-iterations 1
run 0 hc-sensor-read -p - --patient-key pat.pub < in.txt
id=$(hc-keygen id pat.pub)
expect_out "\"reference\":\"Patient/$id\""

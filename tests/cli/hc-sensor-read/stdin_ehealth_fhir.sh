# The e-Health sketches' text (Arduino and Raspberry Pi forms), every sensor.
source "$HC_SRC/tests/cli/lib.sh"
ALL="8867-4 2708-6 9279-1 8310-5 85354-9 2339-0 8361-8 131328 emg airflow gsr"
for variant in "" "--rpi"; do
  hc-sensor-sim --dialect e-health $variant -b 0 -d 70 --dump-interval 20 -q > in.txt
  run 0 hc-sensor-read -p - --patient 0123456789abcdef --sample-rate 25 --stats < in.txt
  python3 "$HC_SRC/tests/cli/hc-sensor-read/fhir_check.py" out.txt $ALL || fail "FHIR check $variant"
  expect_err '"unknown":0'
  expect_err '"malformed":0'
done
grep -q '^Temperature : 36\.[0-9]\{6\}' in.txt || fail "the Pi form has 6 decimals"
# The sketch texts as the issue lists them, hand-written.
printf '%s\r\n' 'ECG value :  1.23 V' 'PRbpm : 72    %SPo2 : 97' '=====' 'Temperature (ºC): 36.52' \
  'Temperature : 36.520000' 'The Airflow Value is 512' 'Conductance : 2.31' 'Resistance : 432900.00' \
  'Conductance Voltage : 0.23' 'EMG value :  412' 'Current position :' 'Rigth lateral decubitus' \
  'Number of measures : 1' 'Measure number 1' 'Date -> 12 of March of 2026 at 09:05' \
  'Systolic value : 190 mmHg' 'Diastolic value : 80 mmHg' 'Pulse value : 72 bpm' 'Glucose value : 95 mg/dL' > text.txt
run 0 hc-sensor-read -p - --patient 0123456789abcdef --stats < text.txt
python3 "$HC_SRC/tests/cli/hc-sensor-read/fhir_check.py" out.txt 8867-4 2708-6 8310-5 85354-9 2339-0 8361-8 131328 emg airflow gsr \
  || fail "FHIR check of the sketch texts"
expect_out '"code":"102535000"'
expect_out '"effectiveDateTime":"2026-03-12T09:05:00'
expect_out '"code":"HH"'  # systolic 190 is flagged, not dropped
expect_out '"value":190'
expect_err '"readings":12'

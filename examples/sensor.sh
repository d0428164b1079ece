#!/usr/bin/env bash
# Sensor capture end to end, no hardware: a simulated e-Health board on a
# pseudo-terminal, read as FHIR R4 Observations for a patient's public ID.
# Run from a build: PATH=build/bin:$PATH examples/sensor.sh
set -euo pipefail
work=$(mktemp -d)
trap 'kill $sim 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"

# The patient's key pair; the public ID is the Observations' subject.
HC_PASSPHRASE=demo hc-keygen --quiet new --role patient --label "Alice Example" -o alice \
  --argon2-memory 1024 --argon2-iterations 1 > /dev/null
echo "patient public ID: $(hc-keygen id alice.pub)"

# A board speaking hc's line protocol at 115200 baud, with a fault now and
# then, that is unplugged after 300 lines and comes back on a new pty.
hc-sensor-sim --pty --link board --fault checksum,garbage --fault-every 100 \
  --unplug-after 300 --replug-after 1 -n 600 --flood > sim.out 2> sim.err &
sim=$!
while [ ! -L board ]; do sleep 0.1; done
echo "board on $(readlink board)"

# Capture until the board finishes, then stop the reader with SIGTERM.
hc-sensor-read -p board --patient-key alice.pub --stats > observations.jsonl 2> read.err &
reader=$!
wait $sim
sleep 0.5
kill -TERM $reader
wait $reader
cat read.err
echo "$(wc -l < observations.jsonl) observations, e.g.:"
grep -m1 '"8867-4"' observations.jsonl

# The e-Health sketches' text works as well, e.g. replayed from a capture file.
hc-sensor-sim --dialect e-health -b 0 -d 60 -q > capture.txt
hc-sensor-read -p - --patient-key alice.pub --sample-rate 50 -q < capture.txt \
  | python3 -c 'import json,sys,collections
print(dict(collections.Counter(json.loads(l)["code"]["coding"][0]["code"] for l in sys.stdin)))'
# Next: sign the stream (hc-sensor-read ... | hc-sign --key doctor.key).

#!/usr/bin/env bash
# Checks a Promela model with spin: generate the verifier, compile, run.
# Usage: run-spin.sh MODEL WORKDIR "SPIN-FLAGS" "CC-FLAGS" "PAN-FLAGS"
# Fails unless pan reports "errors: 0" and a full (not truncated) search.
set -euo pipefail
model=$1 work=$2 spin_flags=$3 cc_flags=$4 pan_flags=$5
rm -rf "$work"
mkdir -p "$work"
cd "$work"
cp "$model" model.pml
# shellcheck disable=SC2086
spin -a $spin_flags model.pml
# shellcheck disable=SC2086
cc -O2 -w -DMEMLIM=1024 $cc_flags -o pan pan.c
# shellcheck disable=SC2086
./pan -m200000 $pan_flags > pan.out 2>&1 || true
cat pan.out
grep -q "errors: 0" pan.out || { echo "spin: the model has a counterexample (trail in $work)" >&2; exit 1; }
if grep -qE "max search depth too small|Search not completed|out of memory" pan.out; then
  echo "spin: the search was not complete" >&2
  exit 1
fi
echo "spin: $(grep -E 'states, stored' pan.out | head -1 | xargs) — no counterexample"

#!/usr/bin/env bash
# The hc end-to-end demo: everything hc can do so far, on embedded defaults,
# with no hardware and no servers to set up. Run it through `bash .ci/demo`
# (which builds hc first), or with the hc binaries on PATH. The steps live in
# examples/steps/*.sh, run in name order in one shared folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hc-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
if [ -t 1 ]; then bold=$'\033[1m'; plain=$'\033[0m'; else bold=""; plain=""; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
indent() { sed 's/^/   /'; }
# The demo's people protect their keys with a demo passphrase; real users are
# prompted on the terminal instead (see hc-keygen(1)).
export HC_PASSPHRASE="demo passphrase"

for step in "$here"/steps/*.sh; do
  # shellcheck source=/dev/null
  source "$step"
done
say "Done: every step above ran on this machine, with nothing set up by hand."

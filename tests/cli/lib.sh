# Helpers for CLI tests: source this from tests/cli/<tool>/<case>.sh.
# Each test runs in a fresh temporary folder with the built binaries on PATH.
set -euo pipefail
: "${HC_BIN:?run through ctest (HC_BIN is the folder of built binaries)}"
export PATH="$HC_BIN:$PATH"
export NO_COLOR=1
T=$(mktemp -d "${TMPDIR:-/tmp}/hc-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
fail() { echo "FAIL: $*" >&2; exit 1; }

# run EXPECTED_EXIT CMD...: runs CMD, captures stdout in $out and stderr in
# $err (also files out.txt, err.txt), and fails unless it exits EXPECTED_EXIT.
run() {
  local want=$1; shift
  set +e
  "$@" >out.txt 2>err.txt
  code=$?
  set -e
  out=$(cat out.txt); err=$(cat err.txt)
  if [ "$code" != "$want" ]; then
    echo "command: $*" >&2; echo "stdout: $out" >&2; echo "stderr: $err" >&2
    fail "exit $code, expected $want"
  fi
}
# expect_err TEXT: stderr contains TEXT verbatim.
expect_err() { grep -qF -- "$1" err.txt || fail "stderr lacks: $1 (stderr: $err)"; }
expect_out() { grep -qF -- "$1" out.txt || fail "stdout lacks: $1"; }
# json_get FILE JQ-ish-path via python (no jq dependency).
json_get() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]));
for k in sys.argv[2].split(".")[1:]: v=v[int(k)] if isinstance(v,list) else v[k]
print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1" "$2"; }
# key NAME [ROLE]: makes NAME.key/NAME.pub with passphrase "pw" and a cheap
# Argon2id cost (real keys use the defaults); HC_PASSPHRASE=pw unlocks it.
key() { HC_PASSPHRASE=pw hc-keygen --quiet new --role "${2:-doctor}" --label "$1" -o "$1" \
          --argon2-memory 1024 --argon2-iterations 1 >/dev/null; }
export HC_PASSPHRASE=pw

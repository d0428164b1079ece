# Checks that every tool under tools/ has a man page, a bash and a zsh
# completion, and that every bash completion parses and registers its tool.
set -eu
src=$1
bad=0
for dir in "$src"/tools/hc-*/; do
  t=$(basename "$dir")
  [ -f "$src/man/$t.1.scd" ] || { echo "missing man/$t.1.scd"; bad=1; }
  [ -f "$src/completions/bash/$t" ] || { echo "missing completions/bash/$t"; bad=1; }
  [ -f "$src/completions/zsh/_$t" ] || { echo "missing completions/zsh/_$t"; bad=1; }
  if [ -f "$src/completions/bash/$t" ]; then
    bash -n "$src/completions/bash/$t" || { echo "completions/bash/$t does not parse"; bad=1; }
    grep -q "complete .*$t\$" "$src/completions/bash/$t" || { echo "completions/bash/$t does not register $t"; bad=1; }
  fi
done
exit $bad

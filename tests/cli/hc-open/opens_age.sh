# hc-open opens what age -r writes (hc keys and age identity files), with
# several recipients, and is byte-exact across chunk boundaries.
source "$HC_SRC/tests/cli/lib.sh"
command -v age >/dev/null || fail "age is not installed (Debian package age)"
key alice patient
run 0 hc-keygen export --age-recipient alice.pub; alice=$(cat out.txt)
age-keygen -o other.id 2>/dev/null; other=$(age-keygen -y other.id)
for size in 0 1 65536 65537 200000; do
  head -c "$size" /dev/urandom > plain.bin
  age -r "$alice" -r "$other" -o sealed.age plain.bin
  run 0 hc-open --key alice.key -o opened.bin sealed.age
  cmp -s opened.bin plain.bin || fail "hc-open --key: wrong plaintext for $size bytes"
  [ "$(stat -c %a opened.bin)" = 600 ] || fail "plaintext output is not mode 0600"
  rm opened.bin
  hc-open -i other.id < sealed.age > opened.bin || fail "hc-open -i from stdin failed"
  cmp -s opened.bin plain.bin || fail "hc-open -i: wrong plaintext for $size bytes"
  rm opened.bin
done
# age's own test of a file encrypted to a recipients file.
echo "$alice" > recipients.txt
echo "record" | age -R recipients.txt > r.age
run 0 hc-open -k alice.key r.age
[ "$out" = record ] || fail "age -R round trip"
true

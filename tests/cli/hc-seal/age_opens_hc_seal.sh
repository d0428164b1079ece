# age -d opens what hc-seal writes: one and several recipients, hc key files
# and age1 strings, empty input, chunk boundaries, stdin and -o.
source "$HC_SRC/tests/cli/lib.sh"
command -v age >/dev/null || fail "age is not installed (Debian package age)"
key alice patient; key hospital org
run 0 hc-keygen export --age-identity alice.key; cp out.txt alice.id
run 0 hc-keygen export --age-identity hospital.key; cp out.txt hospital.id
age-keygen -o other.id 2>/dev/null
other=$(age-keygen -y other.id)

for size in 0 1 65535 65536 65537 131072 300001; do
  head -c "$size" /dev/urandom > plain.bin
  run 0 hc-seal --to alice.pub --to hospital.pub --to "$other" -o sealed.age --force plain.bin
  [ -z "$out" ] || fail "hc-seal -o printed to stdout"
  for id in alice.id hospital.id other.id; do
    age -d -i "$id" sealed.age > opened.bin || fail "age -d -i $id failed for $size bytes"
    cmp -s opened.bin plain.bin || fail "age -d -i $id: wrong plaintext for $size bytes"
  done
done

# stdin to stdout, recipient given as age1 (from hc-keygen export).
run 0 hc-keygen export --age-recipient alice.pub
r=$(cat out.txt)
[[ "$r" == age1* ]] || fail "recipient is not age1...: $r"
printf '{"resourceType":"Patient"}' | hc-seal --to "$r" > s2.age
head -c 22 s2.age | grep -qx 'age-encryption.org/v1' || fail "not an age v1 file"
[ "$(age -d -i alice.id s2.age)" = '{"resourceType":"Patient"}' ] || fail "stdin round trip"
# The hospital's key is not among s2's recipients.
age -d -i hospital.id s2.age >/dev/null 2>&1 && fail "age opened with a key that is not a recipient"
true

# ASCII armor both ways: hc-seal --armor for age, age --armor for hc-open.
head -c 100000 /dev/urandom > plain.bin
run 0 hc-seal --armor --to alice.pub -o armored.age plain.bin
head -n1 armored.age | grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----' || fail "no armor header"
tail -n1 armored.age | grep -qx -- '-----END AGE ENCRYPTED FILE-----' || fail "no armor footer"
age -d -i alice.id armored.age | cmp -s - plain.bin || fail "age -d of hc-seal --armor"
age -a -r "$r" plain.bin > age-armored.age
run 0 hc-open --key alice.key -o a.bin age-armored.age
cmp -s a.bin plain.bin || fail "hc-open of age --armor"
# A changed character in the armor is refused (65 for armor, 1 if it decodes).
sed '3s/^./A/;3s/^AA/BA/' age-armored.age > bad-armor.age
set +e; hc-open --key alice.key -o b.bin bad-armor.age 2>/dev/null; code=$?; set -e
[ "$code" = 1 ] || [ "$code" = 65 ] || fail "exit $code for changed armor"
[ ! -e b.bin ] || fail "plaintext left behind"
printf ' \n' | cat - age-armored.age > spaced.age   # whitespace before the armor is allowed
run 0 hc-open --key alice.key spaced.age

# The issuer JWS signature checks with OpenSSL against hc-keygen export --pem.
source "$HC_SRC/tests/cli/lib.sh"
D="$HC_SRC/tests/data/ces"
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 0; }
key doc
hc-keygen export --pem doc.pub > doc.pem
for f in observation bundle; do
  hc-sign --key doc.key --compact "$D/$f.json" > s.txt
  jwt=$(cut -d'~' -f1 s.txt)
  printf '%s' "${jwt%.*}" > input.bin
  python3 -c 'import base64,sys; s=sys.argv[1]; sys.stdout.buffer.write(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))' "${jwt##*.}" > sig.bin
  run 0 openssl pkeyutl -verify -pubin -inkey doc.pem -rawin -in input.bin -sigfile sig.bin
  expect_out "Signature Verified Successfully"
  printf 'x' >> input.bin
  run 1 openssl pkeyutl -verify -pubin -inkey doc.pem -rawin -in input.bin -sigfile sig.bin
done

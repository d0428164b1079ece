# hc-extract --holder-key: a key-binding JWT for one verifier and nonce.
source "$HC_SRC/tests/cli/lib.sh"
D="$HC_SRC/tests/data/ces"
key doc; key pat patient; key eve patient
hc-sign --key doc.key --holder pat.pub "$D/observation.json" > o.sd.json
run 0 hc-extract --remove /note --holder-key pat.key --aud hospital-b --nonce 8f1e o.sd.json
echo "$out" > kb.json
run 0 hc-verify --signer doc.pub --aud hospital-b --nonce 8f1e kb.json
expect_out '"aud":"hospital-b"'
run 1 hc-verify --signer doc.pub --aud hospital-c --nonce 8f1e kb.json
expect_out '"valid":false'
expect_err 'audience'
run 1 hc-verify --signer doc.pub --aud hospital-b --nonce 0000 kb.json
# Compact form too.
run 0 hc-extract --compact --holder-key pat.key --aud hospital-b --nonce 8f1e o.sd.json
echo "$out" > kb.txt
run 0 hc-verify --signer doc.pub --aud hospital-b --nonce 8f1e kb.txt
# Without a KB-JWT, a verifier that asks for one refuses.
run 1 hc-verify --signer doc.pub --require-kb o.sd.json
expect_err 'key-binding JWT is required'
# Somebody else's key cannot bind it.
run 77 hc-extract --holder-key eve.key --aud hospital-b --nonce 8f1e o.sd.json
expect_err 'not the holder key'
run 2 hc-extract --holder-key pat.key o.sd.json

# hc-store against a real FHIR R4 REST server: Medplum's FHIR router over its
# in-memory repository (tests/interop/blobstore), started here on 127.0.0.1
# on a free port. Skips (77) only if that folder's node_modules is absent.
source "$HC_SRC/tests/cli/lib.sh"
srv="$HC_SRC/tests/interop/blobstore"
if [ ! -d "$srv/node_modules/@medplum/fhir-router" ]; then
  echo "SKIP: $srv/node_modules is absent (npm install --no-audit --no-fund there)" >&2
  exit 77
fi
# The server exits when its stdin closes; the fifo is held by this shell.
mkfifo hold
node "$srv/fhir-server.js" --port-file port < hold > server.log 2>&1 &
server=$!
exec 9> hold
trap 'exec 9>&-; kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$T"' EXIT
# (Up to 60 s: node loads the router slowly on a busy 2-core machine.)
for _ in $(seq 600); do [ -s port ] && break; sleep 0.1; done
[ -s port ] || { cat server.log >&2; fail "FHIR server did not start"; }
# Loopback only: never through a proxy.
export no_proxy="127.0.0.1${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1${NO_PROXY:+,$NO_PROXY}"
S="fhir+http://127.0.0.1:$(cat port)/fhir"
base="http://127.0.0.1:$(cat port)/fhir"

printf 'sealed bytes' > a.age
head -c 200000 /dev/urandom > b.age
A=$(sha256sum a.age | cut -c1-64)
B=$(sha256sum b.age | cut -c1-64)

run 0 hc-store --store "$S" put --content-type application/octet-stream a.age b.age
expect_out '"created":true'
expect_out "\"id\":\"$A\""
doc=$(sed -n 1p out.txt | python3 -c 'import json,sys; print(json.load(sys.stdin)["location"].split()[0])')
bin=$(sed -n 1p out.txt | python3 -c 'import json,sys; print(json.load(sys.stdin)["location"].split()[1])')
run 0 hc-store --store "$S" put a.age
expect_out '"created":false'

# What the server holds is plain FHIR: a DocumentReference naming the object
# by its RFC 6920 nih URI and pointing at a Binary with a securityContext.
python3 - "$base" "$doc" "$bin" "$A" <<'PY'
import json, sys, urllib.request
base, doc, binary, oid = sys.argv[1:]
get = lambda p: json.load(urllib.request.urlopen(urllib.request.Request(base + "/" + p, headers={"Accept": "application/fhir+json"})))
d = get(doc)
assert d["resourceType"] == "DocumentReference", d
assert d["identifier"] == [{"system": "urn:ietf:rfc:3986", "value": "nih:sha-256;" + oid}], d["identifier"]
assert d["content"][0]["attachment"]["url"] == binary, d["content"]
assert d["securityLabel"][0]["coding"][0]["code"] == "R"
b = get(binary)
assert b["resourceType"] == "Binary" and b["contentType"] == "application/octet-stream", b.keys()
assert b["securityContext"]["identifier"]["value"] == "nih:sha-256;" + oid, b["securityContext"]
PY

run 0 hc-store --store "$S" get "$A"
[ "$out" = "sealed bytes" ] || fail "get returned other bytes"
run 0 hc-store --store "$S" get "$B" -o copy.age
cmp -s copy.age b.age || fail "get -o wrote other bytes"
run 0 hc-store --store "$S" list
[ "$(wc -l < out.txt)" = 2 ] || fail "list: expected 2 lines"
run 0 hc-store --store "$S" verify
expect_err "2 object(s) checked, all intact"
run 66 hc-store --store "$S" get 0000000000000000000000000000000000000000000000000000000000000000
expect_err "no object 0000000000000000000000000000000000000000000000000000000000000000 on $S"

# Tamper with the server's Binary (a FHIR update): get refuses, releases nothing.
python3 - "$base" "${bin#Binary/}" <<'PY'
import json, sys, urllib.request
base, bid = sys.argv[1:]
body = json.dumps({"resourceType": "Binary", "id": bid, "contentType": "application/octet-stream",
                   "data": "U2VhbGVkIGJ5dGVz"}).encode()
req = urllib.request.Request(base + "/Binary/" + bid, data=body, method="PUT",
                             headers={"Content-Type": "application/fhir+json"})
assert urllib.request.urlopen(req).status == 200
PY
run 1 hc-store --store "$S" get "$A"
expect_err "object $A is damaged on the server"
[ ! -s out.txt ] || fail "damaged bytes were released"
run 1 hc-store --store "$S" get "$A" -o bad.age
[ ! -e bad.age ] || fail "output file left behind"
run 1 hc-store --store "$S" verify
expect_out '"ok":false'

# Bounds: an object over --max-size is refused before anything is sent.
run 65 hc-store --store "$S" --max-size 1000 put b.age
expect_err "larger than the FHIR store's bound of 1000 bytes"
# The answer is bounded too: a 2 MB object read with --max-size 100000.
head -c 2000000 /dev/urandom > c.age
run 0 hc-store --store "$S" put c.age
C=$(sha256sum c.age | cut -c1-64)
run 65 hc-store --store "$S" --max-size 100000 get "$C"
expect_err "is larger than"
[ ! -s out.txt ] || fail "bytes released past the bound"
run 0 hc-store --store "$S" get "$C" -o c.copy
cmp -s c.age c.copy || fail "2 MB object changed on the way"
# A server that is not there.
exec 9>&-; kill $server; wait $server 2>/dev/null || true
run 69 hc-store --store "$S" list
expect_err "cannot reach $base"

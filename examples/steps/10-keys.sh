# Step: every participant creates a key pair.
say "Keys: a doctor, a patient, a hospital and a researcher each create a key pair"
for who in "alice:doctor:Dr Alice Example" "bob:patient:Bob Patient" \
           "stmarys:org:St Mary's Hospital" "research:org:Research Institute"; do
  IFS=: read -r name role label <<<"$who"
  hc-keygen new --role "$role" --label "$label" -o "$name" --quiet >/dev/null
  printf '%-20s %-8s key ID %s  (%s.key mode %s, %s.pub)\n' "$label" "$role" \
    "$(hc-keygen id "$name.pub")" "$name" "$(stat -c %a "$name.key")" "$name" | indent
done
echo "The doctor's signing key, exported for openssl (PEM) and JOSE tools (JWK):" | indent
hc-keygen export --pem alice.pub | indent
hc-keygen export --jwk alice.pub | indent

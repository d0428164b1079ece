// Independent SD-JWT checks for hc, with the OpenWallet Foundation's
// @sd-jwt/core (sd-jwt-js) and Node's own Ed25519. Usage:
//   node check.mjs verify ISSUER.pub FILE [NONCE]      verify hc output; print the disclosed claims
//   node check.mjs issue ISSUER.key RESOURCE POLICY [HOLDER.pub]   issue an hc-profile SD-JWT
//   node check.mjs present SDJWT HOLDER.key AUD NONCE KEEP...      present with a KB-JWT
// ISSUER.key / HOLDER.key must be unencrypted hc key files (hc-keygen new --no-passphrase).
// Exit 0 on success, 1 when a check fails.
import { SDJwtInstance, FlattenJSON } from '@sd-jwt/core';
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const hasher = (data, alg) => {
  if (alg !== 'sha-256') throw new Error(`unexpected _sd_alg ${alg}`);
  return new Uint8Array(createHash('sha256').update(data).digest());
};
const saltGenerator = () => b64u(randomBytes(16));

function publicJwk(file) {
  const k = JSON.parse(readFileSync(file, 'utf8'));
  return { kty: 'OKP', crv: 'Ed25519', x: k.ed25519 };
}
function privateKey(file) {
  const k = JSON.parse(readFileSync(file, 'utf8'));
  if (k.kdf?.alg !== 'none') throw new Error(`${file} must be unencrypted for this test`);
  const seed = Buffer.from(k.secret, 'base64url').subarray(0, 32);
  return { key: createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64u(seed), x: k.ed25519 }, format: 'jwk' }),
           kid: k.key_id, jwk: { kty: 'OKP', crv: 'Ed25519', x: k.ed25519 } };
}
const signerOf = (key) => (data) => b64u(sign(null, Buffer.from(data), key));
const verifierOf = (jwk) => (data, sig) =>
  verify(null, Buffer.from(data), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(sig, 'base64url'));
const kbVerifier = (data, sig, payload) => verifierOf(payload.cnf.jwk)(data, sig);

function readSdJwt(file) {
  const text = readFileSync(file, 'utf8').trim();
  return text.startsWith('{') ? FlattenJSON.fromSerialized(JSON.parse(text)).toEncoded() : text;
}

// The disclosure frame @sd-jwt/core should use for `value`: everything
// disclosable recursively except the top-level names in `plain`.
function frameOf(value, plain = []) {
  if (Array.isArray(value)) {
    const f = { _sd: value.map((_, i) => i) };
    value.forEach((v, i) => { if (v && typeof v === 'object') f[i] = frameOf(v); });
    return f;
  }
  const f = { _sd: Object.keys(value).filter((k) => !plain.includes(k)) };
  for (const [k, v] of Object.entries(value))
    if (v && typeof v === 'object' && !plain.includes(k)) f[k] = frameOf(v);
  return f;
}

const [cmd, ...args] = process.argv.slice(2);
try {
  if (cmd === 'verify') {
    const [pub, file, nonce] = args;
    const sd = new SDJwtInstance({ hasher, verifier: verifierOf(publicJwk(pub)), kbVerifier, signAlg: 'EdDSA' });
    const r = await sd.verify(readSdJwt(file), nonce ? { keyBindingNonce: nonce } : {});
    process.stdout.write(JSON.stringify({ claims: r.payload, kb: r.kb?.payload ?? null }) + '\n');
  } else if (cmd === 'issue') {
    const [keyFile, resourceFile, policyFile, holderFile] = args;
    const issuer = privateKey(keyFile);
    const resource = JSON.parse(readFileSync(resourceFile, 'utf8'));
    const policy = JSON.parse(readFileSync(policyFile, 'utf8'));
    const plain = (policy.resources[resource.resourceType]?.plain ?? []).map((p) => p.slice(1));
    const payload = { iss: issuer.kid, iat: Math.floor(Date.now() / 1000),
                      hc_doc: `fhir-r4/${resource.resourceType}`, hc_policy: policy, fhir: resource };
    if (holderFile) payload.cnf = { jwk: publicJwk(holderFile) };
    const sd = new SDJwtInstance({ hasher, saltGenerator, signer: signerOf(issuer.key), signAlg: 'EdDSA' });
    const frame = { fhir: frameOf(resource, plain) };
    frame.fhir._sd_decoy = 3;
    process.stdout.write(await sd.issue(payload, frame, { header: { typ: 'hc-emr+sd-jwt', kid: issuer.kid } }) + '\n');
  } else if (cmd === 'present') {
    const [file, holderFile, aud, nonce, ...keep] = args;
    const holder = privateKey(holderFile);
    const sd = new SDJwtInstance({ hasher, saltGenerator, kbSigner: signerOf(holder.key), kbSignAlg: 'EdDSA' });
    const frame = { fhir: Object.fromEntries(keep.map((k) => [k, true])) };
    process.stdout.write(await sd.present(readSdJwt(file), frame,
      { kb: { payload: { aud, nonce, iat: Math.floor(Date.now() / 1000) } } }) + '\n');
  } else {
    throw new Error('usage: check.mjs verify|issue|present ...');
  }
} catch (e) {
  process.stderr.write(`check.mjs ${cmd}: ${e.message}\n`);
  process.exit(1);
}

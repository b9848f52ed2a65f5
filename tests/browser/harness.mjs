// Shared by the dashboard test and the screenshot script: the real emuscim server on
// 127.0.0.1:0, an optional development proxy in front of it, Debian's Chromium driven by
// playwright-core, and a small SCIM client. Everything targets 127.0.0.1 only and stops by itself.
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const sourceDir = resolve(here, '..', '..');
export const adminToken = 'emuscim-browser-admin-token-0123456789';
export const acmeToken = 'emu_testtoken_acme_browser_0123456789abcdef';
export const chromiumPath = process.env.EMUSCIM_CHROMIUM || '/usr/bin/chromium';
export const serverBinary = process.env.EMUSCIM_BINARY || join(sourceDir, 'build', 'emuscim');

// Launch flags: without the background-networking ones Chromium keeps dialling out, and this
// machine's closed network refuses those connections.
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Children still running when this process exits (a failed assertion, an exception) are killed.
// So are the temporary directories (databases, browser profiles).
const children = new Set();
const tempDirs = new Set();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of tempDirs) rmSync(d, {recursive: true, force: true});
});
function tempDir(prefix) {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

// Why this machine cannot run the browser tests, or null.
export async function missingPrerequisite() {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 18) return `Node.js ${process.versions.node} is too old (18 or later is needed)`;
  if (!existsSync(chromiumPath)) return `Chromium is absent (${chromiumPath}); install Debian's chromium package`;
  try {
    await import('playwright-core');
  } catch {
    return `playwright-core is not installed; run npm ci in ${here}`;
  }
  if (!existsSync(serverBinary)) return `the server binary ${serverBinary} is absent; build it first`;
  return null;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  })]).finally(() => clearTimeout(timer));
}

// `emuscim serve --listen 127.0.0.1:0` on a fresh database, with the admin API on and the
// bootstrap enterprise acme. Resolves when the server logs `listening on`.
export async function startServer({extraEnv = {}} = {}) {
  const dir = tempDir('emuscim-browser-');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EMUSCIM_')));
  Object.assign(env, {
    EMUSCIM_ADMIN_TOKEN: adminToken,
    EMUSCIM_ENTERPRISE: 'acme',
    EMUSCIM_SHORT_CODE: 'acme',
    EMUSCIM_TOKEN: acmeToken,
    ...extraEnv,
  });
  const child = track(spawn(serverBinary, ['serve', '--listen', '127.0.0.1:0', '--db', join(dir, 'emuscim.db')],
    {env, stdio: ['ignore', 'pipe', 'pipe']}));
  let log = '';
  const onData = (chunk) => { log += chunk.toString(); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const origin = await withTimeout(new Promise((resolveOrigin, reject) => {
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) resolveOrigin(m[1]);
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${log}`)));
  }), 15000, 'server start');
  return {
    origin,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await withTimeout(new Promise((r) => child.once('exit', r)), 10000, 'server stop').catch(() => child.kill('SIGKILL'));
      }
      rmSync(dir, {recursive: true, force: true});
    },
  };
}

// The development proxy (dev-server.mjs) in front of `upstream`, on 127.0.0.1:0.
export async function startProxy(upstream) {
  const child = track(spawn(process.execPath, [join(here, 'dev-server.mjs'), '--upstream', upstream, '--port', '0'],
    {stdio: ['ignore', 'pipe', 'pipe']}));
  let log = '';
  child.stderr.on('data', (c) => { log += c.toString(); });
  const origin = await withTimeout(new Promise((resolveOrigin, reject) => {
    child.stdout.on('data', (c) => {
      log += c.toString();
      const m = /dev server on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) resolveOrigin(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`the dev server exited (${code}):\n${log}`)));
  }), 10000, 'dev server start');
  return {
    origin,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

// Debian's Chromium with a fresh profile directory (removed on close).
export async function launchBrowser({viewport = {width: 1280, height: 800}} = {}) {
  const {chromium} = await import('playwright-core');
  const profile = tempDir('emuscim-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport,
    timeout: 30000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, {recursive: true, force: true});
    },
  };
}

// SCIM calls as an IdP would make them (acme's bootstrap token).
export function scim(origin, {userAgent = 'emuscim-browser-test'} = {}) {
  async function call(method, path, body) {
    const res = await fetch(`${origin}/scim/v2/enterprises/acme/${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${acmeToken}`,
        'User-Agent': userAgent,
        ...(body ? {'Content-Type': 'application/scim+json'} : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return {status: res.status, body: text ? JSON.parse(text) : null};
  }
  return {
    createUser: (userName, externalId, extra = {}) => call('POST', 'Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, externalId, active: true, ...extra}),
    createGroup: (displayName, externalId, memberIds = []) => call('POST', 'Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, externalId,
      members: memberIds.map((value) => ({value}))}),
    patchUser: (id, operations) => call('PATCH', `Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations}),
    patchGroup: (id, operations) => call('PATCH', `Groups/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations}),
    get: (path) => call('GET', path),
    del: (path) => call('DELETE', path),
  };
}

export async function adminGet(origin, path) {
  return fetch(`${origin}/_emuscim/${path}`, {headers: {Authorization: `Bearer ${adminToken}`}});
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

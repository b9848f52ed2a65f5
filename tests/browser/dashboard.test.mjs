// The dashboard in a real browser (docs/DASHBOARD.md): Debian's headless Chromium, driven by
// playwright-core, against the real `emuscim serve` on 127.0.0.1:0.
//
//   node tests/browser/dashboard.test.mjs          (ctest -L browser runs this)
//
// Exit 77 (ctest: skipped) with the reason on stdout when Node.js, Chromium, playwright-core or
// the server binary is missing; a server that does not serve /_emuscim/ui/ fails it.
// EMUSCIM_UI_VIA=proxy puts tests/browser/dev-server.mjs in front of the server (pages from
// src/http/ui/ on disk, request log stood in for when the server lacks it): for UI work only.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {acmeToken, adminToken, launchBrowser, missingPrerequisite, scim, startProxy, startServer} from './harness.mjs';

const SKIP = 77;
const viaProxy = process.env.EMUSCIM_UI_VIA === 'proxy';

const missing = await missingPrerequisite();
if (missing) {
  console.log(`SKIP: browser tests not run: ${missing}`);
  process.exit(SKIP);
}

const server = await startServer();
let proxy = null;
let origin = server.origin;
if (viaProxy) {
  proxy = await startProxy(server.origin);
  origin = proxy.origin;
} else {
  // The server serves the dashboard: a build that does not is a failure, not a skip.
  const probe = await fetch(`${origin}/_emuscim/ui/`);
  await probe.arrayBuffer();
  if (probe.status !== 200) {
    await server.stop();
    console.log(`FAIL: GET /_emuscim/ui/ answered ${probe.status}, not the dashboard`);
    process.exit(1);
  }
}
const ui = `${origin}/_emuscim/ui/`;
const idp = scim(origin, {userAgent: 'Okta SCIM Client 1.0.0'});

let browser;
const problems = [];  // console errors (CSP violations among them), page errors, alert() calls

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.stop();
  await server.stop();
});

async function newPage({viewport} = {}) {
  const page = await browser.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  return page;
}

async function signedInPage(hash = '#/overview', options) {
  const page = await newPage(options);
  await page.goto(`${ui}#token=${encodeURIComponent(adminToken)}&${hash.replace(/^#\/?/, '')}`);
  await page.locator('#nav').waitFor({state: 'visible'});
  return page;
}

// Chromium logs every 4xx fetch as a console error; the pages expect some (a refused token, the
// 404s that tell a view its route is not there yet). Anything else, CSP reports included, counts.
function assertNoProblems() {
  const real = problems.filter((p) => !/^console: Failed to load resource: the server responded with a status of (401|404)/.test(p));
  assert.deepEqual(real, [], 'no console error, CSP violation, page error or alert');
}

test('pages and assets carry a strict CSP, nosniff and no-store; the data routes no-store', async () => {
  for (const [path, type] of [['', 'text/html'], ['app.js', 'text/javascript'], ['style.css', 'text/css'],
    ['icon.svg', 'image/svg+xml']]) {
    const res = await fetch(`${ui}${path}`);
    await res.arrayBuffer();
    assert.equal(res.status, 200, path);
    assert.ok(res.headers.get('content-type')?.startsWith(type), `${path}: ${res.headers.get('content-type')}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'self'/, path);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('cache-control'), 'no-store', path);
  }
  const missingAsset = await fetch(`${ui}nope.js`);
  await missingAsset.arrayBuffer();
  assert.equal(missingAsset.status, 404);
  const data = await fetch(`${origin}/_emuscim/requests?limit=1`, {headers: {Authorization: `Bearer ${adminToken}`}});
  await data.arrayBuffer();
  assert.equal(data.status, 200);
  assert.match(data.headers.get('cache-control') ?? '', /no-store/);
});

test('the sign-in form refuses a wrong token and accepts the admin token', async () => {
  const page = await newPage();
  await page.goto(ui);
  await page.getByLabel('Admin token').fill('not-the-token');
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('alert').filter({hasText: 'refused'}).waitFor();
  assert.equal(await page.locator('#nav').isVisible(), false);

  await page.getByLabel('Admin token').fill(adminToken);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('heading', {level: 1, name: 'Enterprises & organizations'}).waitFor();
  await page.locator('table').getByRole('link', {name: 'acme', exact: true}).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('emuscim.admin_token')), adminToken);

  await page.getByRole('button', {name: 'Sign out'}).click();
  await page.getByLabel('Admin token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('emuscim.admin_token')), null);
  await page.close();
});

test('#token= signs in directly and leaves neither the address bar nor the server log', async () => {
  const page = await signedInPage('#/overview');
  assert.doesNotMatch(page.url(), /token=/);
  assert.match(page.url(), /#\/overview$/);
  await page.getByRole('heading', {level: 1, name: 'Enterprises & organizations'}).waitFor();
  assert.ok(!server.log().includes(adminToken), 'the admin token never reaches the server log');
  await page.close();
});

test('a user and a group provisioned through SCIM both appear', async () => {
  const user = await idp.createUser('mona@example.com', 'ext-mona', {displayName: 'Mona Lisa'});
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const group = await idp.createGroup('Octo Engineers', 'ext-octo-eng', [user.body.id]);
  assert.equal(group.status, 201, JSON.stringify(group.body));

  const page = await signedInPage('#/users');
  const row = page.locator(`tr[data-user-id="${user.body.id}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /mona_acme/);
  assert.match(await row.innerText(), /mona@example\.com/);

  await page.getByRole('link', {name: 'Groups'}).click();
  await page.getByRole('heading', {level: 1, name: 'Groups'}).waitFor();
  const groupsRoute = await fetch(`${origin}/_emuscim/enterprises/acme/groups`, {headers: {Authorization: `Bearer ${adminToken}`}});
  await groupsRoute.arrayBuffer();
  if (groupsRoute.status === 404) {
    // The groups view is not available in this build: the group shows in the counts and the audit log.
    await page.getByText('Groups: not available').waitFor();
    await page.getByRole('link', {name: 'Enterprises & organizations'}).click();
    const acme = page.locator('tbody tr').filter({has: page.getByRole('link', {name: 'acme', exact: true})});
    await acme.waitFor();
    assert.match(await acme.innerText(), /\b1\b[\s\S]*\b1\b/);
    await page.getByRole('link', {name: 'Audit log'}).click();
    await page.locator('tr[data-action="external_group.provision"]').first().waitFor();
    assert.match(await page.locator('tr[data-action="external_group.provision"]').first().innerText(), new RegExp(group.body.id));
  } else {
    const groupRow = page.locator(`tr[data-group-id="${group.body.id}"]`);
    await groupRow.waitFor();
    assert.match(await groupRow.innerText(), /Octo Engineers/);
    assert.match(await groupRow.innerText(), /1 member/);
  }
  assertNoProblems();
  await page.close();
});

test('the live log shows a request within a second, with its body and notes', async () => {
  const page = await signedInPage('#/requests');
  await page.locator('#stream-state').filter({hasText: /live|polling/}).waitFor();

  const before = await (await fetch(`${origin}/_emuscim/requests?limit=1000`, {headers: {Authorization: `Bearer ${adminToken}`}})).json();
  const started = Date.now();
  const created = await idp.createUser('hubot@example.com', 'ext-hubot');
  assert.equal(created.status, 201);
  // Only SCIM requests are captured, so this one is the next id.
  const row = page.locator(`table.requests tbody tr[data-id="${before.next_since_id + 1}"]`);
  await row.waitFor({timeout: 1000});
  assert.match(await row.innerText(), /POST[\s\S]*\/scim\/v2\/enterprises\/acme\/Users[\s\S]*201/);
  const seenAfter = Date.now() - started;
  assert.ok(seenAfter <= 1000, `shown after ${seenAfter} ms`);
  assert.match(await row.innerText(), /okta/);

  await row.getByRole('button').click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.locator('#request-body').waitFor();
  const body = await dialog.locator('#request-body').innerText();
  assert.match(body, /"userName": "hubot@example.com"/, 'the request body, pretty-printed');
  assert.match(await dialog.locator('#response-body').innerText(), /"hubot_acme"|hubot@example.com/);
  const notes = dialog.locator('#request-notes li');
  assert.ok(await notes.count() > 0, 'the request has notes');
  if (!viaProxy) assert.match(await dialog.locator('#request-notes').innerText(), /hubot_acme/);
  assert.match(await dialog.locator('table.headers').first().innerText(), /Bearer \*\*\*/);
  assert.doesNotMatch(await dialog.innerText(), new RegExp(acmeToken));
  assert.ok(await dialog.getByRole('button', {name: 'Copy as curl'}).isVisible());
  await page.keyboard.press('Escape');
  await dialog.waitFor({state: 'hidden'});

  // Filters: only 4xx, then back to all.
  await idp.createUser('hubot@example.com', 'ext-hubot-2');  // 409
  await page.locator('table.requests tbody tr[data-status="409"]').first().waitFor({timeout: 2000});
  await page.getByLabel('Status').selectOption('4xx');
  assert.equal(await page.locator('table.requests tbody tr:not([data-status^="4"])').count(), 0);
  assert.ok(await page.locator('table.requests tbody tr[data-status="409"]').count() >= 1);
  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Client').selectOption('entra');
  assert.equal(await page.locator('table.requests tbody tr:not([data-client="entra"])').count(), 0);
  assertNoProblems();
  await page.close();
});

test('a hostile userName is shown as text, never run', async () => {
  const hostile = '<img src=x onerror=alert(1)>';
  const created = await idp.createUser(`${hostile}@example.com`, 'ext-hostile', {displayName: '<script>alert(2)</script>'});
  // The login rules may refuse the name; its request and body are in the log either way.
  const log = await (await fetch(`${origin}/_emuscim/requests?method=POST&limit=1000`,
    {headers: {Authorization: `Bearer ${adminToken}`}})).json();
  const id = log.requests.at(-1).id;

  const page = await signedInPage(`#/requests/${id}`);
  const dialog = page.getByRole('dialog');
  await dialog.locator('#request-body').waitFor();
  assert.match(await dialog.locator('#request-body').innerText(), /"userName": "<img src=x onerror=alert\(1\)>@example.com"/);
  await page.keyboard.press('Escape');

  if (created.status === 201) {
    await page.getByRole('link', {name: 'Users'}).click();
    const userRow = page.locator(`tr[data-user-id="${created.body.id}"]`);
    await userRow.waitFor();
    assert.match(await userRow.innerText(), /<img src=x onerror=alert\(1\)>@example\.com/);
    assert.match(await userRow.innerText(), /<script>alert\(2\)<\/script>/);
    await page.getByLabel('Search').fill('onerror');
    await page.getByText('1 of').waitFor();
  }
  assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element was made from the name');
  assertNoProblems();
  await page.close();
});

test('every page renders in a narrow window without sideways scrolling of the page', async () => {
  const page = await signedInPage('#/overview', {viewport: {width: 390, height: 844}});
  for (const name of ['overview', 'users', 'groups', 'requests', 'audit', 'controls']) {
    await page.evaluate((n) => { location.hash = `#/${n}`; }, name);
    await page.locator(`.page[data-page="${name}"] h1`).waitFor();
    await page.waitForTimeout(150);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `${name}: the page is ${overflow}px wider than the window`);
    assert.ok(await page.locator('#nav').isVisible(), `${name}: navigation visible`);
  }
  assertNoProblems();
  await page.close();
});

test('fault injection and rate limit controls change the server', async () => {
  const page = await signedInPage('#/controls');
  await page.getByLabel('Latency (ms)').fill('5');
  await page.getByRole('button', {name: 'Apply faults'}).click();
  await page.getByText('Saved. Faults are ON').waitFor();
  const faults = await (await fetch(`${origin}/_emuscim/enterprises/acme/faults`, {headers: {Authorization: `Bearer ${adminToken}`}})).json();
  assert.equal(faults.latency_ms, 5);
  assert.equal(faults.enabled, true);
  await page.getByRole('button', {name: 'Turn off'}).click();
  await page.getByText('Turned off').waitFor();

  await page.getByLabel('Requests per token per hour').fill('777');
  await page.getByRole('button', {name: 'Apply rate limit'}).click();
  await page.getByText('Saved; every window starts afresh').waitFor();
  const rate = await (await fetch(`${origin}/_emuscim/rate-limit`, {headers: {Authorization: `Bearer ${adminToken}`}})).json();
  assert.equal(rate.requests_per_hour, 777);
  assertNoProblems();
  await page.close();
});

// Takes the screenshots shown in docs/DASHBOARD.md and the README: starts the real server
// (EMUSCIM_UI_VIA=proxy puts dev-server.mjs in front of it), provisions a small
// tenant the way Entra ID and Okta would, and saves one PNG per page into docs/dashboard/.
//
//   node tests/browser/screenshots.mjs
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {adminToken, launchBrowser, missingPrerequisite, scim, sourceDir, startProxy, startServer} from './harness.mjs';

const missing = await missingPrerequisite();
if (missing) {
  console.error(`cannot take screenshots: ${missing}`);
  process.exit(1);
}
const out = join(sourceDir, 'docs', 'dashboard');
mkdirSync(out, {recursive: true});

const server = await startServer();
let proxy = null;
let origin = server.origin;
if (process.env.EMUSCIM_UI_VIA === 'proxy') {
  // Pages from src/http/ui/ on disk, for UI work before a rebuild.
  proxy = await startProxy(server.origin);
  origin = proxy.origin;
  console.log(`through the development proxy ${origin}`);
}

const entra = scim(origin, {userAgent: 'Microsoft Azure AD SCIM provisioning 1.0'});
const okta = scim(origin, {userAgent: 'Okta SCIM Client 1.0.0'});
const ids = [];
for (const [name, display] of [['mona@octo.example', 'Mona Lisa Octocat'], ['hubot@octo.example', 'Hubot'],
  ['jyoung@contoso.example', 'Joy Young'], ['Test_User_00aa00aa#EXT#@contoso.example', 'Guest User']]) {
  const r = await entra.createUser(name, `ext-${ids.length + 1}`, {displayName: display,
    emails: [{primary: true, type: 'work', value: name.replace('#EXT#', '')}]});
  ids.push(r.body?.id);
}
await entra.patchUser(ids[1], [{op: 'Replace', path: 'active', value: 'False'}]);
await entra.patchUser(ids[0], [{op: 'Add', path: 'roles', value: [{value: '{"id":"1","value":"enterprise_owner","displayName":"Owner"}'}]}]);
const eng = await entra.createGroup('Octo Engineers', 'grp-eng', []);
await entra.patchGroup(eng.body.id, [{op: 'Add', path: 'members', value: ids.slice(0, 3).map((value) => ({value, $ref: null}))}]);
await okta.createUser('okta.user@okta.example', '00ujl29u0le5T6Aj10h7', {displayName: 'Test User', password: '1mz050nq'});
await okta.createGroup('Test SCIMv2', 'okta-grp', []);
await okta.createUser('mona@octo.example', 'dup');          // 409
await okta.get('Users/0');                                   // 404, PingFederate's check
await okta.get('Users?filter=externalId%20eq%20%22ext-1%22'); // 200

const browser = await launchBrowser({viewport: {width: 1280, height: 820}});
const page = await browser.context.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
await page.goto(`${origin}/_emuscim/ui/#token=${encodeURIComponent(adminToken)}&overview`);
await page.locator('#nav').waitFor();

async function shot(hash, file, ready) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await ready();
  await page.waitForTimeout(300);
  await page.screenshot({path: join(out, file)});
  console.log(`wrote docs/dashboard/${file}`);
}

await shot('#/overview', 'overview.png', () => page.locator('.page[data-page="overview"] table').first().waitFor());
await shot('#/users', 'users.png', () => page.locator('tr[data-user-id]').first().waitFor());
await shot('#/groups', 'groups.png', () => page.locator('.page[data-page="groups"] h1').waitFor());
await shot('#/requests', 'requests.png', () => page.locator('table.requests tbody tr').first().waitFor());
const patchRow = page.locator('table.requests tbody tr').filter({hasText: 'PATCH'}).first();
await patchRow.getByRole('button').click();
await page.locator('#request-body').waitFor();
await page.waitForTimeout(300);
await page.screenshot({path: join(out, 'request-detail.png')});
console.log('wrote docs/dashboard/request-detail.png');
await page.keyboard.press('Escape');
await shot('#/audit', 'audit.png', () => page.locator('tr[data-action]').first().waitFor());
await shot('#/controls', 'controls.png', () => page.locator('#latency_ms').waitFor());
await page.setViewportSize({width: 390, height: 760});
await shot('#/requests', 'narrow.png', () => page.locator('table.requests tbody tr').first().waitFor());
await page.evaluate(() => sessionStorage.clear());
await page.goto(`${origin}/_emuscim/ui/`);
await page.setViewportSize({width: 1280, height: 620});
await page.getByLabel('Admin token').waitFor();
await page.screenshot({path: join(out, 'sign-in.png')});
console.log('wrote docs/dashboard/sign-in.png');

await browser.close();
await proxy?.stop();
await server.stop();

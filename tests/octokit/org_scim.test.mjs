// Org-level SCIM driven by GitHub's own generated client: Octokit (@octokit/rest) with
// @octokit/plugin-enterprise-cloud, which carries the six `scim/*` operations of GitHub Enterprise
// Cloud organizations, against the real `emuscim serve` on 127.0.0.1:0 (docs/BEHAVIOUR.md
// "Org-level SCIM"). The cycle: provision (an invitation), list and get, the invitee accepts (the
// admin API stands in for them), set and update, deprovision; cancel an invitation; the audit log.
//
//   node tests/octokit/org_scim.test.mjs        (ctest -L octokit runs this)
//
// Exit 77 (ctest: skipped) with the reason when Node.js is too old, the npm modules are absent
// (npm ci in tests/octokit) or the server binary is missing.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {after, before, test} from 'node:test';
import {fileURLToPath} from 'node:url';

const SKIP = 77;
const here = dirname(fileURLToPath(import.meta.url));
const serverBinary = process.env.EMUSCIM_BINARY || join(resolve(here, '..', '..'), 'build', 'emuscim');
const org = 'octo-org';
const orgToken = 'emu_org_octokit_token_octo_0123456789abcdef';
const adminToken = 'emuscim-octokit-admin-token-0123456789';

async function missingPrerequisite() {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 18) return `Node.js ${process.versions.node} is too old (18 or later is needed)`;
  try {
    await import('@octokit/rest');
    await import('@octokit/plugin-enterprise-cloud');
  } catch {
    return `@octokit/rest or @octokit/plugin-enterprise-cloud is not installed; run npm ci in ${here}`;
  }
  if (!existsSync(serverBinary)) return `the server binary ${serverBinary} is absent; build it first`;
  return null;
}

const missing = await missingPrerequisite();
if (missing) {
  console.log(`SKIP: Octokit org SCIM test not run: ${missing}`);
  process.exit(SKIP);
}
const {Octokit} = await import('@octokit/rest');
const {enterpriseCloud} = await import('@octokit/plugin-enterprise-cloud');
const GitHub = Octokit.plugin(enterpriseCloud);

// `emuscim serve --listen 127.0.0.1:0` on a fresh database with the standalone organization
// octo-org and its owner token; stops with this process.
const dir = mkdtempSync(join(tmpdir(), 'emuscim-octokit-'));
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EMUSCIM_')));
Object.assign(env, {EMUSCIM_ADMIN_TOKEN: adminToken, EMUSCIM_ORG: org, EMUSCIM_ORG_TOKEN: orgToken});
const child = spawn(serverBinary, ['serve', '--listen', '127.0.0.1:0', '--db', join(dir, 'emuscim.db')],
  {env, stdio: ['ignore', 'pipe', 'pipe']});
process.on('exit', () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, {recursive: true, force: true});
});
let log = '';
const origin = await new Promise((resolveOrigin, reject) => {
  const timer = setTimeout(() => reject(new Error(`the server did not start in 15 s:\n${log}`)), 15000);
  const onData = (chunk) => {
    log += chunk.toString();
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
    if (m) {
      clearTimeout(timer);
      resolveOrigin(m[1]);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${log}`)));
});

const github = (auth) => new GitHub({auth, baseUrl: origin, userAgent: 'emuscim-octokit-test', log: {
  debug() {}, info() {}, warn() {}, error() {},
}});
const owner = github(orgToken);

async function admin(method, path, body) {
  const res = await fetch(`${origin}/_emuscim${path}`, {
    method,
    headers: {authorization: `Bearer ${adminToken}`, 'content-type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {status: res.status, body: text ? JSON.parse(text) : null};
}

const person = (userName, extra = {}) => ({
  org,
  userName,
  externalId: `ext-${userName}`,
  name: {givenName: 'Monalisa', familyName: 'Octocat', formatted: 'Monalisa Octocat'},
  emails: [{value: userName, primary: true}],
  ...extra,
});

async function status(promise) {
  try {
    return (await promise).status;
  } catch (e) {
    if (e.status) return e.status;
    throw e;
  }
}

after(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

let mona;        // the SCIM identity
let invitation;  // its pending invitation

before(async () => {
  const r = await owner.scim.provisionAndInviteUser(person('mona.octocat@okta.example.com'));
  assert.equal(r.status, 201);
  mona = r.data;
});

test('provision-and-invite answers a scim-user', () => {
  assert.deepEqual(mona.schemas, ['urn:ietf:params:scim:schemas:core:2.0:User']);
  assert.match(mona.id, /^[0-9a-f-]{36}$/);
  assert.equal(mona.userName, 'mona.octocat@okta.example.com');
  assert.equal(mona.displayName, 'Monalisa Octocat');
  assert.equal(mona.active, true);
  assert.equal(mona.meta.location, `${origin}/scim/v2/organizations/${org}/Users/${mona.id}`);
});

test('list (filters, paging) and get', async () => {
  const byName = await owner.scim.listProvisionedIdentities({org, filter: `userName eq "${mona.userName}"`});
  assert.equal(byName.status, 200);
  assert.equal(byName.data.totalResults, 1);
  assert.equal(byName.data.Resources[0].id, mona.id);
  const byEmail = await owner.scim.listProvisionedIdentities({org, filter: `emails eq "${mona.userName}"`});
  assert.equal(byEmail.data.totalResults, 1);
  const page = await owner.scim.listProvisionedIdentities({org, startIndex: 1, count: 1});
  assert.equal(page.data.itemsPerPage, 1);
  const got = await owner.scim.getProvisioningInformationForUser({org, scim_user_id: mona.id});
  assert.equal(got.status, 200);
  assert.deepEqual(got.data, mona);
  // GitHub's conditional requests: the same ETag is 304 (Octokit raises it as a RequestError).
  assert.match(got.headers.etag, /^W\/".+"$/);
  assert.equal(await status(owner.scim.getProvisioningInformationForUser(
    {org, scim_user_id: mona.id, headers: {'if-none-match': got.headers.etag}})), 304);
});

test('the invitation is pending, and accepting it makes a linked member', async () => {
  const pending = await owner.rest.orgs.listPendingInvitations({org});
  assert.equal(pending.status, 200);
  assert.equal(pending.data.length, 1);
  invitation = pending.data[0];
  assert.equal(invitation.email, mona.userName);
  assert.equal(invitation.invitation_source, 'scim');
  assert.equal(invitation.role, 'direct_member');
  assert.equal(invitation.login, null);
  const accepted = await admin('POST', `/orgs/${org}/invitations/${invitation.id}/accept`, {login: 'monalisa'});
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.equal(accepted.body.scim_user_id, mona.id);
  assert.equal((await owner.rest.orgs.listPendingInvitations({org})).data.length, 0);
  const identities = await admin('GET', `/orgs/${org}/identities`);
  assert.equal(identities.body.identities[0].state, 'linked');
  assert.equal(identities.body.identities[0].login, 'monalisa');
  assert.equal((await admin('GET', `/orgs/${org}`)).body.member_count, 1);
});

test('set (PUT) and update (PATCH)', async () => {
  const put = await owner.scim.setInformationForProvisionedUser({
    scim_user_id: mona.id, ...person(mona.userName, {displayName: 'Mona'}),
  });
  assert.equal(put.status, 200);
  assert.equal(put.data.displayName, 'Mona');
  const patch = await owner.scim.updateAttributeForUser({
    org, scim_user_id: mona.id, Operations: [{op: 'replace', value: {displayName: 'Octocat'}}],
  });
  assert.equal(patch.status, 200);
  assert.equal(patch.data.displayName, 'Octocat');
});

test('errors are RequestErrors with GitHub scim-error bodies', async () => {
  await assert.rejects(owner.scim.provisionAndInviteUser(person(mona.userName)), (e) => {
    assert.equal(e.status, 409);
    assert.equal(e.response.data.scimType, 'uniqueness');
    return true;
  });
  await assert.rejects(owner.scim.getProvisioningInformationForUser({org, scim_user_id: 'no-such-id'}), (e) => {
    assert.equal(e.status, 404);
    assert.deepEqual(e.response.data.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
    return true;
  });
  await assert.rejects(github('not-a-token').scim.listProvisionedIdentities({org}), (e) => e.status === 401);
});

test('deprovision: active false removes the member and deletes the identity', async () => {
  const off = await owner.scim.updateAttributeForUser({
    org, scim_user_id: mona.id, Operations: [{op: 'replace', value: {active: false}}],
  });
  assert.equal(off.status, 200);
  assert.equal(off.data.active, false);
  assert.equal(await status(owner.scim.getProvisioningInformationForUser({org, scim_user_id: mona.id})), 404);
  assert.equal((await admin('GET', `/orgs/${org}`)).body.member_count, 0);
});

test('cancel an invitation, delete an identity', async () => {
  const hubot = (await owner.scim.provisionAndInviteUser(person('hubot@example.com'))).data;
  const [inv] = (await owner.rest.orgs.listPendingInvitations({org})).data;
  assert.equal(inv.email, 'hubot@example.com');
  assert.equal((await owner.rest.orgs.cancelInvitation({org, invitation_id: inv.id})).status, 204);
  assert.equal((await owner.rest.orgs.listPendingInvitations({org})).data.length, 0);
  assert.equal((await owner.scim.getProvisioningInformationForUser({org, scim_user_id: hubot.id})).status, 200);
  assert.equal((await owner.scim.deleteUserFromOrg({org, scim_user_id: hubot.id})).status, 204);
  assert.equal(await status(owner.scim.deleteUserFromOrg({org, scim_user_id: hubot.id})), 404);
});

test("the organization's audit log (GitHub's route, a read:audit_log token)", async () => {
  const minted = await admin('POST', `/orgs/${org}/tokens`, {scopes: ['read:audit_log']});
  assert.equal(minted.status, 201);
  const log = await github(minted.body.token).orgs.getAuditLog({org, per_page: 100});
  assert.equal(log.status, 200);
  const actions = new Set(log.data.map((e) => e.action));
  for (const a of ['external_identity.provision', 'org.invite_member', 'org.add_member', 'org.remove_member',
    'org.cancel_invitation', 'external_identity.deprovision']) {
    assert.ok(actions.has(a), `${a} in ${[...actions].join(', ')}`);
  }
});

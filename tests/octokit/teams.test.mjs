// GitHub's own REST client against the real server: Octokit's teams.*, orgs.* and enterprise-team
// methods (@octokit/rest), the external-group methods of @octokit/plugin-enterprise-cloud, and
// paginate() following emuscim's Link headers.
// Starts `$EMUSCIM_BINARY serve --listen 127.0.0.1:0` itself; exits 0 (pass), 1 (fail) or 77
// (skipped: Node.js too old, modules or binary absent). Everything targets 127.0.0.1 and stops by itself.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.env.EMUSCIM_BINARY || resolve(here, '..', '..', 'build', 'emuscim');
const adminToken = 'emuscim-octokit-admin-0123456789';
const scimToken = 'emu_octokit_scim_token_0123456789abcdef';

function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(77);
}

if (Number(process.versions.node.split('.')[0]) < 18) skip(`Node.js ${process.versions.node} is too old`);
let Octokit, enterpriseCloud;
try {
  ({Octokit} = await import('@octokit/rest'));
  ({enterpriseCloud} = await import('@octokit/plugin-enterprise-cloud'));
} catch {
  skip(`the Octokit modules are not installed: run npm ci in ${here} (scripts/install-deps.sh --with-test-tools)`);
}
if (!existsSync(binary)) skip(`the server binary ${binary} is absent; build it first`);

const dir = mkdtempSync(join(tmpdir(), 'emuscim-octokit-teams-'));
const server = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--db', join(dir, 'emuscim.db')], {
  env: {...process.env, EMUSCIM_ENTERPRISE: 'acme', EMUSCIM_SHORT_CODE: 'acme', EMUSCIM_TOKEN: scimToken,
        EMUSCIM_ADMIN_TOKEN: adminToken, EMUSCIM_ORGS: 'octo-org'},
  stdio: ['ignore', 'pipe', 'pipe'],
});
const watchdog = setTimeout(() => {
  console.error('FAIL: the test took longer than 120 s');
  process.exit(1);
}, 120_000);
process.on('exit', () => {
  clearTimeout(watchdog);
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(dir, {recursive: true, force: true});
});

let log = '';
const base = await new Promise((resolveBase, reject) => {
  const timer = setTimeout(() => reject(new Error(`no "listening on" line within 15 s:\n${log}`)), 15_000);
  const onData = (chunk) => {
    log += chunk;
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
    if (m) {
      clearTimeout(timer);
      resolveBase(m[1]);
    }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${log}`)));
});

async function call(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: {Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'User-Agent': 'octokit-test'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}
const scim = (method, path, body) => call(method, `/scim/v2/enterprises/acme/${path}`, scimToken, body);
async function user(name) {
  const u = await scim('POST', 'Users', {schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name,
                                          externalId: `ext-${name}`, active: true, displayName: name});
  return {id: u.id, login: `${name}_acme`};
}

let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n${e.stack || e}`);
  }
}

const minted = await call('POST', '/_emuscim/enterprises/acme/tokens', adminToken,
                          {scopes: ['admin:org', 'admin:enterprise'], label: 'octokit'});
const GitHub = Octokit.plugin(enterpriseCloud);
const octokit = new GitHub({auth: minted.token, baseUrl: base, userAgent: 'emuscim-octokit-test'});
const org = 'octo-org';

const ann = await user('ann');
const bob = await user('bob');
const cid = await user('cid');
const group = await scim('POST', 'Groups', {schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
                                             displayName: 'Octo Engineers', members: [{value: ann.id}, {value: bob.id}]});

await check('teams.create / getByName / updateInOrg / list / deleteInOrg', async () => {
  const {status, data} = await octokit.rest.teams.create({org, name: 'My TEam Näme', description: 'A great team.'});
  assert.equal(status, 201);
  assert.equal(data.slug, 'my-team-name');
  const got = await octokit.rest.teams.getByName({org, team_slug: 'my-team-name'});
  assert.equal(got.data.id, data.id);
  const updated = await octokit.rest.teams.updateInOrg({org, team_slug: 'my-team-name', name: 'Renamed', privacy: 'closed'});
  assert.equal(updated.data.slug, 'renamed');
  const listed = await octokit.rest.teams.list({org});
  assert.ok(listed.data.some((t) => t.slug === 'renamed'));
  assert.equal((await octokit.rest.teams.deleteInOrg({org, team_slug: 'renamed'})).status, 204);
  await assert.rejects(octokit.rest.teams.getByName({org, team_slug: 'renamed'}), (e) => e.status === 404);
});

await check('teams.addOrUpdateMembershipForUserInOrg / orgs.* membership', async () => {
  await octokit.rest.teams.create({org, name: 'Manual'});
  const put = await octokit.rest.teams.addOrUpdateMembershipForUserInOrg({org, team_slug: 'manual', username: cid.login,
                                                                          role: 'maintainer'});
  assert.deepEqual([put.data.role, put.data.state], ['maintainer', 'active']);
  const got = await octokit.rest.teams.getMembershipForUserInOrg({org, team_slug: 'manual', username: cid.login});
  assert.equal(got.data.role, 'maintainer');
  const members = await octokit.rest.teams.listMembersInOrg({org, team_slug: 'manual'});
  assert.deepEqual(members.data.map((m) => m.login), [cid.login]);
  assert.equal((await octokit.rest.orgs.checkMembershipForUser({org, username: cid.login})).status, 204);
  const membership = await octokit.rest.orgs.getMembershipForUser({org, username: cid.login});
  assert.equal(membership.data.state, 'active');
  assert.equal(membership.data.user.login, cid.login);
  assert.equal((await octokit.rest.teams.removeMembershipForUserInOrg({org, team_slug: 'manual', username: cid.login})).status, 204);
  await assert.rejects(octokit.rest.teams.getMembershipForUserInOrg({org, team_slug: 'manual', username: cid.login}),
                       (e) => e.status === 404);
});

await check('external groups: list, link (reconciles), info, SCIM write follows, unlink', async () => {
  const groups = await octokit.teams.listExternalIdpGroupsForOrg({org, display_name: 'engineers'});
  const g = groups.data.groups.find((x) => x.group_name === 'Octo Engineers');
  assert.ok(g, JSON.stringify(groups.data));
  await octokit.rest.teams.create({org, name: 'Linked'});
  const linked = await octokit.teams.linkExternalIdpGroupToTeamForOrg({org, team_slug: 'linked', group_id: g.group_id});
  assert.equal(linked.data.group_id, g.group_id);
  const members = async () => (await octokit.rest.teams.listMembersInOrg({org, team_slug: 'linked'})).data
      .map((m) => m.login).sort();
  assert.deepEqual(await members(), [ann.login, bob.login]);
  await scim('PATCH', `Groups/${group.id}`, {schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{op: 'remove', path: `members[value eq "${ann.id}"]`}]});
  assert.deepEqual(await members(), [bob.login]);
  const info = await octokit.teams.externalIdpGroupInfoForOrg({org, group_id: g.group_id});
  assert.deepEqual(info.data.teams.map((t) => t.team_name), ['Linked']);
  const forTeam = await octokit.teams.listLinkedExternalIdpGroupsToTeamForOrg({org, team_slug: 'linked'});
  assert.equal(forTeam.data.groups[0].group_id, g.group_id);
  await assert.rejects(octokit.rest.teams.addOrUpdateMembershipForUserInOrg({org, team_slug: 'linked', username: ann.login}),
                       (e) => e.status === 403);
  assert.equal((await octokit.teams.unlinkExternalIdpGroupFromTeamForOrg({org, team_slug: 'linked'})).status, 204);
  assert.deepEqual(await members(), []);
});

await check('paginate() follows Link across teams and members', async () => {
  for (let i = 0; i < 7; i++) await octokit.rest.teams.create({org, name: `Paged ${i}`});
  const all = await octokit.paginate(octokit.rest.teams.list, {org, per_page: 3});
  assert.equal(all.filter((t) => t.slug.startsWith('paged-')).length, 7);
  const members = await octokit.paginate(octokit.rest.orgs.listMembers, {org, per_page: 1});
  assert.ok(members.some((m) => m.login === cid.login), JSON.stringify(members.map((m) => m.login)));
});

await check('enterprise teams, assignments and indirect membership', async () => {
  const created = await octokit.rest.enterpriseTeams.create({enterprise: 'acme', name: 'Justice League', group_id: group.id});
  assert.equal(created.status, 201);
  assert.equal(created.data.slug, 'ent:justice-league');
  assert.equal(created.data.group_id, group.id);
  await octokit.rest.enterpriseTeamOrganizations.add({enterprise: 'acme', 'enterprise-team': 'ent:justice-league', org});
  const assigned = await octokit.rest.enterpriseTeamOrganizations.getAssignments({enterprise: 'acme',
                                                                              'enterprise-team': 'ent:justice-league'});
  assert.deepEqual(assigned.data.map((o) => o.login), [org]);
  const members = await octokit.rest.enterpriseTeamMemberships.list({enterprise: 'acme', 'enterprise-team': 'ent:justice-league'});
  assert.deepEqual(members.data.map((m) => m.login), [bob.login]);
  const membership = await octokit.rest.orgs.getMembershipForUser({org, username: bob.login});
  assert.deepEqual(membership.data.enterprise_teams_providing_indirect_membership, ['ent:justice-league']);
  assert.equal((await octokit.rest.enterpriseTeams.delete({enterprise: 'acme', team_slug: 'ent:justice-league'})).status, 204);
});

server.kill('SIGTERM');
console.log(failed ? `${failed} check(s) failed` : 'all checks passed');
process.exit(failed ? 1 : 0);

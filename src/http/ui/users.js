// Users of the selected enterprise with their GitHub-side state: login (hashed while
// suspended), role, groups, organizations and teams. Searchable.
import {api, enc, optionalApi} from './api.js';
import {badge, h, notice, pageHeader, table} from './dom.js';

const PAGE = 1000;

export async function renderUsers(view, ctx) {
  const slug = ctx.enterprise;
  const search = h('input', {type: 'search', id: 'user-search', placeholder: 'login, userName, externalId, email…',
    autocomplete: 'off', 'aria-describedby': 'user-count'});
  view.append(pageHeader('Users', h('label', {class: 'inline-field', for: 'user-search'}, 'Search', search)));
  if (!slug) return view.append(notice('No enterprise yet.'));

  const count = h('p', {id: 'user-count', class: 'muted', 'aria-live': 'polite'});
  const body = h('div');
  const more = h('button', {type: 'button', class: 'button subtle', hidden: true}, 'Load more');
  view.append(count, body, more);

  const users = [];
  let total = 0;
  let groupNames = new Map();

  async function loadPage() {
    const data = await api(`enterprises/${enc(slug)}/users?startIndex=${users.length + 1}&count=${PAGE}`);
    users.push(...(data.users ?? []));
    total = data.totalResults ?? users.length;
  }

  function matches(u, q) {
    if (!q) return true;
    const hay = [u.login, u.original_login, u.userName, u.externalId, u.displayName, u.email, u.role,
      ...(u.group_ids ?? []).map((id) => groupNames.get(id) ?? id)].join('\n').toLowerCase();
    return hay.includes(q);
  }

  function render() {
    const q = search.value.trim().toLowerCase();
    const shown = users.filter((u) => matches(u, q));
    count.textContent = q
      ? `${shown.length} of ${users.length} loaded users match`
      : `${users.length} of ${total} users`;
    more.hidden = users.length >= total;
    body.replaceChildren(shown.length === 0 ? h('p', {class: 'muted'}, users.length ? 'No user matches.' : 'No user yet.')
      : table(`Users of ${slug}`, [
        {label: 'Login', cell: loginCell},
        {label: 'userName', cell: (u) => h('span', {class: 'wrap'}, u.userName)},
        {label: 'externalId', cell: (u) => h('code', {class: 'wrap'}, u.externalId ?? '')},
        {label: 'Name', cell: (u) => u.displayName ?? ''},
        {label: 'Role', cell: (u) => (u.role ? badge(u.role, u.role === 'enterprise_owner' ? 'accent' : 'neutral') : h('span', {class: 'muted'}, 'none'))},
        {label: 'Groups', cell: (u) => list((u.group_ids ?? []).map((id) => groupNames.get(id) ?? id))},
        {label: 'Organizations & teams', cell: orgsCell},
      ], shown, {rowProps: (u) => ({dataset: {userId: u.id}})}));
  }

  search.addEventListener('input', render);
  more.addEventListener('click', async () => { await loadPage(); render(); });

  body.append(h('p', {class: 'muted'}, 'Loading…'));
  await loadPage();
  const groups = await optionalApi(`enterprises/${enc(slug)}/groups?count=1000`);
  if (groups) groupNames = new Map((groups.groups ?? []).map((g) => [g.id, g.displayName]));
  render();
}

function loginCell(u) {
  return h('div', {class: 'stack'},
    h('code', {}, u.login ?? ''),
    u.suspended ? h('span', {}, badge('suspended', 'warning'), ' ', h('span', {class: 'muted small'}, `was ${u.original_login ?? ''}`)) : null);
}

function orgsCell(u) {
  if (!('organizations' in u) && !('orgs' in u) && !('teams' in u)) return h('span', {class: 'muted', title: 'The admin API does not report organizations yet'}, 'not available');
  const orgs = (u.organizations ?? u.orgs ?? []).map((o) => (typeof o === 'string' ? o : o.login));
  const teams = (u.teams ?? []).map((t) => (typeof t === 'string' ? t : t.org ? `${t.org}/${t.slug}` : t.slug));
  return list([...orgs, ...teams]);
}

function list(items) {
  if (items.length === 0) return h('span', {class: 'muted'}, '—');
  return h('ul', {class: 'plain-list'}, items.map((i) => h('li', {}, i)));
}

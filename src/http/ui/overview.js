// Enterprises and organizations, with their counts.
import {optionalApi} from './api.js';
import {h, pageHeader, table, timeCell, unavailable} from './dom.js';

export async function renderOverview(view, ctx) {
  const refresh = h('button', {type: 'button', class: 'button subtle'}, 'Refresh');
  view.append(pageHeader('Enterprises & organizations', refresh));
  const body = h('div');
  view.append(body);

  async function load() {
    body.replaceChildren(h('p', {class: 'muted'}, 'Loading…'));
    const list = await ctx.reloadEnterprises();
    const orgs = await optionalApi('orgs');
    const totals = list.reduce((t, e) => ({users: t.users + (e.user_count ?? 0), groups: t.groups + (e.group_count ?? 0)}),
      {users: 0, groups: 0});
    body.replaceChildren(
      h('div', {class: 'cards'},
        card('Enterprises', list.length),
        card('Users', totals.users),
        card('Groups', totals.groups),
        card('Organizations', orgs === undefined ? '—' : (orgs.organizations ?? []).length)),
      h('section', {'aria-labelledby': 'enterprises-title'},
        h('h2', {id: 'enterprises-title'}, 'Enterprises'),
        list.length === 0
          ? h('p', {class: 'muted'}, 'No enterprise yet. Create one with emuscim enterprise add or POST /_emuscim/enterprises.')
          : table('Enterprises', [
            {label: 'Slug', cell: (e) => h('a', {href: '#/users', onclick: () => ctx.selectEnterprise(e.slug)}, e.slug)},
            {label: 'Short code', cell: (e) => h('code', {}, e.short_code)},
            {label: 'Users', class: 'num', cell: (e) => String(e.user_count ?? 0)},
            {label: 'Groups', class: 'num', cell: (e) => String(e.group_count ?? 0)},
            {label: 'Created', cell: (e) => timeCell(e.created)},
          ], list)),
      h('section', {'aria-labelledby': 'orgs-title'},
        h('h2', {id: 'orgs-title'}, 'Organizations'),
        orgs === undefined
          ? unavailable('Organizations', 'GET /_emuscim/orgs')
          : (orgs.organizations ?? []).length === 0
            ? h('p', {class: 'muted'}, 'No organization yet.')
            : table('Organizations', [
              {label: 'Login', cell: (o) => o.login},
              {label: 'Enterprise', cell: (o) => o.enterprise ?? '—'},
              {label: 'Members', class: 'num', cell: (o) => String(o.member_count ?? 0)},
              {label: 'Teams', class: 'num', cell: (o) => String(o.team_count ?? 0)},
              {label: 'SCIM', cell: (o) => (o.scim ? 'org SCIM' : '—')},
              {label: 'Created', cell: (o) => timeCell(o.created)},
            ], orgs.organizations)));
  }

  refresh.addEventListener('click', () => load());
  await load();
}

function card(label, value) {
  return h('div', {class: 'card'}, h('div', {class: 'card-value'}, String(value)), h('div', {class: 'card-label'}, label));
}

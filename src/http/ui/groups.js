// Groups of the selected enterprise with their members and linked teams.
import {enc, optionalApi} from './api.js';
import {h, notice, pageHeader, table, timeCell, unavailable} from './dom.js';

const SHOWN_MEMBERS = 25;

export async function renderGroups(view, ctx) {
  const slug = ctx.enterprise;
  const search = h('input', {type: 'search', id: 'group-search', placeholder: 'displayName, externalId, member…', autocomplete: 'off'});
  view.append(pageHeader('Groups', h('label', {class: 'inline-field', for: 'group-search'}, 'Search', search)));
  if (!slug) return view.append(notice('No enterprise yet.'));
  const body = h('div', {}, h('p', {class: 'muted'}, 'Loading…'));
  view.append(body);

  const route = `enterprises/${enc(slug)}/groups?count=1000`;
  const data = await optionalApi(route);
  if (data === undefined) {
    body.replaceChildren(unavailable('Groups', `GET /_emuscim/enterprises/${slug}/groups`),
      h('p', {class: 'muted'}, 'Group counts are on the Enterprises page; SCIM group writes are in the audit log and the live request log.'));
    return;
  }
  const groups = data.groups ?? [];

  function memberName(m) {
    if (typeof m === 'string') return m;
    return m.login ?? m.userName ?? m.display ?? m.id ?? m.value ?? '';
  }
  function matches(g, q) {
    if (!q) return true;
    return [g.displayName, g.externalId, g.id, ...(g.members ?? []).map(memberName)].join('\n').toLowerCase().includes(q);
  }
  function render() {
    const q = search.value.trim().toLowerCase();
    const shown = groups.filter((g) => matches(g, q));
    body.replaceChildren(
      h('p', {class: 'muted', 'aria-live': 'polite'}, `${shown.length} of ${data.totalResults ?? groups.length} groups`),
      shown.length === 0 ? h('p', {class: 'muted'}, groups.length ? 'No group matches.' : 'No group yet.')
        : table(`Groups of ${slug}`, [
          {label: 'displayName', cell: (g) => h('strong', {class: 'wrap'}, g.displayName ?? '')},
          {label: 'externalId', cell: (g) => h('code', {class: 'wrap'}, g.externalId ?? '—')},
          {label: 'Members', cell: membersCell},
          {label: 'Linked teams', cell: teamsCell},
          {label: 'Modified', cell: (g) => timeCell(g.modified ?? g.created)},
        ], shown, {rowProps: (g) => ({dataset: {groupId: g.id}})}));
  }

  function membersCell(g) {
    const members = g.members ?? [];
    const count = g.member_count ?? members.length;
    if (count === 0) return h('span', {class: 'muted'}, 'none');
    const names = members.slice(0, SHOWN_MEMBERS).map(memberName);
    const rest = count - names.length;
    return h('details', {},
      h('summary', {}, `${count} member${count === 1 ? '' : 's'}`),
      h('ul', {class: 'plain-list'}, names.map((n) => h('li', {}, n)), rest > 0 ? h('li', {class: 'muted'}, `and ${rest} more`) : null));
  }

  function teamsCell(g) {
    if (!('teams' in g)) return h('span', {class: 'muted', title: 'The admin API does not report linked teams yet'}, 'not available');
    if (g.teams.length === 0) return h('span', {class: 'muted'}, '—');
    return h('ul', {class: 'plain-list'}, g.teams.map((t) => h('li', {}, typeof t === 'string' ? t : t.org ? `${t.org}/${t.slug}` : t.slug)));
  }

  search.addEventListener('input', render);
  render();
}

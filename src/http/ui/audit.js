// The enterprise's audit log, newest first, with an action filter and paging.
import {api, enc} from './api.js';
import {badge, h, notice, pageHeader, table, timeCell} from './dom.js';

export async function renderAudit(view, ctx) {
  const slug = ctx.enterprise;
  view.append(pageHeader('Audit log'));
  if (!slug) return view.append(notice('No enterprise yet.'));

  const action = h('input', {id: 'audit-action', type: 'search', placeholder: 'external_identity. or user.create', autocomplete: 'off'});
  const form = h('form', {class: 'toolbar', role: 'search'},
    h('label', {class: 'inline-field', for: 'audit-action'}, 'Action', action),
    h('button', {type: 'submit', class: 'button'}, 'Filter'));
  const body = h('div');
  const older = h('button', {type: 'button', class: 'button subtle', hidden: true}, 'Older events');
  view.append(form, body, older);

  let events = [];
  let nextBefore = null;

  async function load(reset) {
    const params = new URLSearchParams({limit: '100'});
    if (action.value.trim()) params.set('action', action.value.trim());
    if (!reset && nextBefore) params.set('before', String(nextBefore));
    const data = await api(`enterprises/${enc(slug)}/audit-log?${params}`);
    events = reset ? (data.events ?? []) : events.concat(data.events ?? []);
    nextBefore = data.next_before ?? null;
    render();
  }

  function render() {
    older.hidden = !nextBefore;
    body.replaceChildren(events.length === 0 ? h('p', {class: 'muted'}, 'No event.')
      : table(`Audit events of ${slug}`, [
        {label: 'Time', cell: (e) => timeCell(e.created)},
        {label: 'Action', cell: (e) => h('code', {}, e.action)},
        {label: 'Result', cell: (e) => (e.success === false ? badge('failure', 'danger') : badge('success', 'success'))},
        {label: 'Resource', cell: (e) => h('code', {class: 'wrap'}, e.resource_id || '—')},
        {label: 'Request', cell: (e) => h('code', {class: 'small'}, e.request_id || '—')},
        {label: 'Data', cell: (e) => h('details', {}, h('summary', {}, 'data'), h('pre', {class: 'code small'}, JSON.stringify(e.data ?? {}, null, 2)))},
      ], events, {rowProps: (e) => ({dataset: {action: e.action}})}));
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(true); });
  older.addEventListener('click', () => load(false));
  body.append(h('p', {class: 'muted'}, 'Loading…'));
  await load(true);
}

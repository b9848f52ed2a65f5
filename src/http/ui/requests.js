// The live request log: a table that streams captured requests (EventSource on
// /_emuscim/requests/stream, or polling where the stream is not available), filters by status,
// client and path, and opens a request with its headers, both bodies, notes, events and a
// "copy as curl" button.
import {api, ApiError, enc, token, url} from './api.js';
import {badge, clear, codeBlock, h, pageHeader, prettyBody, shortTime, statusBadge, timeCell, unavailable} from './dom.js';

const KEEP = 1000;        // rows kept in the page
const PAGE = 1000;        // catch-up page size (the API's maximum)
const POLL_MS = 500;
const CLIENTS = ['entra', 'okta', 'ping', 'octokit', 'unknown'];

export async function renderRequests(view, ctx, openId) {
  const state = badge('connecting', 'neutral');
  state.id = 'stream-state';
  const pause = h('button', {type: 'button', class: 'button subtle', 'aria-pressed': 'false'}, 'Pause');
  const clearButton = h('button', {type: 'button', class: 'button danger'}, 'Clear log');
  view.append(pageHeader('Live request log', h('span', {class: 'header-tools'}, h('span', {class: 'muted small'}, 'Stream: '), state, pause, clearButton)));

  const statusFilter = h('select', {id: 'filter-status'}, h('option', {value: ''}, 'All'),
    ['2xx', '3xx', '4xx', '5xx'].map((s) => h('option', {value: s}, s)));
  const clientFilter = h('select', {id: 'filter-client'}, h('option', {value: ''}, 'All'), CLIENTS.map((c) => h('option', {value: c}, c)));
  const pathFilter = h('input', {id: 'filter-path', type: 'search', placeholder: '/scim/v2/enterprises/acme/Users', autocomplete: 'off'});
  const summary = h('p', {class: 'muted small', 'aria-live': 'off', id: 'request-count'});
  view.append(h('form', {class: 'toolbar', role: 'search', onsubmit: (ev) => ev.preventDefault()},
    h('label', {class: 'inline-field', for: 'filter-status'}, 'Status', statusFilter),
    h('label', {class: 'inline-field', for: 'filter-client'}, 'Client', clientFilter),
    h('label', {class: 'inline-field grow', for: 'filter-path'}, 'Path', pathFilter)), summary);

  const tbody = h('tbody');
  const tableEl = h('div', {class: 'table-wrap'}, h('table', {class: 'requests'},
    h('caption', {class: 'sr-only'}, 'Captured requests, newest first'),
    h('thead', {}, h('tr', {}, [['#', 'opt'], ['Time', 'opt'], ['Method'], ['Path'], ['Status'], ['ms', 'opt'], ['Client'],
      ['Scope', 'opt'], ['Notes', 'opt']].map(([c, cls]) => h('th', {scope: 'col', class: cls}, c)))),
    tbody));
  const empty = h('p', {class: 'muted', id: 'requests-empty'}, 'No request captured yet. Requests to the SCIM and GitHub REST routes appear here as they are served.');
  view.append(empty, tableEl);
  const dialog = detailDialog();
  view.append(dialog.el);

  const entries = [];  // oldest first
  let next = 0;
  let source = null;
  let pollTimer = null;
  let stopped = false;
  let paused = false;

  function passes(e) {
    const s = statusFilter.value;
    if (s && String(e.status)[0] !== s[0]) return false;
    if (clientFilter.value && e.client !== clientFilter.value) return false;
    const p = pathFilter.value.trim();
    if (p && !`${e.path}${e.query ? `?${e.query}` : ''}`.includes(p)) return false;
    return true;
  }

  function row(e) {
    const open = h('button', {type: 'button', class: 'link-button', title: 'Show this request', onclick: () => dialog.open(e.id)},
      e.path, e.query ? h('span', {class: 'muted'}, `?${e.query}`) : null);
    return h('tr', {dataset: {id: String(e.id), status: String(e.status), client: e.client}},
      h('td', {class: 'num muted opt'}, String(e.id)),
      h('td', {class: 'opt'}, h('time', {datetime: e.time, title: e.time}, shortTime(e.time))),
      h('td', {}, h('span', {class: `method method-${e.method.toLowerCase()}`}, e.method)),
      h('td', {class: 'path'}, open),
      h('td', {}, statusBadge(e.status)),
      h('td', {class: 'num opt'}, (e.duration_ms ?? 0).toFixed(1)),
      h('td', {}, badge(e.client, e.client === 'unknown' ? 'neutral' : 'accent')),
      h('td', {class: 'small opt'}, e.enterprise ?? e.org ?? '—'),
      h('td', {class: 'num opt'}, e.notes?.length ? badge(String(e.notes.length), 'info') : ''));
  }

  function counts() {
    const shown = tbody.childElementCount;
    summary.textContent = `${shown} shown of ${entries.length} received`;
    empty.hidden = entries.length > 0;
    tableEl.hidden = entries.length === 0;
  }

  function rerender() {
    clear(tbody);
    for (let i = entries.length - 1; i >= 0; --i) if (passes(entries[i])) tbody.append(row(entries[i]));
    counts();
  }

  function add(list) {
    let added = false;
    for (const e of list) {
      if (e.id <= (entries.at(-1)?.id ?? 0)) continue;
      entries.push(e);
      if (passes(e)) tbody.prepend(row(e));
      added = true;
    }
    if (entries.length > KEEP) {
      entries.splice(0, entries.length - KEEP);
      while (tbody.childElementCount > KEEP) tbody.lastElementChild.remove();
    }
    if (added) counts();
  }

  function setState(text, kind) {
    state.textContent = text;
    state.className = `badge badge-${kind}`;
  }

  async function catchUp() {
    for (;;) {
      const page = await api(`requests?since_id=${next}&limit=${PAGE}`);
      if (stopped) return;
      add(page.requests ?? []);
      next = Math.max(next, page.next_since_id ?? next);
      if ((page.requests ?? []).length < PAGE) return;
    }
  }

  function startPolling() {
    setState('polling', 'neutral');
    const tick = async () => {
      if (stopped || paused) return;
      try {
        await catchUp();
        setState('polling', 'neutral');
      } catch (e) {
        setState('offline', 'danger');
      }
      if (!stopped && !paused) pollTimer = setTimeout(tick, POLL_MS);
    };
    pollTimer = setTimeout(tick, POLL_MS);
  }

  // EventSource cannot send an Authorization header, so the stream (and only the stream) takes
  // the admin token as ?access_token=. A reconnect sends Last-Event-ID, which the server
  // prefers over since_id.
  function startStream() {
    if (typeof EventSource === 'undefined') return startPolling();
    const streamUrl = url(`requests/stream?since_id=${next}&access_token=${enc(token() ?? '')}`);
    let opened = false;
    source = new EventSource(streamUrl);
    source.addEventListener('open', () => { opened = true; setState('live', 'success'); });
    source.addEventListener('request', (ev) => {
      try {
        const e = JSON.parse(ev.data);
        next = Math.max(next, e.id);
        add([e]);
      } catch { /* a malformed event is skipped */ }
    });
    source.addEventListener('error', () => {
      if (stopped) return;
      if (source.readyState === EventSource.CLOSED) {
        // Refused (404 in builds without the stream, 401, …): fall back to polling.
        source.close();
        source = null;
        startPolling();
      } else {
        setState(opened ? 'reconnecting' : 'connecting', 'warning');
      }
    });
  }

  function stopLive() {
    if (source) source.close();
    source = null;
    clearTimeout(pollTimer);
    pollTimer = null;
  }

  async function resume() {
    try {
      await catchUp();
    } catch (e) {
      setState('offline', 'danger');
    }
    if (!stopped && !paused) startStream();
  }

  for (const f of [statusFilter, clientFilter]) f.addEventListener('change', rerender);
  pathFilter.addEventListener('input', rerender);
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    if (paused) {
      stopLive();
      setState('paused', 'neutral');
    } else {
      resume();
    }
  });
  clearButton.addEventListener('click', async () => {
    await api('requests', {method: 'DELETE'});
    entries.length = 0;
    rerender();
  });

  try {
    await catchUp();
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      empty.replaceWith(unavailable('The request log', 'GET /_emuscim/requests'));
      tableEl.hidden = true;
      setState('off', 'neutral');
      return () => {};
    }
    throw e;
  }
  counts();
  if (!stopped) startStream();
  if (openId) dialog.open(Number(openId));

  return () => {
    stopped = true;
    stopLive();
    dialog.close();
  };
}

// The request detail, in a modal <dialog> (focus stays inside, Escape closes it).
function detailDialog() {
  const content = h('div', {class: 'dialog-body'});
  const closeButton = h('button', {type: 'button', class: 'button subtle', 'aria-label': 'Close'}, 'Close');
  const title = h('h2', {id: 'request-title'}, 'Request');
  const el = h('dialog', {class: 'detail', 'aria-labelledby': 'request-title'},
    h('div', {class: 'dialog-header'}, title, closeButton), content);
  closeButton.addEventListener('click', () => el.close());
  el.addEventListener('click', (ev) => { if (ev.target === el) el.close(); });

  async function open(id) {
    clear(content).append(h('p', {class: 'muted'}, 'Loading…'));
    title.textContent = `Request #${id}`;
    if (!el.open) el.showModal();
    let e;
    try {
      e = await api(`requests/${enc(String(id))}`);
    } catch (err) {
      clear(content).append(h('p', {class: 'notice notice-error', role: 'alert'},
        err instanceof ApiError && err.status === 404 ? `Request #${id} is no longer in the log.` : `Could not load it: ${err.message}`));
      return;
    }
    title.textContent = `${e.method} ${e.path}`;
    clear(content).append(
      h('div', {class: 'detail-meta'},
        statusBadge(e.status), ' ', badge(e.client, 'accent'), ' ',
        h('span', {class: 'muted small'}, `#${e.id} · ${(e.duration_ms ?? 0).toFixed(1)} ms · `), timeCell(e.time)),
      h('dl', {class: 'facts'},
        fact('Request id', h('code', {}, e.request_id ?? '')),
        fact('Query', e.query ? h('code', {class: 'wrap'}, e.query) : '—'),
        fact('Enterprise', e.enterprise ?? '—'),
        fact('Organization', e.org ?? '—'),
        fact('User-Agent', e.user_agent ?? '(none)')),
      section('Notes', (e.notes ?? []).length
        ? h('ul', {class: 'notes', id: 'request-notes'}, e.notes.map((n) => h('li', {}, n)))
        : h('p', {class: 'muted', id: 'request-notes'}, 'No notes: nothing was tolerated or decided beyond the rules.')),
      section('Events', (e.events ?? []).length
        ? h('ul', {class: 'plain-list', id: 'request-events'}, e.events.map((a) => h('li', {}, h('code', {}, a))))
        : h('p', {class: 'muted', id: 'request-events'}, 'No audit event.')),
      section('Request', headersTable('Request headers', e.request_headers ?? []),
        bodyBlock(e.request_body, e.request_body_truncated, e.request_body_size, 'request-body', 'Request body')),
      section('Response', headersTable('Response headers', e.response_headers ?? []),
        bodyBlock(e.response_body, e.response_body_truncated, e.response_body_size, 'response-body', 'Response body')),
      curlBlock(e));
  }

  return {el, open, close: () => { if (el.open) el.close(); }};
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function section(label, ...children) {
  const id = `detail-${label.toLowerCase()}`;
  return h('section', {class: 'detail-section', 'aria-labelledby': id}, h('h3', {id}, label), ...children);
}

function headersTable(caption, headers) {
  if (headers.length === 0) return h('p', {class: 'muted small'}, 'No headers.');
  return h('table', {class: 'headers'}, h('caption', {class: 'sr-only'}, caption),
    h('tbody', {}, headers.map(({name, value}) => h('tr', {}, h('th', {scope: 'row'}, name), h('td', {}, value)))));
}

function bodyBlock(text, truncated, size, id, label) {
  if (!text) return h('p', {class: 'muted small', id}, size ? `${label}: ${size} bytes, not kept.` : `${label}: empty.`);
  const block = codeBlock(prettyBody(text), label);
  block.id = id;
  return [truncated ? h('p', {class: 'notice notice-warning small'}, `Truncated: ${text.length} of ${size} bytes kept.`) : null, block];
}

// POSIX shell single quotes: 'it'\''s'.
function shellQuote(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

const SKIPPED_HEADERS = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'transfer-encoding', 'keep-alive']);

export function curlCommand(e, origin = location.origin) {
  const parts = ['curl', '-sS'];
  if (e.method !== 'GET' || e.request_body) parts.push('-X', e.method);
  parts.push(shellQuote(`${origin}${e.path}${e.query ? `?${e.query}` : ''}`));
  for (const {name, value} of e.request_headers ?? []) {
    const lower = name.toLowerCase();
    if (SKIPPED_HEADERS.has(lower)) continue;
    if (lower === 'authorization') parts.push('-H', '"Authorization: Bearer $TOKEN"');
    else parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (e.request_body) parts.push('--data-raw', shellQuote(e.request_body));
  return parts.join(' ');
}

function curlBlock(e) {
  const text = curlCommand(e);
  const status = h('span', {class: 'muted small', role: 'status'});
  const fallback = h('textarea', {class: 'code', rows: '4', readonly: true, 'aria-label': 'curl command', hidden: true});
  fallback.value = text;
  const button = h('button', {type: 'button', class: 'button primary', id: 'copy-curl'}, 'Copy as curl');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = 'Copied. Set TOKEN to an enterprise token first.';
    } catch {
      fallback.hidden = false;
      fallback.select();
      status.textContent = 'Select and copy the command below.';
    }
  });
  return h('div', {class: 'curl'}, button, ' ', status,
    e.request_body_truncated ? h('p', {class: 'notice notice-warning small'}, 'The body was truncated: the command sends only the kept part.') : null,
    fallback);
}

// DOM building without HTML parsing: every value is set as text or as an attribute, so a value
// that came from an IdP (a userName such as <img src=x onerror=alert(1)>) shows as those
// characters and is never interpreted.

// h('a', {href: '#/users', class: 'link'}, 'text', childNode, [more, children])
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// A table with a caption, column headers and one row per item; `columns` are
// {label, cell: item => Node|string, class?}.
export function table(caption, columns, items, {rowProps} = {}) {
  return h('div', {class: 'table-wrap'},
    h('table', {},
      h('caption', {class: 'sr-only'}, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col', class: c.class}, c.label)))),
      h('tbody', {}, items.map((item) =>
        h('tr', rowProps ? rowProps(item) : {}, columns.map((c) => h('td', {class: c.class}, c.cell(item))))))));
}

export function badge(text, kind = 'neutral') {
  return h('span', {class: `badge badge-${kind}`}, text);
}

export function statusBadge(status) {
  const kind = status >= 500 ? 'danger' : status >= 400 ? 'warning' : status >= 300 ? 'neutral' : 'success';
  return badge(String(status), kind);
}

export function notice(text, kind = 'info') {
  return h('p', {class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : null}, text);
}

// "not available" for a view whose admin route this build does not answer yet.
export function unavailable(what, route) {
  return h('div', {class: 'notice notice-muted'},
    h('strong', {}, `${what}: not available`),
    ' — this server does not answer ', h('code', {}, route), ' yet.');
}

export function pageHeader(title, ...extra) {
  return h('div', {class: 'page-header'}, h('h1', {tabindex: '-1'}, title), ...extra);
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, {hour12: false});
}

export function timeCell(iso) {
  return h('time', {datetime: iso, title: iso}, formatTime(iso));
}

export function shortTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

// Pretty-printed JSON when the text is JSON, the text itself otherwise.
export function prettyBody(text) {
  if (!text) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function codeBlock(text, label) {
  return h('pre', {class: 'code', tabindex: '0', 'aria-label': label}, h('code', {}, text));
}

export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

// Boot, sign-in and the page router of the emuscim dashboard (docs/DASHBOARD.md).
import {api, ApiError, setToken, token, whenUnauthorized} from './api.js';
import {announce, clear, h} from './dom.js';
import {renderOverview} from './overview.js';
import {renderUsers} from './users.js';
import {renderGroups} from './groups.js';
import {renderRequests} from './requests.js';
import {renderAudit} from './audit.js';
import {renderControls} from './controls.js';

const ENTERPRISE_KEY = 'emuscim.enterprise';
const pages = {
  overview: {title: 'Enterprises & organizations', render: renderOverview},
  users: {title: 'Users', render: renderUsers},
  groups: {title: 'Groups', render: renderGroups},
  requests: {title: 'Live request log', render: renderRequests},
  audit: {title: 'Audit log', render: renderAudit},
  controls: {title: 'Faults & rate limit', render: renderControls},
};

const $ = (id) => document.getElementById(id);
let cleanup = null;  // the current page's teardown (closes streams, timers)
let enterprises = [];

// The state every page gets.
const context = {
  get enterprise() { return sessionStorage.getItem(ENTERPRISE_KEY) || enterprises[0]?.slug || ''; },
  get enterprises() { return enterprises; },
  selectEnterprise(slug) {
    sessionStorage.setItem(ENTERPRISE_KEY, slug);
    $('enterprise-select').value = slug;
  },
  async reloadEnterprises() {
    const data = await api('enterprises');
    enterprises = data?.enterprises ?? [];
    fillEnterpriseSelect();
    return enterprises;
  },
  navigate(hash) { location.hash = hash; },
};

function fillEnterpriseSelect() {
  const stored = sessionStorage.getItem(ENTERPRISE_KEY);
  if (stored && !enterprises.some((e) => e.slug === stored)) sessionStorage.removeItem(ENTERPRISE_KEY);  // deleted since
  const select = $('enterprise-select');
  clear(select);
  if (enterprises.length === 0) select.append(h('option', {value: ''}, '(none)'));
  for (const e of enterprises) select.append(h('option', {value: e.slug}, e.slug));
  select.value = context.enterprise;
}

// #token=… signs in directly; the fragment never reaches the server. It is removed from the
// address bar (and from history) at once.
function takeTokenFromFragment() {
  const m = /^#token=([^&]*)(?:&(.*))?$/.exec(location.hash);
  if (!m) return;
  setToken(decodeURIComponent(m[1]));
  const rest = m[2] ? `#/${m[2]}` : '#/overview';
  history.replaceState(null, '', `${location.pathname}${location.search}${rest}`);
}

function showSignIn(message) {
  if (cleanup) cleanup();
  cleanup = null;
  clear($('page'));
  $('nav').hidden = true;
  $('session-tools').hidden = true;
  $('sign-in').hidden = false;
  const error = $('sign-in-error');
  error.hidden = !message;
  error.textContent = message ?? '';
  $('token-input').value = '';
  $('token-input').focus();
}

async function signIn(candidate) {
  try {
    await api('enterprises', {tokenOverride: candidate});
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return 'The server refused this token. Use the admin token.';
    if (e instanceof ApiError && e.status === 404) {
      return 'The admin API is off on this server: start it with an admin token (admin_token or EMUSCIM_ADMIN_TOKEN).';
    }
    return `The server could not be reached: ${e.message}`;
  }
  setToken(candidate);
  return null;
}

async function startSession() {
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('session-tools').hidden = false;
  try {
    await context.reloadEnterprises();
  } catch (e) {
    if (!token()) return;  // a 401 signed us out already
    clear($('page')).append(h('p', {class: 'notice notice-error', role: 'alert'}, `Could not load enterprises: ${e.message}`));
    return;
  }
  route();
}

function parseRoute() {
  const m = /^#\/([a-z]+)(?:\/([^?]*))?/.exec(location.hash);
  const name = m && pages[m[1]] ? m[1] : 'overview';
  return {name, arg: m?.[2] ? decodeURIComponent(m[2]) : ''};
}

function route() {
  if (!token()) return showSignIn();
  const {name, arg} = parseRoute();
  const page = pages[name];
  if (cleanup) cleanup();
  cleanup = null;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === name) {
      a.setAttribute('aria-current', 'page');
      $('nav').scrollLeft = a.offsetLeft - 8;  // keeps it in view where the navigation is a scrolling bar
    } else {
      a.removeAttribute('aria-current');
    }
  }
  document.title = `${page.title} · emuscim`;
  const root = clear($('page'));
  const view = h('div', {class: 'page', dataset: {page: name}});
  root.append(view);
  const result = page.render(view, context, arg);
  Promise.resolve(result).then((teardown) => {
    if (typeof teardown === 'function') {
      if (root.contains(view)) cleanup = teardown;
      else teardown();
    }
  }).catch((e) => {
    if (!token()) return;
    view.append(h('p', {class: 'notice notice-error', role: 'alert'}, `This page failed to load: ${e.message}`));
  });
  const heading = view.querySelector('h1');
  if (heading && document.activeElement !== document.body) heading.focus();
  announce(page.title);
}

function boot() {
  takeTokenFromFragment();
  whenUnauthorized(() => {
    setToken(null);
    showSignIn('The admin token was refused (it may have changed). Sign in again.');
  });
  $('sign-in-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = $('token-input').value.trim();
    if (!value) {
      $('sign-in-error').hidden = false;
      $('sign-in-error').textContent = 'Enter the admin token.';
      return;
    }
    const problem = await signIn(value);
    if (problem) return showSignIn(problem);
    startSession();
  });
  $('sign-out').addEventListener('click', () => {
    setToken(null);
    sessionStorage.removeItem(ENTERPRISE_KEY);
    history.replaceState(null, '', `${location.pathname}${location.search}`);
    showSignIn();
  });
  $('enterprise-select').addEventListener('change', (ev) => {
    context.selectEnterprise(ev.target.value);
    route();
  });
  window.addEventListener('hashchange', () => {
    if (/^#token=/.test(location.hash)) {
      takeTokenFromFragment();
      startSession();
      return;
    }
    if (token()) route();
  });
  if (token()) startSession();
  else showSignIn();
}

boot();

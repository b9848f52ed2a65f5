// Fault injection for the selected enterprise and the server-wide rate limit.
import {api, enc} from './api.js';
import {h, notice, pageHeader} from './dom.js';

function field(id, label, input, help) {
  return h('div', {class: 'field'},
    h('label', {for: id}, label),
    input,
    help ? h('p', {class: 'help', id: `${id}-help`}, help) : null);
}

function numberInput(id, value, {min, max, step = '1'}) {
  return h('input', {id, name: id, type: 'number', inputmode: 'decimal', min, max, step, value: String(value ?? 0),
    'aria-describedby': `${id}-help`});
}

function checkbox(id, checked) {
  const box = h('input', {id, name: id, type: 'checkbox'});
  box.checked = Boolean(checked);
  return box;
}

export async function renderControls(view, ctx) {
  const slug = ctx.enterprise;
  view.append(pageHeader('Faults & rate limit'));
  const faultsSection = h('section', {class: 'panel', 'aria-labelledby': 'faults-title'},
    h('h2', {id: 'faults-title'}, `Fault injection${slug ? ` for ${slug}` : ''}`));
  const rateSection = h('section', {class: 'panel', 'aria-labelledby': 'rate-title'}, h('h2', {id: 'rate-title'}, 'Rate limit'));
  view.append(h('div', {class: 'panels'}, faultsSection, rateSection));

  if (slug) await renderFaults(faultsSection, slug);
  else faultsSection.append(notice('No enterprise yet.'));
  await renderRateLimit(rateSection);
}

async function renderFaults(section, slug) {
  const path = `enterprises/${enc(slug)}/faults`;
  const status = h('p', {class: 'status-line', role: 'status'});
  const f = await api(path);
  const inputs = {
    latency_ms: numberInput('latency_ms', f.latency_ms, {min: 0, max: 60000}),
    latency_jitter_ms: numberInput('latency_jitter_ms', f.latency_jitter_ms, {min: 0, max: 60000}),
    error_rate: numberInput('error_rate', f.error_rate, {min: 0, max: 1, step: '0.01'}),
    error_status: h('select', {id: 'error_status', name: 'error_status'}, [500, 502, 503, 504].map((s) => h('option', {value: String(s)}, String(s)))),
    throttle: checkbox('throttle', f.throttle),
    retry_after: numberInput('retry_after', f.retry_after, {min: 1, max: 86400}),
  };
  inputs.error_status.value = String(f.error_status ?? 503);
  const state = () => (f.enabled ? 'Faults are ON for this enterprise.' : 'Faults are off.');
  status.textContent = state();

  const form = h('form', {class: 'form-grid'},
    field('latency_ms', 'Latency (ms)', inputs.latency_ms, 'Added to every SCIM request, 0–60000.'),
    field('latency_jitter_ms', 'Jitter (ms)', inputs.latency_jitter_ms, 'Plus a random 0..jitter ms.'),
    field('error_rate', 'Error rate', inputs.error_rate, 'Share of requests answered with the error status, 0–1.'),
    field('error_status', 'Error status', inputs.error_status),
    h('div', {class: 'field field-check'}, inputs.throttle, h('label', {for: 'throttle'}, 'Throttle: answer every request 429')),
    field('retry_after', 'Retry-After (s)', inputs.retry_after, 'For throttling, 1–86400.'),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'button primary'}, 'Apply faults'),
      h('button', {type: 'button', class: 'button danger', onclick: async () => {
        await api(path, {method: 'DELETE'});
        Object.assign(f, await api(path));
        status.textContent = `Turned off. ${state()}`;
      }}, 'Turn off')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const body = {
        latency_ms: Number(inputs.latency_ms.value),
        latency_jitter_ms: Number(inputs.latency_jitter_ms.value),
        error_rate: Number(inputs.error_rate.value),
        error_status: Number(inputs.error_status.value),
        throttle: inputs.throttle.checked,
        retry_after: Number(inputs.retry_after.value),
      };
      Object.assign(f, await api(path, {method: 'PUT', body}));
      status.textContent = `Saved. ${state()}`;
    } catch (e) {
      status.textContent = `Not saved: ${e.message}`;
    }
  });
  section.append(status, form);
}

async function renderRateLimit(section) {
  const status = h('p', {class: 'status-line', role: 'status'});
  const r = await api('rate-limit');
  const enabled = checkbox('rl_enabled', r.enabled);
  const perHour = numberInput('rl_requests_per_hour', r.requests_per_hour, {min: 1, max: 4294967295});
  const creations = numberInput('rl_user_creations_per_hour', r.user_creations_per_hour, {min: 1, max: 4294967295});
  const state = () => (r.enabled ? 'Enforcing.' : 'Counting only (not enforcing).');
  status.textContent = state();
  const form = h('form', {class: 'form-grid'},
    h('div', {class: 'field field-check'}, enabled, h('label', {for: 'rl_enabled'}, 'Enforce (answer 429 when a budget is spent)')),
    field('rl_requests_per_hour', 'Requests per token per hour', perHour, 'Every SCIM request counts.'),
    field('rl_user_creations_per_hour', 'User creations per enterprise per hour', creations, 'POST /Users only.'),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button primary'}, 'Apply rate limit')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      Object.assign(r, await api('rate-limit', {method: 'PUT', body: {
        enabled: enabled.checked,
        requests_per_hour: Number(perHour.value),
        user_creations_per_hour: Number(creations.value),
      }}));
      status.textContent = `Saved; every window starts afresh. ${state()}`;
    } catch (e) {
      status.textContent = `Not saved: ${e.message}`;
    }
  });
  section.append(status, form);
}

// The admin API client: JSON over fetch with the admin token from sessionStorage.
const TOKEN_KEY = 'emuscim.admin_token';

// The admin API sits one level above the dashboard: /_emuscim/ui/ -> /_emuscim/.
export const apiBase = new URL('../', document.baseURI);

export class ApiError extends Error {
  constructor(status, detail, path) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.path = path;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

export function url(path) {
  return new URL(path.replace(/^\//, ''), apiBase);
}

// Calls the admin API; `path` is relative to /_emuscim/ (e.g. 'enterprises'). Resolves to the
// parsed JSON body (null for 204) or throws ApiError.
export async function api(path, {method = 'GET', body, tokenOverride, signal} = {}) {
  const headers = {Accept: 'application/json'};
  const t = tokenOverride ?? token();
  if (t) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url(path), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
    signal,
  });
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    if (res.status === 401 && tokenOverride === undefined) onUnauthorized();
    throw new ApiError(res.status, data?.detail ?? data?.message ?? text.slice(0, 200), path);
  }
  return data;
}

// Like api(), but a 404 resolves to undefined: for routes this build may not have yet.
export async function optionalApi(path, options) {
  try {
    return await api(path, options);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}

export function enc(s) {
  return encodeURIComponent(s);
}

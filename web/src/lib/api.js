// The API client: JSON over fetch, same-origin cookie session, the CSRF
// header on every write, one error type, and two hooks the app installs:
//  - unauthorized(err): a 401 on any call (session expired / logged out);
//  - reauth(): the CSRF token is missing (new tab) or refused; resolves once
//    the user has signed in again (a new token is then in sessionStorage).

const CSRF_KEY = 'wb.csrf'

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code)
    this.status = status
    this.code = code
    this.field = field || null
  }
}

const hooks = { unauthorized: null, reauth: null }

export function setApiHooks(h) {
  Object.assign(hooks, h)
}

export function getCsrf() {
  try {
    return sessionStorage.getItem(CSRF_KEY) || ''
  } catch {
    return ''
  }
}

export function setCsrf(token) {
  try {
    if (token) sessionStorage.setItem(CSRF_KEY, token)
    else sessionStorage.removeItem(CSRF_KEY)
  } catch {
    /* storage disabled: writes will ask to sign in again */
  }
}

function buildUrl(path, query) {
  let url = '/api/v1' + path
  if (query) {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
    }
    const s = qs.toString()
    if (s) url += '?' + s
  }
  return url
}

async function send(method, path, { body, query, quiet401 = false, retried = false } = {}) {
  const write = method !== 'GET' && method !== 'HEAD'
  const headers = { Accept: 'application/json' }
  const isLogin = path === '/login'
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (write && !isLogin) {
    if (!getCsrf() && hooks.reauth) await hooks.reauth()
    headers['X-CSRF-Token'] = getCsrf()
  }
  let res
  try {
    res = await fetch(buildUrl(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    })
  } catch {
    throw new ApiError(0, 'network', 'network error')
  }
  let data = null
  const text = await res.text()
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (res.ok) return data
  const e = (data && data.error) || {}
  const err = new ApiError(res.status, e.code || 'http_' + res.status, e.message || res.statusText, e.field)
  if (res.status === 401 && !isLogin && !quiet401 && hooks.unauthorized) {
    hooks.unauthorized(err)
  }
  if (res.status === 403 && err.code === 'csrf_failed' && !retried && hooks.reauth) {
    setCsrf('')
    await hooks.reauth()
    return send(method, path, { body, query, quiet401, retried: true })
  }
  throw err
}

export const api = {
  get: (path, query, opts) => send('GET', path, { query, ...opts }),
  post: (path, body, opts) => send('POST', path, { body, ...opts }),
  patch: (path, body, opts) => send('PATCH', path, { body, ...opts }),
}

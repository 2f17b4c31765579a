// The API client: JSON over fetch, same-origin cookie session, the CSRF
// header on every write, one error type, and two hooks the app installs:
//  - unauthorized(err): a 401 on any call (session expired / logged out);
//  - reauth(): the CSRF token is missing (new tab) or refused; resolves once
//    the user has signed in again (a new token is then in sessionStorage).
//    The same when the session has expired (401 session_expired) on a write,
//    or on any call while a page holds unsaved typing (pending(): true): the
//    password is asked in place, the call is sent again and nothing typed is
//    lost; a cancelled sign-in goes on to unauthorized as before.

//
// Every POST carries an Idempotency-Key. A key belongs to one request's
// content (method, path, query and body): sent again with the same content
// after its answer was lost (a dropped connection, a 5xx from a proxy), the
// request carries the same key, so the server replays the first answer
// instead of creating the record twice. Once an answer has come back, the
// next request, even with the same content, gets a new key. The routes
// whose answers hold a generated password refuse a key (NO_KEY).
//
// background: true marks the client's own polling (X-Weibao-Background: 1):
// it does not count as use of the session, so an open tab nobody uses
// still signs out when idle.

const CSRF_KEY = 'wb.csrf'

// POST routes that refuse an Idempotency-Key (their answers are not kept):
// the server's API_NO_REPLAY routes (tests/contract/openapi.test.mjs compares)
export const NO_KEY = [/^\/users$/, /^\/users\/import$/, /^\/users\/[^/]+\/password$/]

// content of a request whose answer has not come back -> its key
const pendingKeys = new Map()
const MAX_PENDING = 100

function newKey() {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

function contentOf(method, url, body, raw) {
  let payload
  if (raw !== undefined) {
    // a file: the same file picked again is the same content
    payload = ['file', raw.name || '', raw.size, raw.type || '', raw.lastModified || 0].join('|')
  } else {
    payload = body === undefined ? '' : JSON.stringify(body)
  }
  return method + ' ' + url + '\n' + payload
}

function keyFor(content) {
  let k = pendingKeys.get(content)
  if (!k) {
    k = newKey()
    if (pendingKeys.size >= MAX_PENDING) pendingKeys.delete(pendingKeys.keys().next().value)
    pendingKeys.set(content, k)
  }
  return k
}

export class ApiError extends Error {
  constructor(status, code, message, field, extra) {
    super(message || code)
    this.status = status
    this.code = code
    this.field = field || null
    // a refused step of the closed loop: the state and the allowed next steps
    this.state = (extra && extra.state) || null
    this.allowed = (extra && Array.isArray(extra.allowed) && extra.allowed) || null
    // a registration that may repeat a child: the one registered, if visible
    this.existingId = (extra && extra.existing_id) || null
  }
}

const hooks = { unauthorized: null, reauth: null, pending: null }

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

// body: a JSON value; raw: a File/Blob sent as it is (uploads), with its type.
// file: answer with {blob, filename, headers} instead of JSON (downloads).
async function send(method, path, { body, raw, query, file = false, quiet401 = false, background = false, retried = false } = {}) {
  const write = method !== 'GET' && method !== 'HEAD'
  const headers = { Accept: file ? '*/*' : 'application/json' }
  const isLogin = path === '/login'
  const url = buildUrl(path, query)
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (raw !== undefined) headers['Content-Type'] = raw.type || 'application/octet-stream'
  if (background) headers['X-Weibao-Background'] = '1'
  if (write && !isLogin) {
    if (!getCsrf() && hooks.reauth) await hooks.reauth()
    headers['X-CSRF-Token'] = getCsrf()
  }
  const content = method === 'POST' && !isLogin && !NO_KEY.some((re) => re.test(path)) ? contentOf(method, url, body, raw) : null
  if (content) headers['Idempotency-Key'] = keyFor(content)
  let res
  try {
    res = await fetch(url, {
      method,
      headers,
      body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    })
  } catch {
    // the request may have reached the server: a retry keeps the key
    throw new ApiError(0, 'network', 'network error')
  }
  // an answer came back: the server has done the write or refused it (a 5xx
  // may come from a proxy that lost the answer: the key is kept for a retry)
  if (content && res.status < 500) pendingKeys.delete(content)
  if (res.ok && file) {
    const blob = await res.blob()
    return { blob, filename: dispositionName(res.headers.get('Content-Disposition')), headers: res.headers }
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
  const err = new ApiError(res.status, e.code || 'http_' + res.status, e.message || res.statusText, e.field, e)
  if (
    res.status === 401 &&
    err.code === 'session_expired' &&
    !isLogin &&
    !quiet401 &&
    !retried &&
    hooks.reauth &&
    (write || (hooks.pending && hooks.pending()))
  ) {
    setCsrf('')
    try {
      await hooks.reauth()
    } catch {
      if (hooks.unauthorized) hooks.unauthorized(err)
      throw err
    }
    return send(method, path, { body, raw, query, file, quiet401, background, retried: true })
  }
  // one login at a time is checked per address (an office behind one NAT
  // address): another one in progress is answered 429 login_busy at once
  if (res.status === 429 && err.code === 'login_busy' && isLogin && (retried || 0) < 5) {
    await new Promise((ok) => setTimeout(ok, 300 + Math.floor(Math.random() * 700)))
    return send(method, path, { body, raw, query, file, quiet401, retried: (retried || 0) + 1 })
  }
  if (res.status === 401 && !isLogin && !quiet401 && hooks.unauthorized) {
    hooks.unauthorized(err)
  }
  if (res.status === 403 && err.code === 'password_change_required' && hooks.passwordChange) hooks.passwordChange()
  if (res.status === 403 && err.code === 'csrf_failed' && !retried && hooks.reauth) {
    setCsrf('')
    await hooks.reauth()
    return send(method, path, { body, raw, query, file, quiet401, background, retried: true })
  }
  throw err
}

// The file name of a Content-Disposition header (filename*= first).
function dispositionName(h) {
  if (!h) return ''
  const star = h.match(/filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      /* fall through */
    }
  }
  const plain = h.match(/filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i)
  return plain ? (plain[1] || plain[2] || '').trim() : ''
}

// The extension a file of these types is saved with, whatever its name says.
const TYPE_EXT = { 'image/png': 'png', 'image/jpeg': 'jpg', 'application/pdf': 'pdf' }

// A name to save a file under: without control and format characters (a
// right-to-left override shows "gnp.html" as "lmth.png"), and for an image
// or a PDF ending in its type's extension, so that it never opens as a page.
export function safeFileName(name, type) {
  let n = String(name || '').replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '').trim()
  const ext = TYPE_EXT[String(type || '').split(';')[0].trim().toLowerCase()]
  if (ext && n && !n.toLowerCase().endsWith('.' + ext)) n = n.replace(/\.[A-Za-z0-9]{1,10}$/, '') + '.' + ext
  return n
}

// Hands a downloaded file to the browser as a download (a blob: link; the
// page stays where it is, and an error answer never replaces the page).
export function saveFile({ blob, filename }, fallback = 'download') {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = safeFileName(filename || fallback, blob.type) || fallback
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 30000)
}

export const api = {
  get: (path, query, opts) => send('GET', path, { query, ...opts }),
  post: (path, body, opts) => send('POST', path, { body, ...opts }),
  patch: (path, body, opts) => send('PATCH', path, { body, ...opts }),
  put: (path, body, opts) => send('PUT', path, { body, ...opts }),
  del: (path, opts) => send('DELETE', path, { ...opts }),
  // a file as the request body (CSV or XLSX), with query parameters
  upload: (path, file, query, opts) => send('POST', path, { raw: file, query, ...opts }),
  // a file as the answer: {blob, filename, headers}
  fetchFile: (path, query, opts) => send('GET', path, { query, file: true, ...opts }),
}

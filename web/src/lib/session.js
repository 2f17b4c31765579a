// Who is signed in. The session itself is an HttpOnly cookie the page cannot
// read; the CSRF token lives in sessionStorage (per tab). A non-secret hint
// in localStorage ("a session probably exists") lets a fresh tab ask /me
// without a pointless 401 when nobody is signed in.
import { reactive } from 'vue'
import { api, setCsrf, ApiError } from './api.js'

const HINT_KEY = 'wb.signed-in'

export const session = reactive({
  me: null, // the /api/v1/me answer
  username: '', // for re-authentication
})

function setHint(on) {
  try {
    if (on) localStorage.setItem(HINT_KEY, '1')
    else localStorage.removeItem(HINT_KEY)
  } catch {
    /* ignore */
  }
}

function hasHint() {
  try {
    return localStorage.getItem(HINT_KEY) === '1'
  } catch {
    return true
  }
}

export async function loadMe() {
  const me = await api.get('/me', undefined, { quiet401: true })
  session.me = me
  session.username = me.user.username
  return me
}

// Returns the current user, asking the server once per page load.
let pending = null
export async function ensureSession() {
  if (session.me) return session.me
  if (!hasHint()) return null
  if (!pending) {
    pending = loadMe()
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) {
          forget()
          return null
        }
        throw e
      })
      .finally(() => {
        pending = null
      })
  }
  return pending
}

export async function login(username, password, membershipId) {
  const body = { username, password }
  if (membershipId) body.membership_id = membershipId
  const r = await api.post('/login', body)
  setCsrf(r.csrf_token)
  setHint(true)
  session.username = r.user.username
  await loadMe()
  return r
}

// Ends the session on the server, runs leave() (navigation away from the
// signed-in pages), then forgets the user, so no page renders without one.
export async function logout(leave) {
  try {
    await api.post('/logout', {}, { quiet401: true })
  } catch {
    /* the session may already be gone */
  }
  if (leave) await leave()
  forget()
}

export function forget() {
  session.me = null
  setCsrf('')
  setHint(false)
}

export function role() {
  return session.me ? session.me.membership.role : ''
}

// Webhooks (消息推送): what the page needs to speak of them — the delivery
// states, the owner of a webhook as a key and in words, the checks the
// server makes on an address and a secret (src/api/inbox.c), and a strong
// random secret made in the browser.
import { k } from '../i18n.js'

export const DELIVERY_STATE = {
  pending: k('webhooks.state_pending'),
  delivered: k('webhooks.state_delivered'),
  failed: k('webhooks.state_failed'),
}
// the Element Plus tag type of each state
export const STATE_TAG = { pending: 'warning', delivered: 'success', failed: 'danger' }

// the filter chips of the delivery log, "all" first
export const STATE_CHIPS = [
  { key: 'all', label: k('webhooks.state_all') },
  { key: 'pending', label: DELIVERY_STATE.pending },
  { key: 'delivered', label: DELIVERY_STATE.delivered },
  { key: 'failed', label: DELIVERY_STATE.failed },
]

// the kind of owner in words
export const OWNER_KIND = {
  county: k('webhooks.kind_county'),
  township: k('webhooks.kind_township'),
  department: k('webhooks.kind_department'),
  org: k('webhooks.kind_org'),
  school: k('webhooks.kind_school'),
  unit: k('webhooks.kind_unit'),
}

// "area:370831", "unit:4": one webhook per owner
export const ownerKey = (o) => (o && o.kind === 'unit' ? `unit:${o.unit_id}` : `area:${o ? o.area_code : ''}`)

// The body's owner field of a key.
export function ownerBody(key) {
  const [kind, id] = String(key).split(':')
  return kind === 'unit' ? { unit_id: Number(id) } : { area_code: id }
}

// An http:// or https:// address without spaces or other than printable
// ASCII, as the server takes it (at most 500 characters).
export function urlOk(u) {
  return typeof u === 'string' && u.length > 8 && u.length <= 500 && /^https?:\/\/[\x21-\x7e]+$/.test(u)
}

export const SECRET_MIN = 16
export const SECRET_MAX = 64
const SECRET_RE = /^[A-Za-z0-9\-_.~+/=]{16,64}$/
export const secretOk = (s) => SECRET_RE.test(s)

// 32 random bytes as base64url (43 letters, digits, - and _).
export function newSecret() {
  const bytes = new Uint8Array(32)
  crypto.getRandomValues(bytes)
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

// The inbox's unread count for the bell: asked every 30 s while someone is
// signed in and the tab is visible, and again right after a step. The poll
// is background work (X-Weibao-Background): it does not keep the session
// alive, and once the session has expired its 401 goes to the login page
// like any other.
import { reactive } from 'vue'
import { api } from './api.js'

export const inbox = reactive({ unread: null })
let timer = null

export async function refreshInbox() {
  try {
    const r = await api.get('/inbox', { limit: 1 }, { background: true })
    inbox.unread = r.unread
  } catch {
    /* the bell keeps its last count */
  }
}

export function startInbox() {
  if (timer) return
  refreshInbox()
  timer = setInterval(() => {
    if (typeof document === 'undefined' || document.visibilityState !== 'hidden') refreshInbox()
  }, 30000)
}

export function stopInbox() {
  if (timer) clearInterval(timer)
  timer = null
  inbox.unread = null
}

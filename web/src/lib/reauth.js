// Signing in again without leaving the page: a write needs the CSRF token,
// which lives in sessionStorage and so is missing in a new tab (or was
// refused). The dialog (components/ReauthDialog.vue) asks for the password
// and resolves the pending write, which is then sent.
import { reactive } from 'vue'
import { ApiError } from './api.js'

export const reauth = reactive({ open: false })
let waiting = null

export function requestReauth() {
  if (!waiting) {
    let resolve, reject
    const p = new Promise((res, rej) => {
      resolve = res
      reject = rej
    })
    waiting = { p, resolve, reject }
    reauth.open = true
  }
  return waiting.p
}

export function reauthDone() {
  const w = waiting
  waiting = null
  reauth.open = false
  if (w) w.resolve()
}

export function reauthCancel() {
  const w = waiting
  waiting = null
  reauth.open = false
  if (w) w.reject(new ApiError(0, 'reauth_cancelled', 'sign-in cancelled'))
}

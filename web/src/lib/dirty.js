// Typed work is not thrown away unasked. A form says what it holds (a
// getter of its values); once what it holds differs from what it started
// with, it is dirty until it is saved or its baseline is taken again.
//  - useDirtyDialog: for a dialog holding a form. Its el-dialog gets
//    :close-on-click-modal="false" (a tap on the dimmed area does nothing)
//    and :before-close="beforeClose" (Esc or ✕ on a dirty form asks
//    放弃未保存的内容？ first); its Cancel button calls cancel(). Leaving
//    the page while it is open and dirty (a link, the phone's back) asks
//    the same, and a reload or closing the tab makes the browser warn.
//  - useDirtyPage: for a page holding a form. Leaving it (a link, the logo,
//    back) asks first, and a reload or closing the tab makes the browser
//    warn (beforeunload). Signing out asks too (AppShell: anyDirty()).
// While any form is dirty, anyDirty() says so: the API client then asks for
// the password in place when the session has expired, rather than sending
// the user to the login page (lib/api.js).
import { computed, getCurrentInstance, nextTick, onBeforeUnmount, onMounted, ref, unref, watch } from 'vue'
import { onBeforeRouteLeave } from 'vue-router'
import { ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message-box/style/css'
import { i18n } from '../i18n.js'

// the forms in view: each a getter of whether it is dirty
const forms = new Set()

export function anyDirty() {
  for (const f of forms) if (f()) return true
  return false
}

const snapshot = (v) => {
  try {
    return JSON.stringify(unref(v))
  } catch {
    return ''
  }
}

// Asks whether to discard what was typed: resolves true to discard.
export async function confirmDiscard() {
  const t = i18n.global.t
  try {
    await ElMessageBox.confirm(t('dirty.text'), t('dirty.title'), {
      confirmButtonText: t('dirty.discard'),
      cancelButtonText: t('dirty.stay'),
      type: 'warning',
      customClass: 'dirty-confirm',
      // a stray tap outside is no answer
      closeOnClickModal: false,
    })
    return true
  } catch {
    return false
  }
}

// values: a getter of what the form holds; gate: when it counts at all.
// Returns dirty (a computed), reset() (takes the current values as the
// baseline: on opening, after loading, after saving) and release() (after
// the user chose to discard: clean until the next reset).
function track(values, gate) {
  const base = ref(snapshot(values()))
  const released = ref(false)
  const dirty = computed(() => !released.value && !!gate() && snapshot(values()) !== base.value)
  const check = () => dirty.value
  forms.add(check)
  if (getCurrentInstance()) onBeforeUnmount(() => forms.delete(check))
  function reset() {
    base.value = snapshot(values())
    released.value = false
  }
  function release() {
    released.value = true
  }
  return { dirty, reset, release }
}

// A dialog's form. open: a getter of whether the dialog is open (a closed
// dialog counts as clean); close: closes it (emit('update:open', false)).
export function useDirtyDialog({ values, open, close }) {
  const tr = track(values, open)
  const dirty = tr.dirty
  // the baseline is what the dialog shows once it has opened (after its
  // own watcher filled the form in); a dialog that loads more calls reset()
  watch(open, (o) => o && nextTick(tr.reset), { flush: 'post', immediate: true })
  async function beforeClose(done) {
    if (dirty.value && !(await confirmDiscard())) return
    tr.release()
    done()
  }
  async function cancel() {
    if (dirty.value && !(await confirmDiscard())) return
    tr.release()
    close()
  }
  // leaving the page under an open dirty dialog (outside a routed page,
  // e.g. in the app's shell, there is no route to guard)
  if (getCurrentInstance()) {
    guardLeaving(dirty, () => {
      tr.release()
      close()
    })
    // the browser warns on a reload only while there is something to lose
    const onUnload = unloadWarning(dirty)
    watch(dirty, (d) => {
      if (d) window.addEventListener('beforeunload', onUnload)
      else window.removeEventListener('beforeunload', onUnload)
    })
    onBeforeUnmount(() => window.removeEventListener('beforeunload', onUnload))
  }
  return { dirty, reset: tr.reset, beforeClose, cancel }
}

// Asks before the route is left while dirty; discard() runs when the user
// chose to leave and give up the changes.
function guardLeaving(dirty, discard) {
  onBeforeRouteLeave(async (to) => {
    if (!dirty.value) return true
    // the session has ended and the user chose the login page
    if (to.name === 'login' && to.query.reason) return true
    const ok = await confirmDiscard()
    if (ok) discard()
    return ok
  })
}

// A beforeunload listener that has the browser warn while dirty.
function unloadWarning(dirty) {
  return (e) => {
    if (!dirty.value) return
    e.preventDefault()
    e.returnValue = ''
  }
}

// A page's form. when (optional): a getter of whether the form is in use
// (e.g. loaded). After a successful save, call reset() before navigating;
// when the user has chosen to leave the typed form (e.g. to open the child
// already registered), release() before navigating. discarded (optional):
// called when the user chose to leave and give up the changes (e.g. to drop
// a draft kept in the tab).
export function useDirtyPage({ values, when = () => true, discarded = null }) {
  const tr = track(values, when)
  const dirty = tr.dirty
  guardLeaving(dirty, () => {
    tr.release()
    if (discarded) discarded()
  })
  const onUnload = unloadWarning(dirty)
  onMounted(() => window.addEventListener('beforeunload', onUnload))
  onBeforeUnmount(() => window.removeEventListener('beforeunload', onUnload))
  return { dirty, reset: tr.reset, release: tr.release }
}

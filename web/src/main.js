import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router.js'
import { i18n } from './i18n.js'
import { setApiHooks } from './lib/api.js'
import { forget } from './lib/session.js'
import { requestReauth } from './lib/reauth.js'
import { anyDirty } from './lib/dirty.js'
import 'element-plus/theme-chalk/base.css'
import './styles.css'

setApiHooks({
  // Any 401 (expired, signed out elsewhere, locked): back to the login page,
  // which returns here afterwards.
  unauthorized(err) {
    const cur = router.currentRoute.value
    if (cur.name === 'login') return forget()
    router.replace({ name: 'login', query: { next: cur.fullPath, reason: err.code } }).finally(forget)
  },
  reauth: requestReauth,
  // a page or dialog holds unsaved typing: an expired session is renewed in place
  pending: anyDirty,
  // the account's password was set by an administrator: it is changed first
  passwordChange() {
    const cur = router.currentRoute.value
    if (cur.name !== 'password') router.replace({ name: 'password', query: { forced: '1', next: cur.fullPath } })
  },
})

createApp(App).use(i18n).use(router).mount('#app')

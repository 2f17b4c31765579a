// vue-i18n with messages precompiled at build time (runtime-only build:
// no message compiler in the browser, nothing that needs eval under CSP).
// zh-CN is the default; the choice is remembered in localStorage.
import { createI18n } from 'vue-i18n'
import zhCN from './locales/zh-CN.json'
import en from './locales/en.json'

const KEY = 'wb.locale'
export const LOCALES = ['zh-CN', 'en']

function saved() {
  try {
    const v = localStorage.getItem(KEY)
    return LOCALES.includes(v) ? v : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: saved(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
})

export function setLocale(loc) {
  if (!LOCALES.includes(loc)) return
  i18n.global.locale.value = loc
  document.documentElement.lang = loc
  try {
    localStorage.setItem(KEY, loc)
  } catch {
    /* not remembered */
  }
}

// Marks a string as a catalogue key where it is stored rather than
// translated on the spot; scripts/check-i18n.mjs collects these too.
export const k = (key) => key

document.documentElement.lang = i18n.global.locale.value

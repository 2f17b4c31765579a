// The township a county-wide page (the monthly report, the trends) is
// narrowed to: in the URL (?township=, nine digits), the county's roles
// pick it from their townships; the others see their own place.
import { computed, ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { session } from './session.js'
import { childrenOf } from './areas.js'

export function useTownshipQuery() {
  const route = useRoute()
  const router = useRouter()
  const str = (v) => (typeof v === 'string' ? v : '')
  const township = computed(() => (/^\d{9}$/.test(str(route.query.township)) ? str(route.query.township) : ''))
  const me = computed(() => session.me)
  const myArea = computed(() => me.value?.membership.area_code || '')
  const countyWide = computed(() => myArea.value.length === 6)
  const townships = ref([])
  // the picked township's name, once the picker has them
  const townshipName = computed(() => townships.value.find((a) => a.code === township.value)?.name || '')

  function setQuery(q) {
    router.replace({ query: { ...route.query, ...q } })
  }
  function onTownship(code) {
    setQuery({ township: code || undefined })
  }
  // the county's roles get the picker; the page still works without it
  async function loadTownships() {
    if (!countyWide.value) return
    try {
      townships.value = await childrenOf(myArea.value)
    } catch {
      /* no picker */
    }
  }
  return { str, township, me, countyWide, townships, townshipName, setQuery, onTownship, loadTownships }
}

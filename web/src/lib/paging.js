// Cursor paging of a list: the cursor of every page visited (the last one
// is the current page's), the next page's cursor from the last answer, and
// answers to requests that a later one superseded dropped.
//
// load(cursor, current) fetches one page (cursor undefined: the first),
// shows it unless current() has become false, handles its own errors and
// resolves to the next page's cursor (null: no next page).
//
// start: the cursors of a list opened at a later page (from its address);
// an earlier page's cursor not known is undefined, and 上一页 to it goes to
// the first page.
import { computed, ref } from 'vue'

export function useCursorPages(load, start = [null]) {
  const cursors = ref(start.length ? start : [null])
  const nextCursor = ref(null)
  const loading = ref(false)
  const page = computed(() => cursors.value.length)
  let generation = 0

  async function fetchPage() {
    const gen = ++generation
    const current = () => gen === generation
    loading.value = true
    try {
      const next = await load(cursors.value[cursors.value.length - 1] || undefined, current)
      if (current()) nextCursor.value = next ?? null
    } finally {
      if (current()) loading.value = false
    }
  }
  function firstPage() {
    cursors.value = [null]
    return fetchPage()
  }
  function nextPage() {
    if (!nextCursor.value) return
    cursors.value = cursors.value.concat([nextCursor.value])
    return fetchPage()
  }
  function prevPage() {
    if (cursors.value.length < 2) return
    cursors.value = cursors.value.slice(0, -1)
    if (cursors.value[cursors.value.length - 1] === undefined) return firstPage()
    return fetchPage()
  }
  // no page: a request still under way is dropped
  function clear() {
    generation++
    cursors.value = [null]
    nextCursor.value = null
    loading.value = false
  }
  // the pages as they were (a list kept while the user looked at an item)
  function restore(kept, next) {
    cursors.value = kept.slice()
    nextCursor.value = next ?? null
  }
  return { page, cursors, nextCursor, loading, fetchPage, firstPage, nextPage, prevPage, clear, restore }
}

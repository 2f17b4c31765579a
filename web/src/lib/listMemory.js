// The lists a page keeps while the app runs, so that "back" from an item
// shows the same rows as before (with the pages loaded by 加载更多) rather
// than the first page again. One list per page name: the last one left,
// under its key (the user and the list's filter).
const kept = new Map()

export function keepList(page, key, data) {
  kept.set(page, { key, data })
}

// The data kept for page under key, or null.
export function keptList(page, key) {
  const k = kept.get(page)
  return k && k.key === key ? k.data : null
}

// Where the window was scrolled on a list's address when the user opened an
// item from it: the router's scrollBehavior puts it back when the item's
// "返回列表" link (a new history entry, no saved position) leads there.
const scrolls = new Map()

export function keepScroll(path, top) {
  scrolls.clear()
  scrolls.set(path, top)
}

export function keptScroll(path) {
  return scrolls.has(path) ? scrolls.get(path) : null
}

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

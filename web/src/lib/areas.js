// Names of areas and schools, fetched once per parent and cached for the
// page's lifetime. Lists of children carry only codes; the UI shows names.
import { reactive } from 'vue'
import { api } from './api.js'

const names = reactive({}) // code -> name
const byParent = new Map() // parent code -> Promise<items>
let schools = null // Promise<items>
const schoolNames = reactive({}) // id -> name

export function childrenOf(parent) {
  if (!byParent.has(parent)) {
    const p = api
      .get('/areas', { parent, limit: 1000 })
      .then((r) => {
        for (const a of r.items) names[a.code] = a.name
        return r.items
      })
      .catch((e) => {
        byParent.delete(parent)
        throw e
      })
    byParent.set(parent, p)
  }
  return byParent.get(parent)
}

export async function loadArea(code) {
  if (names[code]) return { code, name: names[code] }
  const a = await api.get('/areas/' + encodeURIComponent(code))
  names[a.code] = a.name
  return a
}

// Makes sure the names of these village/grid/township codes are known:
// one request per parent, whatever the number of codes.
export async function ensureNames(codes) {
  const parents = new Set()
  for (const c of codes) {
    if (!c || names[c]) continue
    if (c.length === 15) parents.add(c.slice(0, 12))
    else if (c.length === 12) parents.add(c.slice(0, 9))
    else if (c.length === 9) parents.add(c.slice(0, 6))
  }
  await Promise.all([...parents].map((p) => childrenOf(p).catch(() => [])))
}

// A name the server gave with a record (a child's household-registration
// area, which may lie in another county whose areas the caller cannot list).
export function rememberName(code, name) {
  if (code && name && !names[code]) names[code] = name
}

export function areaName(code) {
  return (code && names[code]) || ''
}

export function loadSchools() {
  if (!schools) {
    schools = api
      .get('/units', { kind: 'school' })
      .then((r) => {
        for (const u of r.items) schoolNames[u.id] = u.name
        return r.items
      })
      .catch((e) => {
        schools = null
        throw e
      })
  }
  return schools
}

export function schoolName(id) {
  return (id && schoolNames[id]) || ''
}

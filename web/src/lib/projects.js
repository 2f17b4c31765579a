// Charity projects (公益项目, 社会参与, SPEC §7): the vocabularies of
// projects, their status moves and money, and the server's size rules.
// Values are what the API speaks (docs/openapi.yaml, /api/v1/projects);
// labels come from the catalogues.
import { k } from '../i18n.js'

export const KIND = {
  hope_room: k('proj.kind_hope_room'),
  one_plus_n: k('proj.kind_one_plus_n'),
  service: k('proj.kind_service'),
  fundraising: k('proj.kind_fundraising'),
}

export const STATUS = {
  planned: k('proj.status_planned'),
  active: k('proj.status_active'),
  done: k('proj.status_done'),
  cancelled: k('proj.status_cancelled'),
}
// a hope room is built: 在建 while active, 建成 when done
const HOPE_STATUS = { ...STATUS, active: k('proj.status_building'), done: k('proj.status_built') }

// The status of a project of this kind in words.
export function statusText(t, kind, status) {
  const map = kind === 'hope_room' ? HOPE_STATUS : STATUS
  return map[status] ? t(map[status]) : status || ''
}

// The moves the server allows from a status: planned → active → done, or
// cancelled before done.
export const NEXT = {
  planned: ['active', 'cancelled'],
  active: ['done', 'cancelled'],
  done: [],
  cancelled: [],
}
// the button of a move (a hope room is built, other projects carried out)
const MOVE = { active: k('proj.move_active'), done: k('proj.move_done'), cancelled: k('proj.move_cancelled') }
const HOPE_MOVE = { ...MOVE, active: k('proj.move_build'), done: k('proj.move_built') }
export function moveText(t, kind, to) {
  const map = kind === 'hope_room' ? HOPE_MOVE : MOVE
  return map[to] ? t(map[to]) : to
}

// A hope room and a 1 + N plan serve one child, and start only with it.
export const oneChild = (kind) => kind === 'hope_room' || kind === 'one_plus_n'
// Children are added and removed while a project is planned or under way.
export const open = (status) => status === 'planned' || status === 'active'

export const FUND_KIND = { donation: k('proj.fund_donation'), spending: k('proj.fund_spending') }

// the server's limits, in characters
export const NAME_MAX = 64
export const DESCRIPTION_MAX = 600
export const DONOR_MAX = 64
export const PARTY_MAX = 64
export const FUND_NOTE_MAX = 200
export const SERVICES_MAX = 600
export const REASON_MAX = 200
// a note of a status move (the server takes more; a line of the log)
export const MOVE_NOTE_MAX = 200
// the largest amount the form takes: 100 000 000 yuan
export const PROJECT_AMOUNT_MAX_CENTS = 10000000000

// What each role gets in the UI. The server enforces access; this only
// decides which pages and menu entries make sense for a role.
import { k } from '../i18n.js'

// Where each role's membership sits: an area level, or a kind of unit
// (the server's role table, src/domain/roles.c).
export const ROLE_PLACE = {
  committee: 'county',
  center: 'county',
  auditor: 'county',
  admin: 'county',
  supervisor: 'township',
  station: 'township',
  director: 'village',
  grid: 'grid',
  department: 'department',
  org: 'org',
  school: 'school',
}

export const FIELD_ROLES = ['director', 'grid', 'supervisor', 'station', 'school']
// the roles that decide on categories and keep the registry desk (the
// server's confirm_categories / export_children; /me does not list those
// two permissions, so the UI goes by the role)
const DESK_ROLES = ['center', 'station', 'supervisor']
// the roles that keep visits and the visit plan (the server's can_visit:
// children seen by place or by school; a referral grants no visits)
const VISIT_ROLES = ['center', 'supervisor', 'station', 'director', 'grid', 'school']
// the roles that download the list of help requests (the server's
// export_children: a school files requests but exports no list)
const REQUEST_EXPORT_ROLES = ['center', 'supervisor', 'station', 'director', 'grid']
// the villages' scorecard (儿童主任考核): the county's or the township's,
// by which the township assesses its child directors — and a child
// director's own village, with the supervisor's review of the director
const SCORE_ROLES = ['center', 'supervisor', 'station', 'director']
// the roles that oversee where the county or a township stands (SPEC §8:
// GET /api/v1/overview, counts only): the committee and the centre see the
// county, a township's supervisor and station their township
const OVERVIEW_ROLES = ['committee', 'center', 'supervisor', 'station']
// entitlements (应享尽享, SPEC §6): who is entitled and does not receive,
// who receives and is no longer entitled, for the county, a township or a
// village; the township and the county record and end receipts, download
// the lists and keep the monthly ledger; the centre writes the policies
const ENT_ROLES = ['center', 'supervisor', 'station', 'director']
const ENT_WRITE_ROLES = ['center', 'supervisor', 'station']
// the policies are read by every role with entitlements, and by the
// committee and the departments (who pay the benefits), read-only
const POLICY_READERS = ['committee', 'department']
// charity projects (公益项目, SPEC §7): the committee and the centre follow
// every project, a township those of its area or serving its children, an
// organisation its own. The centre and the organisation running a project
// keep it (facts, status, money); the centre and the townships choose the
// children it serves. The committee sees no names; an organisation sees
// the names of its children but opens no child's file.
const PROJECT_ROLES = ['committee', 'center', 'supervisor', 'station', 'org']
const PROJECT_CHILD_ROLES = ['center', 'supervisor', 'station']
// a child's projects are read with the child's file (child.projects)
const CHILD_PROJECT_ROLES = ['center', 'supervisor', 'station', 'director', 'grid', 'school']
// supporting programmes (帮扶项目, SPEC §7: returning entrepreneurs and
// rural-revitalisation partners): the committee and the centre follow the
// county's, a township's supervisor and station their township's; all but
// the committee keep them and record the parents who came home
const PROGRAMME_ROLES = ['committee', 'center', 'supervisor', 'station']
const PROGRAMME_WRITE_ROLES = ['center', 'supervisor', 'station']
// the monthly report (月度工作报告): the county for the committee and the
// centre, a township for its supervisor and station; counts only
const REPORT_ROLES = ['committee', 'center', 'supervisor', 'station']
// talks (讲, SPEC §5): the publicity and education sessions held in the
// caller's place — recorded by child directors, grid workers, townships,
// the centre and schools, followed (read only) by the committee
const TALK_ROLES = ['committee', 'center', 'supervisor', 'station', 'director', 'grid', 'school']
// who picks the place of a talk (a village of the area; else their own)
const TALK_PLACE_ROLES = ['center', 'supervisor', 'station']
// schools (SPEC §5): their activity stations and counselling rooms, for the
// committee and the centre (the county's), a township (its own) and a
// school (itself); the school and the centre keep the rooms. Counselling
// sessions are recorded by the school and read by it (with notes), the
// centre and the school's township (without) — not by the committee.
const SCHOOL_ROLES = ['committee', 'center', 'supervisor', 'station', 'school']
const COUNSEL_ROLES = ['center', 'supervisor', 'station', 'school']
// caring mothers (爱心妈妈): kept by the centre, townships, child directors,
// grid workers and schools for their own place, each pairing one with a
// child of the caller's scope
const CARING_ROLES = ['center', 'supervisor', 'station', 'director', 'grid', 'school']

export function can(me, what) {
  if (!me) return false
  const r = me.membership.role
  const p = me.permissions || {}
  switch (what) {
    case 'myChildren':
      return FIELD_ROLES.includes(r) && p.read_children
    case 'registry':
    case 'review':
    case 'decideCategories':
    case 'export':
    case 'categoryStats':
      return DESK_ROLES.includes(r) && p.read_children
    case 'import':
      return (DESK_ROLES.includes(r) || r === 'director') && !!p.write_children
    case 'reconcile':
      return (r === 'center' || r === 'station') && p.read_children
    case 'visits':
      return VISIT_ROLES.includes(r) && !!p.read_children
    case 'visitExport':
      // the server's export_children: a school lists its pupils on the plan
      // but exports no list of children
      return VISIT_ROLES.includes(r) && r !== 'school' && !!p.read_children
    case 'childExport':
      // the list of the role's own children as a download (GET
      // /children/export): the server's export_children, field roles
      // included (IDs masked but for the centre)
      return REQUEST_EXPORT_ROLES.includes(r) && !!p.read_children
    case 'requestExport':
      // the help requests as a download (GET /requests?format=): the
      // server's export_children
      return REQUEST_EXPORT_ROLES.includes(r) && !!p.read_children
    case 'visitScore':
      return SCORE_ROLES.includes(r) && !!p.read_children
    case 'overview':
      return OVERVIEW_ROLES.includes(r)
    case 'entitlements':
      return ENT_ROLES.includes(r) && !!p.read_children
    case 'entitlementWrite':
    case 'entitlementExport':
    case 'ledger':
      return ENT_WRITE_ROLES.includes(r) && !!p.read_children
    case 'ledgerTotals':
      // the paying department: the month's totals of its own policies, no names
      return r === 'department'
    case 'ledgerPage':
      return can(me, 'ledger') || can(me, 'ledgerTotals')
    case 'policies':
      return (ENT_ROLES.includes(r) && !!p.read_children) || POLICY_READERS.includes(r)
    case 'policyWrite':
      return r === 'center'
    case 'projects':
      return PROJECT_ROLES.includes(r)
    case 'projectWrite':
      // new projects, facts, status and money: the centre, an organisation its own
      return r === 'center' || r === 'org'
    case 'projectChildren':
      // choosing the children served, and opening their files from the project
      return PROJECT_CHILD_ROLES.includes(r) && !!p.read_children
    case 'childProjects':
      return CHILD_PROJECT_ROLES.includes(r) && !!p.read_children
    case 'programmes':
      return PROGRAMME_ROLES.includes(r)
    case 'programmeWrite':
      return PROGRAMME_WRITE_ROLES.includes(r)
    case 'reports':
    case 'trends':
    case 'timeliness':
      // timeliness (办理时效): the loop's figures, GET /loop/metrics — the
      // same roles (the county's, or a township's own)
      return REPORT_ROLES.includes(r)
    case 'archive':
      // the archive (档案, SPEC §9): the registry's desk archives a child,
      // lists the archive, opens an archived file and brings it back
      return DESK_ROLES.includes(r) && !!p.read_children
    case 'archiveConfig':
      // the archive's periods: the centre sets them
      return r === 'center' && !!p.read_children
    case 'talks':
      return TALK_ROLES.includes(r)
    case 'talkWrite':
      return TALK_ROLES.includes(r) && r !== 'committee'
    case 'talkPlace':
      return TALK_PLACE_ROLES.includes(r)
    case 'schools':
      return SCHOOL_ROLES.includes(r)
    case 'schoolRooms':
      return r === 'center' || r === 'school'
    case 'counselling':
      return COUNSEL_ROLES.includes(r)
    case 'counselWrite':
      return r === 'school'
    case 'caring':
      return CARING_ROLES.includes(r)
    case 'childCare':
      // a child's caring mothers (and, for the school and the centre, its
      // counselling) are read with the child's file
      return !!p.read_children
    case 'visitConfig':
      return r === 'center' && !!p.read_children
    case 'loopConfig':
      // the closed loop's deadlines, holiday calendar and alert repeat
      // (PUT /loop/config): the centre and the administrator set them;
      // every signed-in role reads them (the page is then read-only)
      return r === 'center' || r === 'admin'
    case 'webhooks':
      // 消息推送: the units' webhooks for SMS and WeChat gateways and their
      // delivery log (GET/POST /webhooks): the centre and the administrator
      return r === 'center' || r === 'admin'
    case 'villageDirectors':
      // GET /areas/{village}/directors: roles whose scope is an area or a grid
      return ['center', 'supervisor', 'station', 'director', 'grid'].includes(r) && !!p.read_children
    case 'readChildren':
      return !!p.read_children
    case 'writeChildren':
      return !!p.write_children
    case 'audit':
      return !!p.read_audit
    case 'users':
      return !!p.manage_users
    default:
      return false
  }
}

const ROLE_KEYS = {
  committee: k('role.committee'),
  center: k('role.center'),
  supervisor: k('role.supervisor'),
  station: k('role.station'),
  director: k('role.director'),
  grid: k('role.grid'),
  department: k('role.department'),
  org: k('role.org'),
  school: k('role.school'),
  auditor: k('role.auditor'),
  admin: k('role.admin'),
}

// The catalogue key of the overview's name: the county's for the county's
// roles, the township's for a township's.
export function overviewKey(me) {
  return me && ROLE_PLACE[me.membership.role] === 'township' ? k('nav.overview_township') : k('nav.overview')
}

// The catalogue key of a role's name (unknown roles show as they are).
export function roleKey(r) {
  return ROLE_KEYS[r] || null
}

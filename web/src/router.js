// Routes. Field pages (login, home, my children) are in the first load;
// the child's page, the forms and the desktop pages are lazy chunks.
import { createRouter, createWebHistory } from 'vue-router'
import { can, overviewKey } from './lib/roles.js'
import { ensureSession, session } from './lib/session.js'
import { loopCan } from './lib/loop.js'
import { safeNext } from './lib/format.js'
import { i18n, k } from './i18n.js'
import LoginPage from './pages/LoginPage.vue'
import HomePage from './pages/HomePage.vue'
import MyChildren from './pages/MyChildren.vue'
import { keptScroll } from './lib/listMemory.js'

const ChildPage = () => import('./pages/ChildPage.vue')
const ChildForm = () => import('./pages/ChildForm.vue')
const PasswordPage = () => import('./pages/PasswordPage.vue')
const RegistryPage = () => import('./pages/RegistryPage.vue')
const ReviewPage = () => import('./pages/ReviewPage.vue')
const ImportPage = () => import('./pages/ImportPage.vue')
const ReconcilePage = () => import('./pages/ReconcilePage.vue')
const AuditPage = () => import('./pages/AuditPage.vue')
const AreasPage = () => import('./pages/AreasPage.vue')
const UnitsPage = () => import('./pages/UnitsPage.vue')
const UsersPage = () => import('./pages/UsersPage.vue')
const RequestList = () => import('./pages/RequestList.vue')
const RequestNew = () => import('./pages/RequestNew.vue')
const RequestPage = () => import('./pages/RequestPage.vue')
const RequestBoard = () => import('./pages/RequestBoard.vue')
const ReferralList = () => import('./pages/ReferralList.vue')
const InboxPage = () => import('./pages/InboxPage.vue')
const VisitsPage = () => import('./pages/VisitsPage.vue')
const ScorecardPage = () => import('./pages/ScorecardPage.vue')
const OverviewPage = () => import('./pages/OverviewPage.vue')
const EntitlementsPage = () => import('./pages/EntitlementsPage.vue')
const PoliciesPage = () => import('./pages/PoliciesPage.vue')
const LedgerPage = () => import('./pages/LedgerPage.vue')
const ProjectsPage = () => import('./pages/ProjectsPage.vue')
const ProjectPage = () => import('./pages/ProjectPage.vue')
const ProgrammesPage = () => import('./pages/ProgrammesPage.vue')
const ProgrammePage = () => import('./pages/ProgrammePage.vue')
const ReportPage = () => import('./pages/ReportPage.vue')
const TrendsPage = () => import('./pages/TrendsPage.vue')
const TimelinessPage = () => import('./pages/TimelinessPage.vue')
const TalksPage = () => import('./pages/TalksPage.vue')
const ArchivePage = () => import('./pages/ArchivePage.vue')
const SchoolsPage = () => import('./pages/SchoolsPage.vue')
const SchoolPage = () => import('./pages/SchoolPage.vue')
const CaringMothersPage = () => import('./pages/CaringMothersPage.vue')
const CaringMotherPage = () => import('./pages/CaringMotherPage.vue')
const LoopSettingsPage = () => import('./pages/LoopSettingsPage.vue')
const WebhooksPage = () => import('./pages/WebhooksPage.vue')
const NotFound = () => import('./pages/NotFound.vue')

const routes = [
  { path: '/login', name: 'login', component: LoginPage, meta: { public: true, bare: true, title: k('login.title') } },
  { path: '/', name: 'home', component: HomePage, meta: { title: k('nav.home') } },
  { path: '/password', name: 'password', component: PasswordPage, meta: { title: k('password.title') } },
  { path: '/children', name: 'my-children', component: MyChildren, meta: { need: 'myChildren', title: k('nav.my_children'), field: true } },
  { path: '/children/new', name: 'child-new', component: ChildForm, meta: { need: 'writeChildren', title: k('form.title_new'), field: true } },
  { path: '/children/:id(\\d+)', name: 'child', component: ChildPage, meta: { need: 'readChildren', title: k('child.title'), field: true } },
  { path: '/children/:id(\\d+)/edit', name: 'child-edit', component: ChildForm, meta: { need: 'writeChildren', title: k('form.title_edit'), field: true } },
  { path: '/visits', name: 'visits', component: VisitsPage, meta: { need: 'visits', title: k('nav.visits'), field: true } },
  { path: '/visits/scorecard', name: 'visit-scorecard', component: ScorecardPage, meta: { need: 'visitScore', title: k('visit.sc_title'), wide: true } },
  { path: '/entitlements', name: 'entitlements', component: EntitlementsPage, meta: { need: 'entitlements', title: k('nav.entitlements'), field: true } },
  { path: '/entitlements/policies', name: 'policies', component: PoliciesPage, meta: { need: 'policies', title: k('ent.policies_title'), field: true } },
  { path: '/entitlements/ledger', name: 'ledger', component: LedgerPage, meta: { need: 'ledgerPage', title: k('ent.ledger_title'), wide: true } },
  { path: '/projects', name: 'projects', component: ProjectsPage, meta: { need: 'projects', title: k('nav.projects'), field: true } },
  { path: '/projects/:id(\\d+)', name: 'project', component: ProjectPage, meta: { need: 'projects', title: k('proj.title'), field: true } },
  { path: '/programmes', name: 'programmes', component: ProgrammesPage, meta: { need: 'programmes', title: k('programmes.title'), wide: true } },
  { path: '/programmes/:id(\\d+)', name: 'programme', component: ProgrammePage, meta: { need: 'programmes', title: k('programmes.page_title'), field: true } },
  { path: '/reports', name: 'reports', component: ReportPage, meta: { need: 'reports', title: k('nav.reports'), wide: true } },
  { path: '/reports/trends', name: 'trends', component: TrendsPage, meta: { need: 'trends', title: k('nav.trends'), wide: true } },
  { path: '/reports/timeliness', name: 'timeliness', component: TimelinessPage, meta: { need: 'timeliness', title: k('nav.timeliness'), wide: true } },
  { path: '/talks', name: 'talks', component: TalksPage, meta: { need: 'talks', title: k('nav.talks'), field: true } },
  { path: '/schools', name: 'schools', component: SchoolsPage, meta: { need: 'schools', title: k('nav.schools'), wide: true } },
  { path: '/schools/:id(\\d+)', name: 'school', component: SchoolPage, meta: { need: 'counselling', title: k('school.counselling_title'), field: true, wide: true } },
  { path: '/caring-mothers', name: 'caring-mothers', component: CaringMothersPage, meta: { need: 'caring', title: k('nav.caring'), field: true } },
  { path: '/caring-mothers/:id(\\d+)', name: 'caring-mother', component: CaringMotherPage, meta: { need: 'caring', title: k('caring.title'), field: true } },
  { path: '/archive', name: 'archive', component: ArchivePage, meta: { need: 'archive', title: k('nav.archive'), field: true } },
  { path: '/overview', name: 'overview', component: OverviewPage, meta: { need: 'overview', title: overviewKey, wide: true } },
  { path: '/registry', name: 'registry', component: RegistryPage, meta: { need: 'registry', title: k('nav.registry'), wide: true } },
  { path: '/review', name: 'review', component: ReviewPage, meta: { need: 'review', title: k('nav.review'), field: true } },
  { path: '/imports', name: 'import', component: ImportPage, meta: { need: 'import', title: k('nav.import'), field: true } },
  { path: '/reconcile', name: 'reconcile', component: ReconcilePage, meta: { need: 'reconcile', title: k('nav.reconcile'), wide: true } },
  { path: '/audit', name: 'audit', component: AuditPage, meta: { need: 'audit', title: k('nav.audit'), wide: true } },
  { path: '/users', name: 'users', component: UsersPage, meta: { need: 'users', title: k('nav.users'), wide: true } },
  { path: '/areas', name: 'areas', component: AreasPage, meta: { need: 'users', title: k('nav.areas'), wide: true } },
  { path: '/units', name: 'units', component: UnitsPage, meta: { need: 'users', title: k('nav.units'), wide: true } },
  { path: '/requests', name: 'my-requests', component: RequestList, meta: { loop: 'myRequests', title: k('nav.my_requests'), field: true } },
  { path: '/requests/new', name: 'request-new', component: RequestNew, meta: { loop: 'file', title: k('req.new_title'), field: true } },
  { path: '/requests/:id(\\d+)', name: 'request', component: RequestPage, meta: { title: k('req.title'), field: true } },
  { path: '/board', name: 'board', component: RequestBoard, meta: { loop: 'board', title: k('nav.board'), wide: true } },
  // every signed-in role reads the loop's deadlines; can(me, 'loopConfig') edits them
  { path: '/settings/loop', name: 'loop-settings', component: LoopSettingsPage, meta: { title: k('loopcfg.title'), wide: true } },
  { path: '/settings/webhooks', name: 'webhooks', component: WebhooksPage, meta: { need: 'webhooks', title: k('nav.webhooks'), wide: true } },
  { path: '/referrals', name: 'my-referrals', component: ReferralList, meta: { loop: 'referrals', title: k('nav.my_referrals') } },
  { path: '/inbox', name: 'inbox', component: InboxPage, meta: { title: k('nav.inbox'), field: true } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: NotFound, meta: { title: k('notfound.title') } },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  // Back: where the page was; from a child's "返回列表" link to the list
  // it was opened from: where that list was left (listMemory)
  scrollBehavior(to, from, saved) {
    if (saved) return saved
    const kept = from.name === 'child' ? keptScroll(to.fullPath) : null
    return kept !== null ? { top: kept } : { top: 0 }
  },
})

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  let me = null
  try {
    me = await ensureSession()
  } catch {
    me = null
  }
  if (!me) {
    const next = safeNext(to.fullPath)
    return { name: 'login', query: next && next !== '/' ? { next } : {} }
  }
  if (me.user.must_change_password && to.name !== 'password') {
    return { name: 'password', query: { forced: '1', next: to.fullPath } }
  }
  if (to.meta.need && !can(me, to.meta.need)) return { name: 'home' }
  if (to.meta.loop && !loopCan(me, to.meta.loop)) return { name: 'home' }
  return true
})

// The tab's title: the page's (a catalogue key, or a function of the
// signed-in user giving one), then the app's name.
export function pageTitle(route, t) {
  const key = typeof route.meta.title === 'function' ? route.meta.title(session.me) : route.meta.title
  return (key ? t(key) + ' · ' : '') + t('app.name')
}

router.afterEach((to) => {
  document.title = pageTitle(to, i18n.global.t)
})

import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import { useSession } from '@/stores/session'
import { isPathAllowed, landingPath } from '@/lib/menu'
import { ApiError } from '@/lib/errors'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    /** Anyone may open it, signed in or not. */
    public?: boolean
    /** Reachable only through a menu leaf from /auth/me. */
    menu?: boolean
  }
}

export const PLATFORM_NAME = '江门市保障性租赁住房管理平台'

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/identity/LoginView.vue'), meta: { public: true, title: '单位用户登录' } },
  {
    path: '/',
    component: () => import('@/components/AppLayout.vue'),
    children: [
      { path: '', redirect: '/dashboard' },
      { path: 'dashboard', name: 'dashboard', component: () => import('@/views/dashboard/DashboardView.vue'), meta: { title: '工作台' } },
      { path: 'orgs', name: 'orgs', component: () => import('@/views/identity/OrgsView.vue'), meta: { title: '单位管理', menu: true } },
      { path: 'staff', name: 'staff', component: () => import('@/views/identity/StaffView.vue'), meta: { title: '员工管理', menu: true } },
      { path: 'roles', name: 'roles', component: () => import('@/views/identity/RolesView.vue'), meta: { title: '角色权限', menu: true } },
      { path: 'accounts', name: 'accounts', component: () => import('@/views/identity/AccountsView.vue'), meta: { title: '账号管理', menu: true } },
      { path: 'audit', name: 'audit', component: () => import('@/views/audit/AuditView.vue'), meta: { title: '审计日志', menu: true } },
      { path: 'exchange', name: 'exchange', component: () => import('@/views/exchange/ExchangeView.vue'), meta: { title: '数据交换监控', menu: true } },
      { path: 'plans', name: 'plans', component: () => import('@/views/housing/plans/PlansView.vue'), meta: { title: '年度计划', menu: true } },
      { path: 'projects', name: 'projects', component: () => import('@/views/housing/projects/ProjectsView.vue'), meta: { title: '项目管理', menu: true } },
      // Opened from the project list, the map, plans, alerts and cases; the API decides who may read it.
      { path: 'projects/:id', name: 'project', component: () => import('@/views/housing/projects/ProjectDetailView.vue'), meta: { title: '项目详情', menu: false } },
      { path: 'projects-map', name: 'projects-map', component: () => import('@/views/housing/projects/ProjectsMapView.vue'), meta: { title: '项目地图', menu: true } },
      { path: 'qualification-alerts', name: 'qualification-alerts', component: () => import('@/views/housing/projects/QualificationAlertsView.vue'), meta: { title: '资格到期预警', menu: true } },
      { path: 'org-info', name: 'org-info', component: () => import('@/views/identity/OrgInfoView.vue'), meta: { title: '本单位信息', menu: true } },
      { path: 'communities', name: 'communities', component: () => import('@/views/housing/stock/CommunitiesView.vue'), meta: { title: '小区房源', menu: true } },
      { path: 'communities/:id', name: 'community', component: () => import('@/views/housing/stock/CommunityDetailView.vue'), meta: { title: '小区详情', menu: false } },
      { path: 'units', name: 'units', component: () => import('@/views/housing/stock/UnitsView.vue'), meta: { title: '楼盘表', menu: true } },
      { path: 'unit-intake/:caseId?', name: 'unit-intake', component: () => import('@/views/housing/stock/UnitIntakeView.vue'), meta: { title: '房源入库', menu: false } },
      { path: 'templates', name: 'templates', component: () => import('@/views/documents/TemplatesView.vue'), meta: { title: '文书模板', menu: true } },
      { path: 'rules', name: 'rules', component: () => import('@/views/rules/RulesView.vue'), meta: { title: '规则配置', menu: true } },
      { path: 'processes', name: 'processes', component: () => import('@/views/workflow/ProcessesView.vue'), meta: { title: '流程设计', menu: true } },
      { path: 'processes/:key', name: 'process-designer', component: () => import('@/views/workflow/ProcessesView.vue'), meta: { title: '流程设计', menu: true } },
      { path: 'forms', name: 'forms', component: () => import('@/views/workflow/FormsView.vue'), meta: { title: '表单设计', menu: true } },
      { path: 'forms/:caseType', name: 'form-designer', component: () => import('@/views/workflow/FormsView.vue'), meta: { title: '表单设计', menu: true } },
      { path: 'todo', name: 'todo', component: () => import('@/views/workflow/TodoView.vue'), meta: { title: '待办事项', menu: true } },
      { path: 'done', name: 'done', component: () => import('@/views/workflow/DoneView.vue'), meta: { title: '已办事项', menu: true } },
      { path: 'intake', name: 'intake', component: () => import('@/views/workflow/IntakeView.vue'), meta: { title: '窗口受理', menu: true } },
      { path: 'cases', name: 'cases', component: () => import('@/views/workflow/CasesView.vue'), meta: { title: '业务查询', menu: true } },
      // Opened from todo, done, 业务查询 and campaigns; the API decides who may read the case.
      { path: 'cases/:id', name: 'case', component: () => import('@/views/workflow/CaseDetailView.vue'), meta: { title: '业务详情', menu: false } },
      { path: 'messages', name: 'messages', component: () => import('@/views/messages/MessagesView.vue'), meta: { title: '站内消息', menu: false } },
      { path: 'campaigns', name: 'campaigns', component: () => import('@/views/campaigns/CampaignsView.vue'), meta: { title: '专题工作', menu: true } },
      { path: 'campaigns/:id', name: 'campaign', component: () => import('@/views/campaigns/CampaignsView.vue'), meta: { title: '专题工作', menu: true } },
      { path: '403', name: 'forbidden-page', component: () => import('@/views/ForbiddenView.vue'), meta: { title: '无权访问' } },
      // Unknown paths. Listed before "forbidden" so that a path resolves here;
      // "forbidden" is only reached by name, from the guard, keeping the URL.
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { title: '页面不存在' } },
      { path: ':pathMatch(.*)*', name: 'forbidden', component: () => import('@/views/ForbiddenView.vue'), meta: { title: '无权访问' } },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/admin/'),
  routes,
})

function forbidden(to: RouteLocationNormalized) {
  return {
    name: 'forbidden',
    params: { pathMatch: to.path.substring(1).split('/') },
    query: to.query,
    hash: to.hash,
    replace: true,
  }
}

router.beforeEach(async (to) => {
  const session = useSession()
  if (to.meta.public) {
    if (to.name === 'login' && session.token && session.me) return landingPath(session.menus, to.query.redirect)
    return true
  }
  if (!session.token) {
    return { name: 'login', query: to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (!session.me) {
    try {
      await session.loadMe()
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        session.reset()
        return { name: 'login', query: { redirect: to.fullPath } }
      }
      // Server unreachable: stay put; the message has been shown.
      return false
    }
  }
  if (to.meta.menu && !isPathAllowed(session.menus, to.path)) return forbidden(to)
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - ${PLATFORM_NAME}` : PLATFORM_NAME
})

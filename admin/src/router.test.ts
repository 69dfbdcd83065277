// The real router and guard, with a signed-in session put straight into the store.
import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useSession, type Me } from '@/stores/session'
import { router } from '@/router'

function me(menus: Me['menus']): Me {
  return {
    account: { id: 1, kind: 'STAFF', name: '张三', login_name: 'zhangsan', position: 'clerk' },
    org: { id: 1, name: '江门市住房和城乡建设局', kind: 'GOV', district_code: '440700' },
    permissions: ['identity.org.read'],
    menus,
    scope: 'CITY',
  }
}

describe('route guard', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    localStorage.clear()
    await router.push('/login')
  })

  it('sends a visitor without a token to the login page, remembering where they were going', async () => {
    await router.push('/orgs')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.redirect).toBe('/orgs')
  })

  it('opens pages that the /me menus list, and the dashboard', async () => {
    const s = useSession()
    s.token = 't'
    s.me = me([{ code: 'g', title: '主体管理', children: [{ code: 'identity.orgs', title: '单位管理', path: '/orgs' }] }])
    await router.push('/orgs')
    expect(router.currentRoute.value.name).toBe('orgs')
    await router.push('/dashboard')
    expect(router.currentRoute.value.name).toBe('dashboard')
  })

  it('shows 无权访问 for a page without a menu, keeping the address', async () => {
    const s = useSession()
    s.token = 't'
    s.me = me([{ code: 'audit.logs', title: '审计日志', path: '/audit' }])
    await router.push('/orgs?kind=GOV')
    expect(router.currentRoute.value.name).toBe('forbidden')
    expect(router.currentRoute.value.path).toBe('/orgs')
    expect(router.currentRoute.value.query.kind).toBe('GOV')
    await router.push('/audit')
    expect(router.currentRoute.value.name).toBe('audit')
  })

  it('sends unknown addresses to 页面不存在, not to a forbidden page', async () => {
    const s = useSession()
    s.token = 't'
    s.me = me([])
    await router.push('/no/such/page')
    expect(router.currentRoute.value.name).toBe('not-found')
  })

  it('skips the login page for a signed-in user', async () => {
    const s = useSession()
    s.token = 't'
    s.me = me([{ code: 'audit.logs', title: '审计日志', path: '/audit' }])
    await router.push({ name: 'login', query: { redirect: '/audit' } })
    expect(router.currentRoute.value.name).toBe('audit')
  })
})

import { describe, expect, it } from 'vitest'
import { activeMenuFor, allowedPaths, groupCodes, iconName, isPathAllowed, landingPath, menuLeaves, normalizePath, type MenuNode } from './menu'

const menus: MenuNode[] = [
  {
    code: 'subject',
    title: '主体管理',
    path: null,
    children: [
      { code: 'identity.orgs', title: '单位管理', path: '/orgs' },
      { code: 'identity.staff', title: '员工管理', path: '/admin/staff/' },
    ],
  },
  { code: 'audit.logs', title: '审计日志', path: '/audit', children: [] },
]

describe('menu tree', () => {
  it('lists leaves and groups', () => {
    expect(menuLeaves(menus).map((m) => m.code)).toEqual(['identity.orgs', 'identity.staff', 'audit.logs'])
    expect(groupCodes(menus)).toEqual(['subject'])
    expect(menuLeaves(null)).toEqual([])
  })

  it('normalises paths with or without base and trailing slash', () => {
    expect(normalizePath('/admin/staff/')).toBe('/staff')
    expect(normalizePath('orgs')).toBe('/orgs')
    expect(normalizePath('/admin')).toBe('/')
    expect(normalizePath('/administration')).toBe('/administration')
    expect(normalizePath('/orgs?x=1#y')).toBe('/orgs')
    expect(normalizePath(null)).toBe('')
    expect([...allowedPaths(menus)]).toEqual(['/orgs', '/staff', '/audit'])
  })
})

describe('route guard: isPathAllowed', () => {
  it('allows menu leaves and their sub-pages', () => {
    expect(isPathAllowed(menus, '/orgs')).toBe(true)
    expect(isPathAllowed(menus, '/orgs/12')).toBe(true)
    expect(isPathAllowed(menus, '/staff')).toBe(true)
    expect(isPathAllowed(menus, '/audit/')).toBe(true)
  })

  it('refuses pages with no menu, including look-alike prefixes', () => {
    expect(isPathAllowed(menus, '/roles')).toBe(false)
    expect(isPathAllowed(menus, '/accounts')).toBe(false)
    expect(isPathAllowed(menus, '/orgsx')).toBe(false)
    expect(isPathAllowed([], '/orgs')).toBe(false)
    expect(isPathAllowed(undefined, '/orgs')).toBe(false)
  })

  it('never grants through a group node path', () => {
    const withGroupPath: MenuNode[] = [{ code: 'g', title: '组', path: '/identity', children: [{ code: 'x', title: 'x', path: '/identity/roles' }] }]
    expect(isPathAllowed(withGroupPath, '/identity')).toBe(false)
    expect(isPathAllowed(withGroupPath, '/identity/roles')).toBe(true)
  })

  it('always allows the dashboard and the error pages', () => {
    expect(isPathAllowed([], '/dashboard')).toBe(true)
    expect(isPathAllowed([], '/messages')).toBe(true)
    expect(isPathAllowed([], '/403')).toBe(true)
  })
})

describe('landing and highlighting', () => {
  it('lands on an allowed redirect, else the dashboard', () => {
    expect(landingPath(menus, '/orgs')).toBe('/orgs')
    expect(landingPath(menus, '/roles')).toBe('/dashboard')
    expect(landingPath(menus, '//evil.example/x')).toBe('/dashboard')
    expect(landingPath(menus, '/login')).toBe('/dashboard')
    expect(landingPath(menus, undefined)).toBe('/dashboard')
  })

  it('highlights the leaf with the longest matching path', () => {
    const nested: MenuNode[] = [
      { code: 'a', title: 'A', path: '/orgs' },
      { code: 'b', title: 'B', path: '/orgs/changes' },
    ]
    expect(activeMenuFor(nested, '/orgs/changes/3')?.code).toBe('b')
    expect(activeMenuFor(nested, '/orgs/3')?.code).toBe('a')
    expect(activeMenuFor(nested, '/roles')).toBeNull()
  })

  it('maps icon names to Element Plus component names', () => {
    expect(iconName('office-building')).toBe('OfficeBuilding')
    expect(iconName('User')).toBe('User')
    expect(iconName('el-icon-document')).toBe('Document')
    expect(iconName(null)).toBe('')
  })
})

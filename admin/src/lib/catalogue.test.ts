import { describe, expect, it } from 'vitest'
import { allPermissionCodes, catalogueTree, keysForPermissions, permissionsFromChecked, type CatalogueMenu } from './catalogue'

const catalogue: CatalogueMenu[] = [
  {
    code: 'subject',
    title: '主体管理',
    permissions: [],
    children: [
      {
        code: 'identity.orgs',
        title: '单位管理',
        path: '/orgs',
        permissions: [
          { code: 'identity.org.read', title: '查询' },
          { code: 'identity.org.write', title: '编辑' },
        ],
      },
    ],
  },
  { code: 'audit.logs', title: '审计日志', path: '/audit', permissions: [{ code: 'audit.log.read', title: '查询' }] },
]

describe('catalogueTree', () => {
  it('puts each menu\'s permissions under it as leaves', () => {
    const tree = catalogueTree(catalogue)
    expect(tree[0].label).toBe('主体管理')
    const orgs = tree[0].children![0]
    expect(orgs).toMatchObject({ key: 'menu:identity.orgs', label: '单位管理', kind: 'menu' })
    expect(orgs.children!.map((c) => [c.key, c.label, c.kind])).toEqual([
      ['perm:identity.orgs:identity.org.read', '查询', 'perm'],
      ['perm:identity.orgs:identity.org.write', '编辑', 'perm'],
    ])
    expect([...allPermissionCodes(tree)]).toEqual(['identity.org.read', 'identity.org.write', 'audit.log.read'])
  })

  it('maps a role\'s permissions to leaf keys and back', () => {
    const tree = catalogueTree(catalogue)
    const keys = keysForPermissions(tree, ['audit.log.read', 'identity.org.read', 'unknown.code'])
    expect(keys).toEqual(['perm:identity.orgs:identity.org.read', 'perm:audit.logs:audit.log.read'])
  })

  it('turns checked nodes into unique permission codes, skipping menu nodes', () => {
    expect(
      permissionsFromChecked([
        { kind: 'menu', code: 'identity.orgs' },
        { kind: 'perm', code: 'identity.org.read' },
        { kind: 'perm', code: 'identity.org.read' },
        { kind: 'perm', code: 'audit.log.read' },
      ]),
    ).toEqual(['identity.org.read', 'audit.log.read'])
  })

  it('copes with an empty catalogue', () => {
    expect(catalogueTree(null)).toEqual([])
  })
})

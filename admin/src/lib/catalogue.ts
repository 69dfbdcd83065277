// The role editor's tree: menus from the catalogue, each menu's permissions
// as its leaf children. Checking a menu checks all of its permissions, and a
// role is saved as the set of checked permission codes.

export interface CatalogueMenu {
  code: string
  title: string
  path?: string | null
  permissions?: { code: string; title: string }[] | null
  children?: CatalogueMenu[] | null
}

export interface TreeNode {
  key: string
  label: string
  kind: 'menu' | 'perm'
  code: string
  children?: TreeNode[]
}

export function catalogueTree(menus: CatalogueMenu[] | null | undefined): TreeNode[] {
  const build = (m: CatalogueMenu): TreeNode => {
    const children: TreeNode[] = [
      ...(m.children ?? []).map(build),
      ...(m.permissions ?? []).map((p) => ({ key: `perm:${m.code}:${p.code}`, label: p.title, kind: 'perm' as const, code: p.code })),
    ]
    return { key: `menu:${m.code}`, label: m.title, kind: 'menu', code: m.code, children }
  }
  return (menus ?? []).map(build)
}

function walk(nodes: TreeNode[], fn: (n: TreeNode) => void) {
  for (const n of nodes) {
    fn(n)
    if (n.children) walk(n.children, fn)
  }
}

/** Tree keys to check for a role's permission codes (leaves only; parents follow). */
export function keysForPermissions(tree: TreeNode[], permissions: string[]): string[] {
  const want = new Set(permissions)
  const keys: string[] = []
  walk(tree, (n) => {
    if (n.kind === 'perm' && want.has(n.code)) keys.push(n.key)
  })
  return keys
}

/** Permission codes of checked tree nodes, each once, in catalogue order. */
export function permissionsFromChecked(checked: { kind: string; code: string }[]): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const n of checked) {
    if (n.kind === 'perm' && !seen.has(n.code)) {
      seen.add(n.code)
      out.push(n.code)
    }
  }
  return out
}

/** Every permission code in the catalogue, to tell a role's unknown codes apart. */
export function allPermissionCodes(tree: TreeNode[]): Set<string> {
  const s = new Set<string>()
  walk(tree, (n) => {
    if (n.kind === 'perm') s.add(n.code)
  })
  return s
}

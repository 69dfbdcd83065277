// The side menu and the route guard both come from the menus in /auth/me:
// a user may open a page only when one of their menu leaves points at it.

export interface MenuNode {
  code: string
  title: string
  path?: string | null
  icon?: string | null
  children?: MenuNode[] | null
}

/** Pages every signed-in user may open, whatever their menus. */
export const ALWAYS_ALLOWED = ['/dashboard', '/messages', '/403', '/404']

const BASE = '/admin'

/** Menu paths may come with or without the app base, with or without a trailing slash. */
export function normalizePath(path: string | null | undefined): string {
  if (!path) return ''
  let p = path.trim().split('?')[0].split('#')[0]
  if (!p.startsWith('/')) p = '/' + p
  if (p === BASE || p.startsWith(BASE + '/')) p = p.slice(BASE.length) || '/'
  if (p.length > 1 && p.endsWith('/')) p = p.replace(/\/+$/, '')
  return p
}

export function isGroup(node: MenuNode): boolean {
  return Array.isArray(node.children) && node.children.length > 0
}

export function menuLeaves(menus: MenuNode[] | null | undefined): MenuNode[] {
  const out: MenuNode[] = []
  const walk = (nodes: MenuNode[]) => {
    for (const n of nodes) {
      if (isGroup(n)) walk(n.children as MenuNode[])
      else out.push(n)
    }
  }
  walk(menus ?? [])
  return out
}

export function groupCodes(menus: MenuNode[] | null | undefined): string[] {
  const out: string[] = []
  const walk = (nodes: MenuNode[]) => {
    for (const n of nodes) {
      if (isGroup(n)) {
        out.push(n.code)
        walk(n.children as MenuNode[])
      }
    }
  }
  walk(menus ?? [])
  return out
}

export function allowedPaths(menus: MenuNode[] | null | undefined): Set<string> {
  const set = new Set<string>()
  for (const leaf of menuLeaves(menus)) {
    const p = normalizePath(leaf.path)
    if (p && p !== '/') set.add(p)
  }
  return set
}

/**
 * Whether `path` (a router path inside the app, e.g. `/orgs/12`) is reachable
 * with these menus: the path itself, or a sub-path of a menu leaf.
 */
export function isPathAllowed(menus: MenuNode[] | null | undefined, path: string): boolean {
  const p = normalizePath(path)
  if (ALWAYS_ALLOWED.includes(p)) return true
  for (const allowed of allowedPaths(menus)) {
    if (p === allowed || p.startsWith(allowed + '/')) return true
  }
  return false
}

/** The menu leaf that matches a path best (longest prefix), to highlight it. */
export function activeMenuFor(menus: MenuNode[] | null | undefined, path: string): MenuNode | null {
  const p = normalizePath(path)
  let best: MenuNode | null = null
  let bestLen = -1
  for (const leaf of menuLeaves(menus)) {
    const lp = normalizePath(leaf.path)
    if (!lp) continue
    if ((p === lp || p.startsWith(lp + '/')) && lp.length > bestLen) {
      best = leaf
      bestLen = lp.length
    }
  }
  return best
}

/** Where to land after login: the requested page if allowed, else the dashboard. */
export function landingPath(menus: MenuNode[] | null | undefined, redirect: unknown): string {
  if (typeof redirect === 'string' && redirect.startsWith('/') && !redirect.startsWith('//')) {
    const p = normalizePath(redirect)
    if (p !== '/login' && isPathAllowed(menus, p)) return p
  }
  return '/dashboard'
}

/** Element Plus icon component name from a menu's icon ("office-building" → "OfficeBuilding"). */
export function iconName(icon: string | null | undefined): string {
  if (!icon) return ''
  return icon
    .replace(/^el-icon-/, '')
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((s) => s[0].toUpperCase() + s.slice(1))
    .join('')
}

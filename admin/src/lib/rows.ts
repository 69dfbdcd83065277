// Small readers for rows whose exact shape may vary a little between endpoints.

type Row = Record<string, any> | null | undefined

/** Role ids of an account/staff row: `role_ids`, or ids of `roles` objects. */
export function roleIds(row: Row): (number | string)[] {
  if (!row) return []
  if (Array.isArray(row.role_ids)) return row.role_ids
  if (Array.isArray(row.roles)) {
    return row.roles
      .map((r: unknown) => (r && typeof r === 'object' ? (r as Record<string, any>).id : null))
      .filter((id: unknown): id is number | string => typeof id === 'number' || typeof id === 'string')
  }
  return []
}

/** Role names of a row: `roles` as objects or names, or `role_names`. */
export function roleNames(row: Row): string[] {
  if (!row) return []
  const src = Array.isArray(row.roles) ? row.roles : Array.isArray(row.role_names) ? row.role_names : []
  return src
    .map((r: unknown) => (r && typeof r === 'object' ? String((r as Record<string, any>).name ?? '') : String(r ?? '')))
    .filter(Boolean)
}

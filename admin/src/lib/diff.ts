// Field-by-field comparison of an audit entry's before/after snapshots.

export interface DiffRow {
  key: string
  before: unknown
  after: unknown
  change: 'added' | 'removed' | 'changed' | 'same'
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(v[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v) ?? 'undefined'
}

export function sameValue(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b)
}

/** Top-level keys of both snapshots, changed ones first, then alphabetical. */
export function diffObjects(before: unknown, after: unknown): DiffRow[] {
  const b = isObject(before) ? before : {}
  const a = isObject(after) ? after : {}
  const keys = Array.from(new Set([...Object.keys(b), ...Object.keys(a)]))
  const rows: DiffRow[] = keys.map((key) => {
    const inB = Object.prototype.hasOwnProperty.call(b, key)
    const inA = Object.prototype.hasOwnProperty.call(a, key)
    let change: DiffRow['change'] = 'same'
    if (inB && !inA) change = 'removed'
    else if (!inB && inA) change = 'added'
    else if (!sameValue(b[key], a[key])) change = 'changed'
    return { key, before: b[key], after: a[key], change }
  })
  const rank = (r: DiffRow) => (r.change === 'same' ? 1 : 0)
  return rows.sort((x, y) => rank(x) - rank(y) || x.key.localeCompare(y.key))
}

export function showValue(v: unknown): string {
  if (v === undefined) return ''
  if (v === null) return 'null'
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}

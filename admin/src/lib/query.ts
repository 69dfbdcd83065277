// Turns the list page's query state into the URL parameters every list
// endpoint understands (see CONVENTIONS.md, "Lists"). Pure, so it is unit-tested.

export type FilterType = 'text' | 'select' | 'daterange' | 'numberrange'

export interface FilterOption {
  label: string
  value: string | number | boolean
}

export interface FilterDef {
  field: string
  label: string
  type: FilterType
  /** text only: `contains` sends `<field>__contains`, `eq` sends `<field>` (default contains) */
  op?: 'eq' | 'contains'
  /** select only: several values, sent as `<field>__in=a,b` */
  multiple?: boolean
  options?: FilterOption[]
  placeholder?: string
}

export type RangeValue = [unknown, unknown] | null | undefined
export type FilterValue = unknown

export interface ListQuery {
  page: number
  pageSize: number
  sort?: string | null
  q?: string | null
  filters: Record<string, FilterValue>
}

export type Params = Record<string, string>

function isBlank(v: unknown): boolean {
  if (v === null || v === undefined) return true
  if (typeof v === 'string') return v.trim() === ''
  if (typeof v === 'number') return Number.isNaN(v)
  if (Array.isArray(v)) return v.length === 0
  return false
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/** A date picker gives `YYYY-MM-DD` strings (value-format) or local Date objects. */
export function toDateParam(v: unknown): string | null {
  if (isBlank(v)) return null
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null
    return `${v.getFullYear()}-${pad(v.getMonth() + 1)}-${pad(v.getDate())}`
  }
  const s = String(v).trim()
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s)
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null
}

function scalar(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return String(v).trim()
}

/** Parameters for the filter fields only (no paging, sorting or free text). */
export function buildFilterParams(defs: FilterDef[], values: Record<string, FilterValue>): Params {
  const out: Params = {}
  for (const def of defs) {
    const v = values[def.field]
    if (isBlank(v)) continue
    switch (def.type) {
      case 'text': {
        const s = scalar(v)
        if (!s) break
        if ((def.op ?? 'contains') === 'contains') out[`${def.field}__contains`] = s
        else out[def.field] = s
        break
      }
      case 'select': {
        if (Array.isArray(v)) {
          const parts = v.filter((x) => !isBlank(x)).map(scalar)
          if (parts.length === 1 && !def.multiple) out[def.field] = parts[0]
          else if (parts.length > 0) out[`${def.field}__in`] = parts.join(',')
        } else {
          out[def.field] = scalar(v)
        }
        break
      }
      case 'daterange': {
        const [from, to] = Array.isArray(v) ? v : [null, null]
        const gte = toDateParam(from)
        const lte = toDateParam(to)
        if (gte) out[`${def.field}__gte`] = gte
        if (lte) out[`${def.field}__lte`] = lte
        break
      }
      case 'numberrange': {
        const [from, to] = Array.isArray(v) ? v : [null, null]
        if (!isBlank(from) && Number.isFinite(Number(from))) out[`${def.field}__gte`] = String(Number(from))
        if (!isBlank(to) && Number.isFinite(Number(to))) out[`${def.field}__lte`] = String(Number(to))
        break
      }
    }
  }
  return out
}

/** Full list request parameters: paging, sort, free text, filters, and fixed extras. */
export function buildListParams(
  query: ListQuery,
  defs: FilterDef[],
  extra: Record<string, string | number | boolean> = {},
): Params {
  const out: Params = {
    page: String(Math.max(1, Math.trunc(query.page) || 1)),
    page_size: String(Math.max(1, Math.trunc(query.pageSize) || 20)),
  }
  if (query.sort) out.sort = query.sort
  if (!isBlank(query.q)) out.q = String(query.q).trim()
  Object.assign(out, buildFilterParams(defs, query.filters))
  for (const [k, v] of Object.entries(extra)) if (!isBlank(v)) out[k] = scalar(v)
  return out
}

/** Export asks for the same rows as the screen, all pages, as a spreadsheet. */
export function buildExportParams(
  query: ListQuery,
  defs: FilterDef[],
  extra: Record<string, string | number | boolean> = {},
): Params {
  const out = buildListParams(query, defs, extra)
  delete out.page
  delete out.page_size
  out.format = 'xlsx'
  return out
}

/** Element Plus sort-change → `sort` parameter (`-field` for descending). */
export function sortParam(prop: string | null | undefined, order: string | null | undefined): string | null {
  if (!prop || !order) return null
  return order === 'descending' ? `-${prop}` : prop
}

/** Inverse of sortParam, to show the current sort on the table. */
export function parseSort(sort: string | null | undefined): { prop: string; order: 'ascending' | 'descending' } | null {
  if (!sort) return null
  return sort.startsWith('-')
    ? { prop: sort.slice(1), order: 'descending' }
    : { prop: sort, order: 'ascending' }
}

export function toQueryString(params: Params): string {
  return new URLSearchParams(params).toString()
}

/** Single-condition mode sets one field; every other field is cleared. */
export function singleCondition(field: string, value: FilterValue): Record<string, FilterValue> {
  return field ? { [field]: value } : {}
}

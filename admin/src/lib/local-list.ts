// Keyword search, sort and paging done in the browser, for the few lists the API returns
// whole (one row per case type). Same query state as the server-side lists (query.ts).
import { parseSort, type ListQuery } from './query'

type Row = Record<string, any>

/** Rows whose `fields` contain `q` (case-insensitive); every row when `q` is blank. */
export function matchKeyword<T extends Row>(rows: T[], q: string | null | undefined, fields: string[]): T[] {
  const needle = (q ?? '').trim().toLowerCase()
  if (!needle) return rows
  return rows.filter((r) => fields.some((f) => String(r[f] ?? '').toLowerCase().includes(needle)))
}

/** `dir` 1 ascending, -1 descending; blanks last either way. */
function compare(a: unknown, b: unknown, dir: number): number {
  const blankA = a === null || a === undefined || a === ''
  const blankB = b === null || b === undefined || b === ''
  if (blankA || blankB) return blankA === blankB ? 0 : blankA ? 1 : -1
  if (typeof a === 'number' && typeof b === 'number') return dir * (a - b)
  return dir * String(a).localeCompare(String(b), 'zh-CN')
}

/** One page of `rows` for `query`, and how many rows match in all. */
export function localPage<T extends Row>(
  rows: T[],
  query: Pick<ListQuery, 'page' | 'pageSize' | 'sort' | 'q'>,
  fields: string[],
): { items: T[]; total: number } {
  let out = matchKeyword(rows, query.q, fields)
  const sort = parseSort(query.sort)
  if (sort) {
    const dir = sort.order === 'descending' ? -1 : 1
    out = [...out].sort((x, y) => compare(x[sort.prop], y[sort.prop], dir))
  }
  // Past the last page is empty, as from the server.
  const size = Math.max(1, query.pageSize)
  const page = Math.max(1, query.page)
  return { items: out.slice((page - 1) * size, page * size), total: out.length }
}

// List column widths from what the cells hold (ListPage measures, this decides). A column is
// as wide as its widest value, so codes and names are not cut off and nothing wide is wasted.
// When the columns together are wider than the table, the widest wrappable ones (text that can
// break, such as Chinese names) give way and wrap, so the last columns are not pushed under the
// fixed 操作 column; only when that is not enough does the table scroll.

export interface ColumnNeed {
  key: string
  /** Width of the widest cell's content, padding included (px). */
  content: number
  /** Width the header needs (label and sort arrows, padding included). */
  header: number
  /** The content can break over lines (it is Chinese text and nothing else). */
  wrappable: boolean
}

export interface ColumnFit {
  key: string
  width: number
  wrap: boolean
}

export const COLUMN_MAX = 360
export const COLUMN_MIN = 56
/** A wrapped column stays at least this wide (about seven Chinese characters). */
export const WRAP_FLOOR = 112

function natural(c: ColumnNeed): number {
  return Math.ceil(Math.min(COLUMN_MAX, Math.max(COLUMN_MIN, c.header, c.content)))
}

function wrapFloor(c: ColumnNeed): number {
  return Math.ceil(Math.max(COLUMN_MIN, c.header, Math.min(WRAP_FLOOR, natural(c))))
}

/** Widths for `available` px: natural widths when they fit, else the wrappable columns capped at one level. */
export function fitColumns(cols: ColumnNeed[], available: number): ColumnFit[] {
  const nat = cols.map(natural)
  const total = nat.reduce((a, b) => a + b, 0)
  if (total <= available) return cols.map((c, i) => ({ key: c.key, width: nat[i], wrap: false }))
  const floors = cols.map((c, i) => (c.wrappable ? Math.min(nat[i], wrapFloor(c)) : nat[i]))
  const at = (cap: number) => cols.reduce((s, _c, i) => s + Math.max(floors[i], Math.min(nat[i], cap)), 0)
  // The largest cap at which everything fits (or the floors, when even they do not).
  let lo = 0
  let hi = Math.max(...nat)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (at(mid) <= available) lo = mid
    else hi = mid
  }
  return cols.map((c, i) => {
    const width = Math.max(floors[i], Math.min(nat[i], lo))
    return { key: c.key, width, wrap: width < nat[i] }
  })
}

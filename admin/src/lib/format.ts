// Display formats (CONVENTIONS.md): dates `2026-11-26`, datetimes
// `2026-11-26 14:05` in Asia/Shanghai (money is lib/money.ts).
// Shanghai has kept UTC+8 without daylight saving since 1991, so a fixed
// offset is exact for every timestamp this platform stores.

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/

function toInstant(v: unknown): Date | null {
  if (v === null || v === undefined || v === '') return null
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v
  if (typeof v === 'number') return new Date(v)
  let s = String(v).trim()
  // A naive "YYYY-MM-DD HH:mm:ss" from the API is UTC (stored in UTC).
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = s.replace(' ', 'T') + 'Z'
  const d = new Date(s)
  return Number.isNaN(d.getTime()) ? null : d
}

function shanghaiParts(d: Date) {
  const t = new Date(d.getTime() + SHANGHAI_OFFSET_MS)
  return {
    y: t.getUTCFullYear(),
    m: t.getUTCMonth() + 1,
    d: t.getUTCDate(),
    h: t.getUTCHours(),
    min: t.getUTCMinutes(),
    s: t.getUTCSeconds(),
  }
}

/** `YYYY-MM-DD`; a plain date string is shown as is (it has no time zone). */
export function formatDate(v: unknown, empty = '-'): string {
  if (typeof v === 'string' && DATE_ONLY.test(v.trim())) return v.trim()
  const d = toInstant(v)
  if (!d) return empty
  const p = shanghaiParts(d)
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`
}

/** `YYYY-MM-DD HH:mm` in Asia/Shanghai. */
export function formatDateTime(v: unknown, empty = '-'): string {
  if (typeof v === 'string' && DATE_ONLY.test(v.trim())) return v.trim()
  const d = toInstant(v)
  if (!d) return empty
  const p = shanghaiParts(d)
  return `${p.y}-${pad(p.m)}-${pad(p.d)} ${pad(p.h)}:${pad(p.min)}`
}

/** Today's date in Asia/Shanghai, for default form values. */
export function todayShanghai(now: Date = new Date()): string {
  return formatDate(now)
}

export function formatBool(v: unknown, yes = '是', no = '否', empty = '-'): string {
  if (v === null || v === undefined) return empty
  return v ? yes : no
}

export function formatList(v: unknown, empty = '-'): string {
  if (!Array.isArray(v) || v.length === 0) return empty
  return v
    .map((x) => (x && typeof x === 'object' ? ((x as Record<string, unknown>).name ?? (x as Record<string, unknown>).title ?? '') : x))
    .filter((x) => x !== '' && x !== null && x !== undefined)
    .join('、') || empty
}

export function formatText(v: unknown, empty = '-'): string {
  if (v === null || v === undefined || v === '') return empty
  return String(v)
}

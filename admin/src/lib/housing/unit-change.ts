// Unit history and unit changes: describing a history entry, the change form and its body.
import { type Dict, dicts } from '@/lib/dicts'
import { stateLabel } from '@/lib/housing/unit-states'
import { residentialLabel } from '@/lib/housing/unit-table'
import { formatArea, formatRent } from '@/lib/money'

export const HISTORY_ACTIONS: Dict = dicts.UnitHistoryAction

/** The fields a history entry can name: the server's change fields, and the state and lock reason
 *  that locking and state changes record. */
export const CHANGE_FIELDS: Dict = { ...dicts.UnitChangeField, state: '状态', lock_reason: '锁定原因' }

function fieldValue(field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '空'
  if (field === 'area') return formatArea(v)
  if (field === 'rent_standard') return formatRent(v)
  if (field === 'state') return stateLabel(v)
  if (field === 'residential') return residentialLabel(v)
  if (field === 'delist') return v ? '下架' : '恢复上架'
  if (Array.isArray(v)) return v.length ? v.join('、') : '空'
  return String(v)
}

/** One history row as text: `建筑面积：68.90 ㎡ → 70.20 ㎡；户型：…` (a lock reason shown as the row's reason is not repeated). */
export function describeHistory(h: { before?: unknown; after?: unknown; reason?: string | null }): string {
  const before = (h.before && typeof h.before === 'object' ? h.before : {}) as Record<string, unknown>
  const after = (h.after && typeof h.after === 'object' ? h.after : {}) as Record<string, unknown>
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
  const parts: string[] = []
  for (const k of keys) {
    if (k === 'lock_reason' && h.reason && (after[k] === h.reason || before[k] === h.reason)) continue
    const b = fieldValue(k, before[k])
    const a = fieldValue(k, after[k])
    if (!(k in before)) parts.push(`${CHANGE_FIELDS[k] ?? k}：${a}`)
    else if (b !== a) parts.push(`${CHANGE_FIELDS[k] ?? k}：${b} → ${a}`)
  }
  return parts.join('；')
}

export interface ChangeForm {
  layout: string
  area: string
  orientation: string
  decoration: string
  facilities: string[]
  rent_standard: string
  residential: boolean | null
  delist: boolean | null
}

function sameDecimal(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined || a === '') && (b === null || b === undefined || b === '')) return true
  const x = Number(a)
  const y = Number(b)
  return Number.isFinite(x) && Number.isFinite(y) && Math.round(x * 100) === Math.round(y * 100)
}

/** A unit change form prefilled from the unit. */
export function changeFormOf(u: Record<string, any>): ChangeForm {
  return {
    layout: u.layout ?? '',
    area: u.area ?? '',
    orientation: u.orientation ?? '',
    decoration: u.decoration ?? '',
    facilities: Array.isArray(u.facilities) ? [...u.facilities] : [],
    rent_standard: u.rent_standard ?? '',
    residential: typeof u.residential === 'boolean' ? u.residential : null,
    delist: null,
  }
}

/** Only what really changes, in the shape of `changes` of a unit change case. */
export function changesPayload(u: Record<string, any>, f: ChangeForm): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (f.layout.trim() && f.layout.trim() !== (u.layout ?? '')) out.layout = f.layout.trim()
  if (String(f.area).trim() && !sameDecimal(f.area, u.area)) out.area = String(f.area).trim()
  if (f.orientation && f.orientation !== (u.orientation ?? '')) out.orientation = f.orientation
  if (f.decoration && f.decoration !== (u.decoration ?? '')) out.decoration = f.decoration
  const had = Array.isArray(u.facilities) ? [...u.facilities].sort() : []
  const now = [...f.facilities].sort()
  if (had.join('|') !== now.join('|')) out.facilities = f.facilities
  if (String(f.rent_standard).trim() && !sameDecimal(f.rent_standard, u.rent_standard)) out.rent_standard = String(f.rent_standard).trim()
  if (f.residential !== null && f.residential !== u.residential) out.residential = f.residential
  if (f.delist !== null) out.delist = f.delist
  return out
}

/** A two-decimal positive amount typed by a clerk, or the problem with it. */
export function decimalProblem(v: unknown, label: string, { required = false, positive = true, max = 10000 } = {}): string | null {
  const s = v === null || v === undefined ? '' : String(v).trim().replace(/,/g, '')
  if (!s) return required ? `请填写${label}` : null
  if (!/^\d+(\.\d+)?$/.test(s)) return `${label}应为数字`
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return `${label}最多两位小数`
  const n = Number(s)
  if (positive && n <= 0) return `${label}应大于0`
  if (n > max) return `${label}不能超过${max}`
  return null
}

/** The next room number on a floor, for fast one-by-one entry: `1203` → `1204`. */
export function nextNumber(number: string): string {
  const m = /^(.*?)(\d+)$/.exec(number.trim())
  if (!m) return ''
  const width = m[2].length
  return m[1] + String(Number(m[2]) + 1).padStart(width, '0')
}

// Money in the admin, one module (CONVENTIONS.md): amounts are exact two-decimal values, never
// floats. `formatMoney` shows the API's yuan ("1580.5" → "1,580.50 元"), `formatFen` integer fen
// (158050 → "1,580.50 元"); typed input is parsed to fen by moving digits. Areas use the same
// fixed two decimals ("12500" → "12,500.00 ㎡"). Pure, so it is unit-tested.

const DECIMAL = /^(-?)(\d+)(?:\.(\d*))?$/

function decimalParts(v: unknown): { neg: boolean; int: string; frac: string } | null {
  if (v === null || v === undefined || typeof v === 'boolean') return null
  if (typeof v === 'number' && !Number.isFinite(v)) return null
  const s = String(v).trim().replace(/,/g, '')
  const m = DECIMAL.exec(s)
  if (!m) return null
  return { neg: m[1] === '-', int: m[2], frac: m[3] ?? '' }
}

/**
 * Yuan ("1,580.5", 1580.5, "1580.50") as integer fen, or null when it is not an
 * amount with at most two decimals. No float arithmetic: the digits are moved.
 */
export function yuanToFen(v: unknown): number | null {
  const p = decimalParts(v)
  if (!p) return null
  const frac = p.frac.replace(/0+$/, '')
  if (frac.length > 2) return null
  const fen = Number(p.int) * 100 + Number((frac + '00').slice(0, 2))
  if (!Number.isSafeInteger(fen)) return null
  return p.neg ? -fen : fen
}

/** Integer fen as the API's yuan string: 158050 → "1580.50". */
export function fenToYuan(fen: number): string {
  const neg = fen < 0
  const abs = Math.abs(Math.trunc(fen))
  const s = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
  return neg ? `-${s}` : s
}

/** Sum of yuan strings, exact to the fen; values that are not amounts count as 0. */
export function sumYuan(values: unknown[]): string {
  return fenToYuan(values.reduce<number>((acc, v) => acc + (yuanToFen(v) ?? 0), 0))
}

/** Why a typed amount cannot be sent, or null. */
export function moneyError(v: unknown, label: string, required = false): string | null {
  if (v === null || v === undefined || String(v).trim() === '') return required ? `请输入${label}` : null
  const fen = yuanToFen(v)
  if (fen === null) return `${label}应为数字，最多两位小数`
  if (fen < 0) return `${label}不能为负数`
  if (fen >= 1e15) return `${label}过大`
  return null
}

/** An amount as typed, in the API's form ("1580.5" → "1580.50"); blank → null. */
export function normalizeAmount(v: unknown): string | null {
  if (v === null || v === undefined || String(v).trim() === '') return null
  const fen = yuanToFen(v)
  return fen === null ? null : fenToYuan(fen)
}

/** Yuan as 万元 for chart axes (two decimals), from the exact fen. */
export function yuanToWan(v: unknown): number {
  const fen = yuanToFen(v)
  if (fen === null) return 0
  return Math.round(fen / 10000) / 100
}

/** Areas come as "12500.00"; shown "12,500.00 ㎡". */
export function formatArea(v: unknown, empty = '-'): string {
  const fen = yuanToFen(v)
  if (fen === null) return empty
  return `${formatMoney(fenToYuan(fen), empty).replace(/ 元$/, '')} ㎡`
}

export function areaError(v: unknown, label: string, required = false): string | null {
  const err = moneyError(v, label, required)
  return err ? err.replace('过大', '过大（最多 999,999,999,999.99 ㎡）') : null
}

/** The API sends yuan as strings ("1580.00"); never go through floats for sums. */
export function formatMoney(v: unknown, empty = '-'): string {
  if (v === null || v === undefined || v === '') return empty
  const s = String(v).trim()
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s)
  if (!m) return empty
  const frac = ((m[3] ?? '') + '00').slice(0, 2)
  const int = m[2].replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${m[1]}${int}.${frac} 元`
}

/** `1580.00` → `1,580.00 元/月`. */
/** Integer fen (the API's money from billing on) as `1,580.00 元`; not an integer → `empty`. */
export function formatFen(fen: unknown, empty = '-'): string {
  if (typeof fen !== 'number' || !Number.isSafeInteger(fen)) return empty
  return formatMoney(fenToYuan(fen), empty)
}

export function formatRent(v: unknown, empty = '-'): string {
  const s = formatMoney(v, '')
  return s ? `${s}/月` : empty
}

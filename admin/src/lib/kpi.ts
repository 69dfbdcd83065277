// 工作台指标 cards (GET /api/v1/dashboard/kpis): how a value is shown, and which charts the
// real data supports. A chart is drawn only from available cards: never a made-up number.

export interface KpiCard {
  key: string
  title: string
  value: number | string | null
  unit: string
  link: string | null
  available: boolean
  note?: string | null
}

export const EMPTY = '—'

function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** The big number on a card: `1,580.00` for money (the unit 元 is shown beside it), `—` when not available. */
export function kpiText(c: KpiCard): string {
  if (!c.available || c.value === null || c.value === undefined || c.value === '') return EMPTY
  const s = String(c.value).trim()
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s)
  if (!m) return s
  if (c.unit === '元') return `${m[1]}${groupThousands(m[2])}.${((m[3] ?? '') + '00').slice(0, 2)}`
  return `${m[1]}${groupThousands(m[2])}${m[3] ? '.' + m[3] : ''}`
}

export interface ChartSpec {
  key: string
  title: string
  type: 'pie' | 'bar'
  unit: string
  data: { name: string; value: number }[]
}

function num(c: KpiCard | undefined): number | null {
  if (!c || !c.available || c.value === null) return null
  const n = Number(c.value)
  return Number.isFinite(n) ? n : null
}

/** Charts whose every number is on an available card, and not all zero. */
export function chartsFor(cards: KpiCard[]): ChartSpec[] {
  const by = new Map(cards.map((c) => [c.key, c]))
  const out: ChartSpec[] = []
  const pair = (key: string, title: string, type: 'pie' | 'bar', a: string, b: string) => {
    const ca = by.get(a)
    const cb = by.get(b)
    const va = num(ca)
    const vb = num(cb)
    // Two zeros make an empty picture, not information.
    if (ca && cb && va !== null && vb !== null && (va !== 0 || vb !== 0)) {
      out.push({ key, title, type, unit: ca.unit, data: [{ name: ca.title, value: va }, { name: cb.title, value: vb }] })
    }
  }
  pair('allocation', '房源配租情况', 'pie', 'units_allocated', 'units_unallocated')
  pair('work', '业务办理情况', 'bar', 'todo', 'done')
  pair('arrears', '保障户数与欠租户数', 'bar', 'beneficiary_households', 'arrears_households')
  return out
}

// Pieces of the project page: the stock summary by unit state, links to its units, the alert job.
import { ALERT_KINDS } from '@/lib/housing/labels'
import { UNIT_STATE_COLORS, UNIT_STATES } from '@/lib/housing/unit-states'

export interface StockSummary {
  communities: number
  buildings: number
  units: number
  units_by_state: Record<string, number>
  community_list?: { id: number; name: string; address?: string | null; units: number }[]
}

/** The unit counts by state, in the order clerks read them, with colour and share. */
export function stockStateRows(stock: StockSummary | null | undefined): { state: string; label: string; count: number; color: string; share: number }[] {
  const by = stock?.units_by_state ?? {}
  const total = Object.values(by).reduce((a, b) => a + (Number(b) || 0), 0)
  return Object.keys(UNIT_STATES).map((state) => {
    const count = Number(by[state]) || 0
    return { state, label: UNIT_STATES[state], count, color: UNIT_STATE_COLORS[state], share: total ? count / total : 0 }
  })
}

/** Link to the unit table (another page) for a project, optionally one state or community. */
export function unitsLink(projectId: number | string, extra: Record<string, string | number> = {}): string {
  const q = new URLSearchParams({ project_id: String(projectId) })
  for (const [k, v] of Object.entries(extra)) q.set(k, String(v))
  return `/units?${q.toString()}`
}

/** The report after 立即检查, in a sentence. */
export function alertJobSummary(result: Record<string, any> | null | undefined): string {
  if (!result) return ''
  const k = result.by_kind ?? {}
  const parts = Object.keys(ALERT_KINDS)
    .filter((x) => Number(k[x]) > 0)
    .map((x) => `${ALERT_KINDS[x]} ${k[x]} 个`)
  return (
    `检查日期 ${result.today ?? '-'}，共检查 ${result.projects ?? 0} 个已认定项目：新增预警 ${result.created ?? 0} 条，` +
    `更新 ${result.updated ?? 0} 条，关闭 ${result.closed ?? 0} 条` +
    (parts.length ? `；当前${parts.join('、')}` : '；没有需要预警的项目')
  )
}

// Plan against actual (docs/housing-projects.md): the figures, completion rates and chart options of
// a plan's and a project's progress. Pure, so it is unit-tested.
import type { TagType } from '@/lib/cases'
import { normalizeAmount, yuanToFen, yuanToWan } from '@/lib/money'

export function formatCount(v: unknown, unit = '套', empty = '-'): string {
  if (v === null || v === undefined || v === '') return empty
  const n = Number(v)
  if (!Number.isFinite(n)) return empty
  return `${String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} ${unit}`.trim()
}

/** 0.525 → "52.5%"; null (no target) → "-". */
export function formatRate(r: unknown, empty = '-'): string {
  if (r === null || r === undefined || r === '') return empty
  const n = Number(r)
  if (!Number.isFinite(n)) return empty
  const pct = Math.round(n * 1000) / 10
  return `${pct}%`
}

/** Completion colour: met, under way, behind. */
export function rateTone(r: unknown): TagType {
  if (r === null || r === undefined) return 'info'
  const n = Number(r)
  if (!Number.isFinite(n)) return 'info'
  if (n >= 1) return 'success'
  if (n >= 0.5) return 'primary'
  return 'warning'
}

/** actual / target, or null when there is no target (the API's rule). */
export function ratio(actual: number, target: number): number | null {
  if (!target) return null
  return Math.round((actual / target) * 10000) / 10000
}

export interface TargetFigures {
  units_start: number
  units_complete: number
  area_start?: string | null
  area_complete?: string | null
  planned_investment: string
}

export interface ActualFigures {
  units_started: number
  units_completed: number
  area_started?: string | null
  area_completed?: string | null
  investment_done: string
  progress_percent?: number | null
  last_period?: string | null
}

export interface Rates {
  units_start: number | null
  units_complete: number | null
  area_start?: number | null
  area_complete?: number | null
  investment: number | null
}

export interface PlanProgress {
  plan: Record<string, any>
  year: number
  as_of: string | null
  totals: { target: TargetFigures; actual: ActualFigures; rate: Rates }
  items: { project_id: number; project_name: string; project_code: string; target: TargetFigures; actual: ActualFigures; rate: Rates }[]
  housing: { layout: string; planned_units: number }[]
  monthly: { period: string; units_started: number; units_completed: number; area_started?: string; area_completed?: string; investment_done: string }[]
}

export interface PlanProgressRow {
  project_id: number | null
  project_name: string
  project_code: string
  units_start: number
  units_started: number
  units_start_rate: number | null
  units_complete: number
  units_completed: number
  units_complete_rate: number | null
  area_start: string
  area_started: string
  area_start_rate: number | null
  area_complete: string
  area_completed: string
  area_complete_rate: number | null
  planned_investment: string
  investment_done: string
  investment_rate: number | null
  progress_percent: number | null
  last_period: string | null
}

function rateOr(given: number | null | undefined, actual: number, target: number): number | null {
  return given === null || given === undefined ? ratio(actual, target) : given
}

/** Rate of two two-decimal figures (yuan or ㎡), compared in exact hundredths. */
function decimalRate(given: number | null | undefined, done: unknown, planned: unknown): number | null {
  if (given !== null && given !== undefined) return given
  return ratio(yuanToFen(done) ?? 0, yuanToFen(planned) ?? 0)
}

function progressRow(
  head: { project_id: number | null; project_name: string; project_code: string },
  t: TargetFigures,
  a: ActualFigures,
  r: Partial<Rates> | undefined,
): PlanProgressRow {
  const ts = Number(t.units_start) || 0
  const tc = Number(t.units_complete) || 0
  const as = Number(a.units_started) || 0
  const ac = Number(a.units_completed) || 0
  return {
    ...head,
    units_start: ts,
    units_started: as,
    units_start_rate: rateOr(r?.units_start, as, ts),
    units_complete: tc,
    units_completed: ac,
    units_complete_rate: rateOr(r?.units_complete, ac, tc),
    area_start: normalizeAmount(t.area_start) ?? '0.00',
    area_started: normalizeAmount(a.area_started) ?? '0.00',
    area_start_rate: decimalRate(r?.area_start, a.area_started, t.area_start),
    area_complete: normalizeAmount(t.area_complete) ?? '0.00',
    area_completed: normalizeAmount(a.area_completed) ?? '0.00',
    area_complete_rate: decimalRate(r?.area_complete, a.area_completed, t.area_complete),
    planned_investment: normalizeAmount(t.planned_investment) ?? '0.00',
    investment_done: normalizeAmount(a.investment_done) ?? '0.00',
    investment_rate: decimalRate(r?.investment, a.investment_done, t.planned_investment),
    progress_percent: a.progress_percent ?? null,
    last_period: a.last_period ?? null,
  }
}

/** One table row per project target, then 合计. */
export function planProgressRows(p: PlanProgress | null | undefined): PlanProgressRow[] {
  if (!p) return []
  const rows = (p.items ?? []).map((i) =>
    progressRow({ project_id: i.project_id, project_name: i.project_name, project_code: i.project_code }, i.target, i.actual, i.rate),
  )
  if (!rows.length) return rows
  const total = progressRow({ project_id: null, project_name: '合计', project_code: '' }, p.totals.target, p.totals.actual, p.totals.rate)
  return [...rows, total]
}

const CHART_COLORS = ['#9ec5fe', '#1f7ae0', '#b3e19d', '#3aa757', '#f3d19e', '#e6a23c']

/** Title top left (with the plan or project as subtitle), toolbox top right, legend at the bottom. */
function chartTitle(title: string, subtitle: string): Record<string, any> {
  return { text: title, subtext: subtitle, left: 8, top: 4, textStyle: { fontSize: 15 }, subtextStyle: { fontSize: 12 } }
}

/** ECharts option: plan against actual per project, units or investment (万元). */
export function planChartOption(
  p: PlanProgress | null | undefined,
  metric: 'units' | 'investment',
  title: string,
  subtitle = '',
): Record<string, any> {
  const items = p?.items ?? []
  const names = items.map((i) => i.project_name)
  const series =
    metric === 'units'
      ? [
          { name: '计划开工', data: items.map((i) => Number(i.target.units_start) || 0) },
          { name: '实际开工', data: items.map((i) => Number(i.actual.units_started) || 0) },
          { name: '计划竣工', data: items.map((i) => Number(i.target.units_complete) || 0) },
          { name: '实际竣工', data: items.map((i) => Number(i.actual.units_completed) || 0) },
        ]
      : [
          { name: '计划投资', data: items.map((i) => yuanToWan(i.target.planned_investment)) },
          { name: '完成投资', data: items.map((i) => yuanToWan(i.actual.investment_done)) },
        ]
  const unit = metric === 'units' ? '套' : '万元'
  const palette = metric === 'units' ? CHART_COLORS.slice(0, 4) : [CHART_COLORS[4], CHART_COLORS[5]]
  return {
    title: chartTitle(title, subtitle),
    color: palette,
    toolbox: chartToolbox(subtitle ? `${subtitle}-${title}` : title),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => `${v} ${unit}` },
    legend: { bottom: 0 },
    grid: { left: 64, right: 24, top: 92, bottom: names.some((n) => n.length > 6) ? 84 : 56 },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 4 ? 20 : 0 } },
    yAxis: { type: 'value', name: unit, minInterval: metric === 'units' ? 1 : 0 },
    series: series.map((s) => ({ ...s, type: 'bar', barMaxWidth: 28, label: { show: items.length <= 6, position: 'top', fontSize: 11 } })),
  }
}

/** Month by month cumulative actuals of the plan year, for the line chart. */
export function monthlyChartOption(p: PlanProgress | null | undefined, title: string, subtitle = ''): Record<string, any> {
  const m = p?.monthly ?? []
  return {
    title: chartTitle(title, subtitle),
    color: ['#1f7ae0', '#3aa757', '#e6a23c'],
    toolbox: chartToolbox(subtitle ? `${subtitle}-${title}` : title),
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 64, right: 64, top: 92, bottom: 56 },
    xAxis: { type: 'category', data: m.map((x) => x.period.slice(5) + '月') },
    yAxis: [
      { type: 'value', name: '套', minInterval: 1 },
      { type: 'value', name: '万元', splitLine: { show: false } },
    ],
    series: [
      { name: '累计开工', type: 'line', smooth: true, data: m.map((x) => x.units_started) },
      { name: '累计竣工', type: 'line', smooth: true, data: m.map((x) => x.units_completed) },
      { name: '累计完成投资', type: 'bar', yAxisIndex: 1, barMaxWidth: 22, data: m.map((x) => yuanToWan(x.investment_done)) },
    ],
  }
}

/** The toolbox every chart carries: save as image, look at the data. */
export function chartToolbox(title: string): Record<string, any> {
  return {
    right: 8,
    feature: {
      dataView: { readOnly: true, title: '数据', lang: ['数据', '关闭', '刷新'] },
      saveAsImage: { title: '保存为图片', name: title, pixelRatio: 2, backgroundColor: '#fff' },
    },
  }
}

export interface ProgressRecord {
  id?: number
  period: string
  progress_percent: number
  investment_done: string
  units_started: number
  units_completed: number
  area_started?: string | null
  area_completed?: string | null
}

/**
 * A project's progress history (newest first from the API) as a chart, oldest month
 * left: progress on a 0–100 % axis, investment in 万元 and units in 套 on their own axes.
 */
export function progressChartOption(records: ProgressRecord[], title: string, subtitle = ''): Record<string, any> {
  const rows = [...records].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0))
  return {
    title: chartTitle(title, subtitle),
    color: ['#1f7ae0', '#e6a23c', '#3aa757', '#8e6fd8'],
    toolbox: chartToolbox(subtitle ? `${subtitle}-${title}` : title),
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 56, right: 130, top: 92, bottom: 56 },
    xAxis: { type: 'category', data: rows.map((r) => r.period) },
    yAxis: [
      { type: 'value', name: '形象进度 %', min: 0, max: 100 },
      { type: 'value', name: '万元', position: 'right', splitLine: { show: false } },
      { type: 'value', name: '套', position: 'right', offset: 66, minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      { name: '形象进度（%）', type: 'line', data: rows.map((r) => r.progress_percent), label: { show: rows.length <= 12, formatter: '{c}%' } },
      { name: '累计完成投资（万元）', type: 'bar', yAxisIndex: 1, barMaxWidth: 24, data: rows.map((r) => yuanToWan(r.investment_done)) },
      { name: '累计开工套数', type: 'line', yAxisIndex: 2, data: rows.map((r) => r.units_started) },
      { name: '累计竣工套数', type: 'line', yAxisIndex: 2, data: rows.map((r) => r.units_completed) },
    ],
  }
}

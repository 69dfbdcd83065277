// Annual plans, projects, project cases and qualification alerts (docs/housing-projects.md):
// labels, money and area in exact cents, plan-versus-actual figures, chart options and the
// request bodies the screens send. Pure, so it is unit-tested.
import type { Dict } from './dicts'
import type { TagType } from './cases'
import { formatMoney } from './format'
import { type Target, at } from '@/api/client'

// ------------------------------------------------------------------ dictionaries

export const PROJECT_STATES: Dict = { declared: '申报中', recognized: '已认定', exited: '已退出' }

/** Marker and legend colours of a project's state on the maps. */
export const PROJECT_STATE_COLORS: Record<string, string> = {
  declared: '#e6a23c',
  recognized: '#1f7ae0',
  exited: '#909399',
}

export function projectStateTag(state: unknown): TagType {
  return state === 'recognized' ? 'success' : state === 'declared' ? 'warning' : 'info'
}

export function projectStateColor(state: unknown): string {
  return PROJECT_STATE_COLORS[String(state)] ?? '#606266'
}

export const SUPPLY_MODES: Dict = {
  new_build: '新建',
  allocated: '配建',
  renovated: '改建',
  idle: '闲置房源盘活',
  non_residential: '非居住存量房屋改建',
  other: '其他',
}

export const UNIT_STATES: Dict = {
  not_in_stock: '未入库',
  available: '可配租',
  allocated: '已配租',
  locked: '已锁定',
  repairing: '维修中',
  delisted: '已下架',
}

export const UNIT_STATE_COLORS: Record<string, string> = {
  not_in_stock: '#c0c4cc',
  available: '#67c23a',
  allocated: '#409eff',
  locked: '#f56c6c',
  repairing: '#e6a23c',
  delisted: '#909399',
}

export const CONSTRUCTION_STATES: Dict = { planned: '未开工', building: '在建', completed: '已竣工' }

export const QUALIFICATION_STATUS: Dict = { valid: '有效', expiring: '即将到期', expired: '已过期', none: '未设置' }

export function qualificationTag(status: unknown): TagType {
  switch (status) {
    case 'valid':
      return 'success'
    case 'expiring':
      return 'warning'
    case 'expired':
      return 'danger'
    default:
      return 'info'
  }
}

export const ALERT_KINDS: Dict = { expiring: '即将到期', expired: '已过期', overdue: '逾期未处理' }

export function alertKindTag(kind: unknown): TagType {
  return kind === 'expiring' ? 'warning' : kind === 'expired' ? 'danger' : kind === 'overdue' ? 'danger' : 'info'
}

export const ALERT_STATUS: Dict = { open: '未关闭', closed: '已关闭' }

export const CERTIFICATE_STATUS: Dict = { valid: '有效', revoked: '已作废' }

export const FILE_KINDS = ['规划图纸', '施工图', '批文', '竣工验收', '其他'] as const

export const LAYOUTS = ['单间', '一室', '一室一厅', '两室一厅', '三室一厅', '三室两厅']

/** The project cases a project's page starts, and where their form lives. */
export const PROJECT_CASE_TYPES: Dict = {
  progress_report: '项目进度申报',
  project_exit: '项目退出申报',
  unit_intake: '房源入库申请',
}

// ------------------------------------------------------------------ money and area

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

/** "剩余 24 天" / "今日到期" / "已过期 3 天". */
export function daysLeftText(days: unknown): string {
  if (days === null || days === undefined || days === '') return '-'
  const n = Number(days)
  if (!Number.isFinite(n)) return '-'
  if (n > 0) return `剩余 ${n} 天`
  if (n === 0) return '今日到期'
  return `已过期 ${-n} 天`
}

// ------------------------------------------------------------------ plan versus actual

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

// ------------------------------------------------------------------ exporting chart data

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return ''
  const s = String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** CSV that Excel opens with the Chinese intact (UTF-8 with BOM, CRLF). */
export function toCsv(headers: string[], rows: unknown[][]): string {
  return '\ufeff' + [headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

export function planProgressCsv(p: PlanProgress): string {
  const rows = planProgressRows(p).map((r) => [
    r.project_code,
    r.project_name,
    r.units_start,
    r.units_started,
    formatRate(r.units_start_rate, ''),
    r.units_complete,
    r.units_completed,
    formatRate(r.units_complete_rate, ''),
    r.planned_investment,
    r.investment_done,
    formatRate(r.investment_rate, ''),
    r.area_start,
    r.area_started,
    formatRate(r.area_start_rate, ''),
    r.area_complete,
    r.area_completed,
    formatRate(r.area_complete_rate, ''),
    r.progress_percent ?? '',
    r.last_period ?? '',
  ])
  const monthly = (p.monthly ?? []).map((m) => [
    '',
    `${m.period} 累计`,
    '',
    m.units_started,
    '',
    '',
    m.units_completed,
    '',
    '',
    normalizeAmount(m.investment_done) ?? '',
    '',
    '',
    normalizeAmount(m.area_started) ?? '',
    '',
    '',
    normalizeAmount(m.area_completed) ?? '',
    '',
    '',
    '',
  ])
  // Area columns come after the investment ones, so the earlier columns keep their places.
  return toCsv(
    [
      '项目编号',
      '项目',
      '计划开工（套）',
      '实际开工（套）',
      '开工完成率',
      '计划竣工（套）',
      '实际竣工（套）',
      '竣工完成率',
      '计划投资（元）',
      '完成投资（元）',
      '投资完成率',
      '计划开工面积（㎡）',
      '实际开工面积（㎡）',
      '开工面积完成率',
      '计划竣工面积（㎡）',
      '实际竣工面积（㎡）',
      '竣工面积完成率',
      '形象进度（%）',
      '最近申报月份',
    ],
    [...rows, ...monthly],
  )
}

export function progressCsv(records: ProgressRecord[]): string {
  const rows = [...records].sort((a, b) => (a.period < b.period ? -1 : 1))
  return toCsv(
    ['申报月份', '形象进度（%）', '累计完成投资（元）', '累计开工套数', '累计竣工套数', '累计开工面积（㎡）', '累计竣工面积（㎡）'],
    rows.map((r) => [
      r.period,
      r.progress_percent,
      normalizeAmount(r.investment_done) ?? '',
      r.units_started,
      r.units_completed,
      normalizeAmount(r.area_started) ?? '',
      normalizeAmount(r.area_completed) ?? '',
    ]),
  )
}

// ------------------------------------------------------------------ plan and target forms

export interface PlanForm {
  year: number | null
  name: string
  district_code: string
  description: string
}

export function planFormErrors(f: PlanForm): Record<string, string> {
  const out: Record<string, string> = {}
  if (!f.year || f.year < 2000 || f.year > 2100) out.year = '请选择计划年度（2000–2100）'
  const name = (f.name ?? '').trim()
  if (!name) out.name = '请输入计划名称'
  else if (name.length > 128) out.name = '计划名称不能超过 128 个字'
  if ((f.description ?? '').length > 5000) out.description = '说明不能超过 5000 字'
  return out
}

export function planPayload(f: PlanForm): Record<string, unknown> {
  return {
    year: Number(f.year),
    name: f.name.trim(),
    district_code: f.district_code || null,
    description: f.description.trim() || null,
  }
}

export interface ProjectTargetForm {
  project_id: number | null
  units_start: number | null
  units_complete: number | null
  area_start: string
  area_complete: string
  start_date: string
  completion_date: string
  planned_investment: string
}

export function emptyProjectTarget(): ProjectTargetForm {
  return { project_id: null, units_start: 0, units_complete: 0, area_start: '', area_complete: '', start_date: '', completion_date: '', planned_investment: '' }
}

export function projectTargetErrors(f: ProjectTargetForm, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  if (creating && !f.project_id) out.project_id = '请选择项目'
  for (const k of ['units_start', 'units_complete'] as const) {
    const v = f[k]
    if (v !== null && v !== undefined && (!Number.isInteger(Number(v)) || Number(v) < 0 || Number(v) > 1_000_000)) out[k] = '套数应为 0 到 1,000,000 的整数'
  }
  const a1 = areaError(f.area_start, '计划开工面积')
  if (a1) out.area_start = a1
  const a2 = areaError(f.area_complete, '计划竣工面积')
  if (a2) out.area_complete = a2
  const m = moneyError(f.planned_investment, '计划投资')
  if (m) out.planned_investment = m
  if (f.start_date && f.completion_date && f.completion_date < f.start_date) out.completion_date = '计划竣工日期不能早于计划开工日期'
  return out
}

/** POST body (with plan and project) or PUT body (without: they cannot change). */
export function projectTargetPayload(f: ProjectTargetForm, planId: number | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    units_start: Number(f.units_start) || 0,
    units_complete: Number(f.units_complete) || 0,
    area_start: normalizeAmount(f.area_start) ?? '0.00',
    area_complete: normalizeAmount(f.area_complete) ?? '0.00',
    start_date: f.start_date || null,
    completion_date: f.completion_date || null,
    planned_investment: normalizeAmount(f.planned_investment) ?? '0.00',
  }
  if (planId !== null) return { plan_id: planId, project_id: f.project_id, ...body }
  return body
}

export function projectTargetForm(row: Record<string, any>): ProjectTargetForm {
  return {
    project_id: row.project_id ?? null,
    units_start: row.units_start ?? 0,
    units_complete: row.units_complete ?? 0,
    area_start: row.area_start ?? '',
    area_complete: row.area_complete ?? '',
    start_date: row.start_date ?? '',
    completion_date: row.completion_date ?? '',
    planned_investment: row.planned_investment ?? '',
  }
}

export interface HousingTargetForm {
  project_id: number | null
  layout: string
  planned_units: number | null
  area_per_unit: string
}

export function housingTargetErrors(f: HousingTargetForm, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  if (creating && !f.project_id) out.project_id = '请选择项目'
  const layout = (f.layout ?? '').trim()
  if (!layout) out.layout = '请选择或输入户型'
  else if (layout.length > 32) out.layout = '户型不能超过 32 个字'
  const n = f.planned_units
  if (n === null || n === undefined || !Number.isInteger(Number(n)) || Number(n) < 0 || Number(n) > 1_000_000) out.planned_units = '请输入计划套数（0 到 1,000,000 的整数）'
  const a = areaError(f.area_per_unit, '套均面积')
  if (a) out.area_per_unit = a
  return out
}

export function housingTargetPayload(f: HousingTargetForm, planId: number | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    layout: f.layout.trim(),
    planned_units: Number(f.planned_units) || 0,
    area_per_unit: normalizeAmount(f.area_per_unit),
  }
  if (planId !== null) return { plan_id: planId, project_id: f.project_id, ...body }
  return body
}

// ------------------------------------------------------------------ project edits

export interface ProjectEditForm {
  name: string
  address: string
  supply_mode: string
  land_area: string
  building_area: string
  unit_count: number | null
  total_investment: string
  lng: number | null
  lat: number | null
  description: string
  rea_project_code: string
  qualification_from: string
  qualification_to: string
}

export function projectEditForm(p: Record<string, any>): ProjectEditForm {
  const bd = p.location?.bd09
  return {
    name: p.name ?? '',
    address: p.address ?? '',
    supply_mode: p.supply_mode ?? '',
    land_area: p.land_area ?? '',
    building_area: p.building_area ?? '',
    unit_count: p.unit_count ?? null,
    total_investment: p.total_investment ?? '',
    lng: bd ? Number(bd.lng) : null,
    lat: bd ? Number(bd.lat) : null,
    description: p.description ?? '',
    rea_project_code: p.rea_project_code ?? '',
    qualification_from: p.qualification_from ?? '',
    qualification_to: p.qualification_to ?? '',
  }
}

export function projectEditErrors(f: ProjectEditForm, fields: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  const may = new Set(fields)
  if (may.has('name') && !f.name.trim()) out.name = '请输入项目名称'
  if (may.has('address') && !f.address.trim()) out.address = '请输入项目地址'
  for (const [k, label] of [
    ['land_area', '用地面积'],
    ['building_area', '建筑面积'],
  ] as const) {
    const e = may.has(k) ? areaError(f[k], label) : null
    if (e) out[k] = e
  }
  const m = may.has('total_investment') ? moneyError(f.total_investment, '总投资') : null
  if (m) out.total_investment = m
  if (may.has('qualification_to') && f.qualification_from && f.qualification_to && f.qualification_to < f.qualification_from) {
    out.qualification_to = '资格期止不能早于资格期起'
  }
  return out
}

function sameNumber(a: unknown, b: unknown): boolean {
  return normalizeAmount(a) === normalizeAmount(b)
}

/** PATCH body: only the fields the caller may change and has changed. */
export function projectPatch(original: Record<string, any>, f: ProjectEditForm, fields: string[]): Record<string, unknown> {
  const may = new Set(fields)
  const o = projectEditForm(original)
  const out: Record<string, unknown> = {}
  const text = (k: 'name' | 'address' | 'description' | 'rea_project_code', nullable: boolean) => {
    if (!may.has(k) || f[k].trim() === o[k].trim()) return
    out[k] = f[k].trim() || (nullable ? null : '')
  }
  text('name', false)
  text('address', false)
  text('description', true)
  text('rea_project_code', true)
  if (may.has('supply_mode') && f.supply_mode && f.supply_mode !== o.supply_mode) out.supply_mode = f.supply_mode
  for (const k of ['land_area', 'building_area', 'total_investment'] as const) {
    if (may.has(k) && !sameNumber(f[k], o[k])) out[k] = normalizeAmount(f[k])
  }
  if (may.has('unit_count') && f.unit_count !== null && Number(f.unit_count) !== Number(o.unit_count)) out.unit_count = Number(f.unit_count)
  if (may.has('location') && (f.lng !== o.lng || f.lat !== o.lat)) {
    out.location = f.lng === null || f.lat === null ? null : { lng: f.lng, lat: f.lat, system: 'bd09' }
  }
  for (const k of ['qualification_from', 'qualification_to'] as const) {
    if (may.has(k) && (f[k] || '') !== (o[k] || '')) out[k] = f[k] || null
  }
  return out
}

// ------------------------------------------------------------------ project cases

export interface MaterialRef {
  file_id: string
  material_type: string
}

/** Fields the server fills in itself (the project's name) are not asked for. */
export function withoutFields<T extends { field?: string }>(rules: T[], fields: string[]): T[] {
  return rules.filter((r) => !r.field || !fields.includes(r.field))
}

/**
 * The request that starts a case on a project. Exit and progress go through the
 * project's own endpoint (it checks the project and fills in its name); an intake
 * is a plain case naming the project in `subjects`.
 */
export function projectCaseRequest(
  caseType: string,
  project: { id: number; name: string; builder_id: number; district_code: string },
  form: Record<string, unknown>,
  materials: MaterialRef[],
  submit: boolean,
): { url: Target<'post'>; body: Record<string, unknown> } {
  const mats = materials.filter((m) => m.file_id).map((m) => ({ file_id: m.file_id, material_type: m.material_type || '其他材料' }))
  if (caseType === 'project_exit' || caseType === 'progress_report') {
    const f = { ...form }
    delete f.project_name
    return { url: at('/housing/projects/{project_id}/cases', { project_id: project.id }), body: { case_type: caseType, form: f, materials: mats, submit } }
  }
  return {
    url: '/cases',
    body: {
      case_type: caseType,
      applicant: { kind: 'ORG', org_id: project.builder_id },
      district_code: project.district_code,
      subjects: { project_id: project.id },
      form: { ...form, project_name: project.name },
      materials: mats,
      submit,
    },
  }
}

export interface DeclarationState {
  org_id: number | string | null
  district_code: string
  form: Record<string, unknown>
  lng: number | null
  lat: number | null
  materials: MaterialRef[]
}

/** Body of `POST /api/v1/cases` for a 项目申报; the picked point goes into the form as BD-09. */
export function declarationPayload(s: DeclarationState, submit: boolean): Record<string, unknown> {
  return {
    case_type: 'project_declaration',
    applicant: { kind: 'ORG', org_id: Number(s.org_id) },
    district_code: s.district_code,
    form: { ...s.form, lng: s.lng, lat: s.lat },
    materials: s.materials.filter((m) => m.file_id).map((m) => ({ file_id: m.file_id, material_type: m.material_type || '其他材料' })),
    submit,
  }
}

/** "1栋:33:264" lines → their unit total, or a message naming the bad line. */
export function buildingLines(text: unknown): { total: number; count: number; error: string | null } {
  const lines = String(text ?? '')
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => l.trim())
  let total = 0
  const seen = new Set<string>()
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*([^:：]{1,64}?)\s*[:：]\s*(\d{1,4})\s*[:：]\s*(\d{1,7})\s*$/.exec(lines[i])
    if (!m) return { total, count: i, error: `第 ${i + 1} 行应为“楼栋名:层数:套数”，如“1栋:33:396”` }
    if (seen.has(m[1].trim())) return { total, count: i, error: `楼栋“${m[1].trim()}”重复` }
    seen.add(m[1].trim())
    const floors = Number(m[2])
    if (floors < 1 || floors > 200) return { total, count: i, error: `楼栋“${m[1].trim()}”的层数应在 1 到 200 之间` }
    total += Number(m[3])
  }
  return { total, count: lines.length, error: null }
}

/** What the declaration still lacks before it may be submitted (besides the form's own rules). */
export function declarationProblems(s: DeclarationState): Record<string, string> {
  const out: Record<string, string> = {}
  if (s.org_id === null || s.org_id === '' || s.org_id === undefined) out.org_id = '请选择申报的建设单位'
  if (!s.district_code || s.district_code === '440700') out.district_code = '请选择项目所在区（市）'
  const b = buildingLines(s.form.buildings)
  if (b.error) out.buildings = b.error
  else if (s.form.planned_units !== undefined && s.form.planned_units !== null && b.total > Number(s.form.planned_units)) {
    out.buildings = `各楼栋套数之和（${b.total} 套）超过计划套数（${s.form.planned_units} 套）`
  }
  return out
}

// ------------------------------------------------------------------ project page pieces

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

// ------------------------------------------------------------------ the alert job

export interface JobStatus {
  id: string
  status: string
  progress: number
  total: number
  message?: string | null
  result?: Record<string, any> | null
  errors?: unknown[]
}

export const JOB_STATUS: Dict = { queued: '排队中', running: '运行中', done: '已完成', failed: '失败' }

export function jobFinished(j: JobStatus | null | undefined): boolean {
  return !!j && (j.status === 'done' || j.status === 'failed')
}

export function jobPercent(j: JobStatus | null | undefined): number {
  if (!j) return 0
  if (j.status === 'done') return 100
  if (!j.total) return 0
  return Math.max(0, Math.min(99, Math.round((j.progress / j.total) * 100)))
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

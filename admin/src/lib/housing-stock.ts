// Housing stock (小区 → 楼栋 → 单元 → 楼层 → 房屋): unit states and their look,
// the graphic unit table's layout, list filters, REA-01 picks, the Excel import
// report and unit history. Pure, so it is unit-tested. The contract is
// docs/housing-stock.md.
import type { Dict } from './dicts'
import type { FilterDef, FilterOption } from './query'
import { formatMoney } from './format'

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

// ------------------------------------------------------------------ states

export const UNIT_STATE_ORDER = ['not_in_stock', 'available', 'allocated', 'locked', 'repairing', 'delisted'] as const
export type UnitState = (typeof UNIT_STATE_ORDER)[number]

export const UNIT_STATES: Dict = {
  not_in_stock: '未入库',
  available: '可配租',
  allocated: '已配租',
  locked: '已锁定',
  repairing: '维修中',
  delisted: '已下架',
}

export type CellPattern = 'none' | 'dashed' | 'stripes' | 'dots' | 'cross'

export interface StateStyle {
  state: string
  label: string
  /** One character shown in every cell, so the state never rests on colour alone. */
  short: string
  fill: string
  text: string
  border: string
  pattern: CellPattern
}

// Fills are light enough for dark text (WCAG AA ≥ 4.5:1, checked in the tests) and
// differ in lightness as well as hue; locked, repairing and delisted also carry a
// texture, so the grid still reads for a colour-blind clerk and in greyscale print.
export const STATE_STYLES: Record<UnitState, StateStyle> = {
  not_in_stock: { state: 'not_in_stock', label: '未入库', short: '未', fill: '#EEF0F3', text: '#4B5563', border: '#A8ABB2', pattern: 'dashed' },
  available: { state: 'available', label: '可配租', short: '空', fill: '#9FDDB4', text: '#0E3B20', border: '#2F8F55', pattern: 'none' },
  allocated: { state: 'allocated', label: '已配租', short: '租', fill: '#A8C8F0', text: '#0B2E59', border: '#3A72C0', pattern: 'none' },
  locked: { state: 'locked', label: '已锁定', short: '锁', fill: '#F6A38E', text: '#5A1206', border: '#C2410C', pattern: 'stripes' },
  repairing: { state: 'repairing', label: '维修中', short: '修', fill: '#F5D76E', text: '#4A3800', border: '#B08A00', pattern: 'dots' },
  delisted: { state: 'delisted', label: '已下架', short: '下', fill: '#5B616B', text: '#FFFFFF', border: '#3C4148', pattern: 'cross' },
}

const UNKNOWN_STYLE: StateStyle = { state: '', label: '未知', short: '?', fill: '#FFFFFF', text: '#303133', border: '#C0C4CC', pattern: 'none' }

export function stateStyle(state: unknown): StateStyle {
  const s = STATE_STYLES[String(state) as UnitState]
  return s ?? { ...UNKNOWN_STYLE, state: String(state ?? ''), label: state ? String(state) : '未知' }
}

export function stateLabel(state: unknown, name?: unknown): string {
  if (typeof name === 'string' && name) return name
  if (state === null || state === undefined || state === '') return '-'
  return UNIT_STATES[String(state)] ?? String(state)
}

export function stateTagType(state: unknown): TagType {
  switch (state) {
    case 'available':
      return 'success'
    case 'allocated':
      return 'primary'
    case 'locked':
      return 'danger'
    case 'repairing':
      return 'warning'
    default:
      return 'info'
  }
}

export function stateOptions(): FilterOption[] {
  return UNIT_STATE_ORDER.map((s) => ({ value: s, label: UNIT_STATES[s] }))
}

/** CSS background of a cell: its fill plus its texture. */
export function cellBackground(style: StateStyle): string {
  switch (style.pattern) {
    case 'stripes':
      return `repeating-linear-gradient(135deg, ${style.fill} 0 8px, rgba(255,255,255,0.3) 8px 10px)`
    case 'dots':
      return `radial-gradient(rgba(0,0,0,0.16) 1px, transparent 1.5px) 0 0 / 6px 6px, ${style.fill}`
    case 'cross':
      return `repeating-linear-gradient(45deg, rgba(255,255,255,0.12) 0 2px, transparent 2px 8px), ${style.fill}`
    default:
      return style.fill
  }
}

function luminance(hex: string): number {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim())
  if (!m) return 0
  const v = [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)))
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]
}

/** WCAG contrast ratio of two `#rrggbb` colours (1 … 21). */
export function contrastRatio(a: string, b: string): number {
  const x = luminance(a)
  const y = luminance(b)
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05)
}

// ------------------------------------------------------------------ display formats

/** Areas come as strings with two decimals: `"89.5"` → `89.50 ㎡`. */
export function formatArea(v: unknown, empty = '-'): string {
  if (v === null || v === undefined || v === '') return empty
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(v).trim())
  if (!m) return empty
  const frac = ((m[3] ?? '') + '00').slice(0, 2)
  const int = m[2].replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${m[1]}${int}.${frac} ㎡`
}

/** `1580.00` → `1,580.00 元/月`. */
export function formatRent(v: unknown, empty = '-'): string {
  const s = formatMoney(v, '')
  return s ? `${s}/月` : empty
}

/** 33 → `33层`, -1 → `地下1层`. */
export function floorLabel(floor: number): string {
  return floor < 0 ? `地下${-floor}层` : `${floor}层`
}

/** The short label beside a grid row: `33F`, `B1`. */
export function floorShort(floor: number): string {
  return floor < 0 ? `B${-floor}` : `${floor}F`
}

export function residentialLabel(v: unknown): string {
  if (v === null || v === undefined) return '-'
  return v ? '住宅' : '非住宅'
}

// ------------------------------------------------------------------ the unit table (graphic view)

export interface TableUnit {
  id: number
  number: string
  entrance_id: number | null
  state: string
  layout?: string | null
  area?: string | null
  residential?: boolean | null
}

export interface TableFloor {
  floor: number
  units: TableUnit[]
}

export interface TableBuilding {
  id: number
  name: string
  floors: number
  basement_floors: number
  community_id: number
  community_name: string
  project_id?: number | null
  district_code?: string | null
  district_name?: string | null
  rea_building_code?: string | null
}

export interface UnitTable {
  building: TableBuilding
  entrances: { id: number; name: string }[]
  floors: TableFloor[]
  columns: number
  counts: Record<string, number>
  total: number
  legend?: { state: string; label: string; color: string }[]
  version?: string
}

export interface GridCell {
  unit: TableUnit
  /** 1-based CSS grid column (the floor label column is not counted). */
  col: number
}

export interface GridRow {
  floor: number
  label: string
  cells: GridCell[]
  /** Grid columns of this floor with no unit, drawn as empty slots. */
  empty: number[]
  total: number
}

export interface GridGroup {
  entranceId: number | null
  name: string
  start: number
  span: number
  total: number
}

export interface GridLayout {
  groups: GridGroup[]
  rows: GridRow[]
  /** Grid columns in all, spacer columns between entrances included. */
  width: number
  /** Grid columns that separate two entrances. */
  spacers: number[]
  total: number
}

/** Natural order: `2` before `10`, `1-1201` before `2-101`. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/).filter(Boolean)
  const pb = b.split(/(\d+)/).filter(Boolean)
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]
    const y = pb[i]
    const nx = /^\d+$/.test(x)
    const ny = /^\d+$/.test(y)
    if (nx && ny) {
      const d = Number(x) - Number(y)
      if (d !== 0) return d
    } else if (nx !== ny) {
      return nx ? -1 : 1
    } else if (x !== y) {
      return x < y ? -1 : 1
    }
  }
  return pa.length - pb.length
}

/**
 * The position of a unit on its floor from its number: `1203` on floor 12 → `03`,
 * `2-1203` → `03`, `B102` on floor -1 → `02`. Null when the number does not start
 * with its floor (irregular numbering), and the grid falls back to order.
 */
export function unitColumnKey(number: string, floor: number): string | null {
  let s = String(number ?? '').trim()
  const dash = s.lastIndexOf('-')
  if (dash > 0) s = s.slice(dash + 1)
  if (floor < 0) s = s.replace(/^(B|b|负|地下|-)/, '')
  const f = String(Math.abs(floor))
  if (!s.startsWith(f)) return null
  const rest = s.slice(f.length)
  return rest ? rest : null
}

interface GroupPlan {
  entranceId: number | null
  name: string
  keyed: boolean
  keys: string[]
  span: number
  total: number
}

function planGroup(entranceId: number | null, name: string, floors: TableFloor[]): GroupPlan {
  const perFloor = floors.map((f) => ({ floor: f.floor, units: f.units.filter((u) => (u.entrance_id ?? null) === entranceId) }))
  const maxPerFloor = Math.max(0, ...perFloor.map((f) => f.units.length))
  const total = perFloor.reduce((n, f) => n + f.units.length, 0)
  const keys = new Set<string>()
  let keyed = total > 0
  for (const f of perFloor) {
    const seen = new Set<string>()
    for (const u of f.units) {
      const k = unitColumnKey(u.number, f.floor)
      if (k === null || seen.has(k)) {
        keyed = false
        break
      }
      seen.add(k)
      keys.add(k)
    }
    if (!keyed) break
  }
  // Numbering that scatters over many positions is drawn by order instead.
  if (keyed && keys.size > Math.max(maxPerFloor * 2, maxPerFloor + 4)) keyed = false
  const sorted = keyed ? [...keys].sort(naturalCompare) : []
  return { entranceId, name, keyed, keys: sorted, span: keyed ? sorted.length : maxPerFloor, total }
}

/**
 * Lay out a building's table as a grid: entrances side by side (with a spacer column
 * between them), the top floor first, each unit in the column of its position on the
 * floor so a missing unit leaves a visible gap instead of shifting its neighbours.
 */
export function buildGrid(table: UnitTable | null | undefined): GridLayout {
  const floors = Array.isArray(table?.floors) ? table!.floors : []
  const entrances = Array.isArray(table?.entrances) ? table!.entrances : []
  const known = new Set(entrances.map((e) => e.id))
  // Units of an entrance the table does not list are drawn with the unnamed ones.
  const norm: TableFloor[] = floors.map((f) => ({
    floor: f.floor,
    units: (f.units ?? []).map((u) => (u.entrance_id !== null && u.entrance_id !== undefined && known.has(u.entrance_id) ? u : { ...u, entrance_id: null })),
  }))
  const plans: GroupPlan[] = []
  for (const e of entrances) {
    const p = planGroup(e.id, e.name, norm)
    if (p.total > 0) plans.push(p)
  }
  const loose = planGroup(null, entrances.length ? '其他' : '', norm)
  if (loose.total > 0) plans.push(loose)

  const groups: GridGroup[] = []
  const spacers: number[] = []
  let col = 1
  for (const p of plans) {
    if (groups.length) {
      spacers.push(col)
      col += 1
    }
    groups.push({ entranceId: p.entranceId, name: p.name, start: col, span: p.span, total: p.total })
    col += p.span
  }
  const width = Math.max(0, col - 1)

  const rows: GridRow[] = norm.map((f) => {
    const cells: GridCell[] = []
    const used = new Set<number>()
    plans.forEach((p, gi) => {
      const g = groups[gi]
      const units = f.units.filter((u) => (u.entrance_id ?? null) === p.entranceId)
      units.forEach((u, i) => {
        const idx = p.keyed ? p.keys.indexOf(unitColumnKey(u.number, f.floor) as string) : i
        const c = g.start + idx
        cells.push({ unit: u, col: c })
        used.add(c)
      })
    })
    const empty: number[] = []
    for (const g of groups) for (let c = g.start; c < g.start + g.span; c++) if (!used.has(c)) empty.push(c)
    return { floor: f.floor, label: floorShort(f.floor), cells, empty, total: f.units.length }
  })
  return { groups, rows, width, spacers, total: rows.reduce((n, r) => n + r.total, 0) }
}

/** `grid-template-columns` of the grid body (label column first). */
export function gridTemplate(layout: GridLayout, cell: string, spacer = '10px', label = '52px'): string {
  const parts = [label]
  const spacerSet = new Set(layout.spacers)
  for (let c = 1; c <= layout.width; c++) parts.push(spacerSet.has(c) ? spacer : cell)
  return parts.join(' ')
}

export interface LegendItem {
  state: string
  label: string
  count: number
  style: StateStyle
}

/** Every state with its count (zeros too, so the legend never jumps). */
export function legendItems(counts: Record<string, number> | null | undefined): LegendItem[] {
  const c = counts ?? {}
  const items: LegendItem[] = UNIT_STATE_ORDER.map((s) => ({ state: s, label: UNIT_STATES[s], count: Number(c[s]) || 0, style: STATE_STYLES[s] }))
  for (const [s, n] of Object.entries(c)) {
    if (!(s in STATE_STYLES)) items.push({ state: s, label: s, count: Number(n) || 0, style: stateStyle(s) })
  }
  return items
}

/** Segments of a stacked bar of states (for building and community cards). */
export function stateBar(counts: Record<string, number> | null | undefined): { state: string; label: string; count: number; percent: number; color: string }[] {
  const items = legendItems(counts).filter((i) => i.count > 0)
  const total = items.reduce((n, i) => n + i.count, 0)
  if (!total) return []
  return items.map((i) => ({ state: i.state, label: i.label, count: i.count, percent: Math.round((i.count / total) * 1000) / 10, color: i.style.border }))
}

/** The tooltip of a cell. */
export function unitTip(u: TableUnit, floor: number, entranceName?: string | null): string[] {
  const lines = [`${u.number}  ${stateLabel(u.state)}`]
  const facts = [u.layout || '', u.area ? formatArea(u.area) : ''].filter(Boolean)
  if (facts.length) lines.push(facts.join(' · '))
  const where = [entranceName || '', floorLabel(floor), u.residential === false ? '非住宅' : u.residential ? '住宅' : ''].filter(Boolean)
  lines.push(where.join(' · '))
  return lines
}

// ------------------------------------------------------------------ highlighting in the graphic view

export interface Highlight {
  states: string[]
  layout: string
  areaMin: number | null
  areaMax: number | null
  number: string
}

export function emptyHighlight(): Highlight {
  return { states: [], layout: '', areaMin: null, areaMax: null, number: '' }
}

export function highlightActive(h: Highlight): boolean {
  return h.states.length > 0 || !!h.layout.trim() || h.areaMin !== null || h.areaMax !== null || !!h.number.trim()
}

/** Whether a unit matches the highlight (every condition given must hold). */
export function cellMatches(u: TableUnit, h: Highlight): boolean {
  if (h.states.length && !h.states.includes(u.state)) return false
  if (h.layout.trim() && !(u.layout ?? '').includes(h.layout.trim())) return false
  if (h.number.trim() && !String(u.number).includes(h.number.trim())) return false
  if (h.areaMin !== null || h.areaMax !== null) {
    const a = Number(u.area)
    if (!Number.isFinite(a) || u.area === null || u.area === undefined || u.area === '') return false
    if (h.areaMin !== null && a < h.areaMin) return false
    if (h.areaMax !== null && a > h.areaMax) return false
  }
  return true
}

export function layoutsOf(table: UnitTable | null | undefined): string[] {
  const set = new Set<string>()
  for (const f of table?.floors ?? []) for (const u of f.units ?? []) if (u.layout) set.add(u.layout)
  return [...set].sort((a, b) => a.localeCompare(b, 'zh-CN'))
}

// ------------------------------------------------------------------ the unit list (list view)

export const ORIENTATIONS = ['南', '北', '东', '西', '南北', '东西', '东南', '西南', '东北', '西北']
export const DECORATIONS = ['毛坯', '简装', '精装']
// Same lists as app/domains/housing/schemas_stock.py (the server refuses anything else).
export const FACILITIES = ['空调', '热水器', '洗衣机', '冰箱', '床', '衣柜', '书桌', '沙发', '燃气灶', '抽油烟机', '宽带', '电视', '窗帘', '智能门锁']
export const LAYOUTS = ['单间', '一房一厅', '两房一厅', '两房两厅', '三房一厅', '三房两厅', '四房两厅']

function opts(list: string[]): FilterOption[] {
  return list.map((v) => ({ value: v, label: v }))
}

/** The list view's query conditions (community and building come from the location bar). */
export function unitFilterDefs(o: { districts: FilterOption[]; projects: FilterOption[] }): FilterDef[] {
  const defs: FilterDef[] = [
    { field: 'district_code', label: '所属区', type: 'select', multiple: true, options: o.districts },
    { field: 'state', label: '房屋状态', type: 'select', multiple: true, options: stateOptions() },
    { field: 'layout', label: '户型', type: 'text', op: 'contains', placeholder: '如 两房一厅' },
    { field: 'area', label: '建筑面积（㎡）', type: 'numberrange' },
    { field: 'floor', label: '楼层', type: 'numberrange' },
    { field: 'residential', label: '住宅/非住宅', type: 'select', options: [{ value: 'true', label: '住宅' }, { value: 'false', label: '非住宅' }] },
    { field: 'orientation', label: '朝向', type: 'select', multiple: true, options: opts(ORIENTATIONS) },
    { field: 'decoration', label: '装修', type: 'select', multiple: true, options: opts(DECORATIONS) },
    { field: 'rent_standard', label: '租金标准（元/月）', type: 'numberrange' },
    { field: 'register_id', label: '不动产单元号', type: 'text', op: 'contains' },
  ]
  if (o.projects.length) defs.splice(1, 0, { field: 'project_id', label: '项目', type: 'select', multiple: true, options: o.projects })
  return defs
}

/** Location bar → list parameters: one id is `eq`, several are `__in`. */
export function locationParams(sel: { communityIds: (number | string)[]; buildingIds: (number | string)[] }): Record<string, string> {
  const out: Record<string, string> = {}
  const put = (field: string, ids: (number | string)[]) => {
    const clean = ids.map((x) => String(x).trim()).filter(Boolean)
    if (clean.length === 1) out[field] = clean[0]
    else if (clean.length > 1) out[`${field}__in`] = clean.join(',')
  }
  // A building already names its community; sending both would only narrow by accident.
  if (sel.buildingIds.length) put('building_id', sel.buildingIds)
  else put('community_id', sel.communityIds)
  return out
}

// ------------------------------------------------------------------ REA-01 (the city's unit table)

export interface ReaRegistered {
  unit_id: number | null
  state: string
  state_name?: string | null
  intake_case_id: number | null
}

export interface ReaUnit {
  register_id: string
  room_no: string
  floor: number
  building_area: string
  inner_area: string
  layout: string
  usage: string
  category: string
  status: string
  registered: ReaRegistered | null
}

export interface ReaBuilding {
  building_code: string
  name: string
  floors: number
  unit_count: number
  units: ReaUnit[]
}

export interface ReaProject {
  project_code: string
  name: string
  district_code: string
  address: string
  developer: string
  buildings: ReaBuilding[]
}

export const REA_STATUS: Dict = { unsold: '未售', sold: '已售', leased: '已租', sealed: '查封' }
export const REA_CATEGORY: Dict = { commercial: '商品房', arh: '保障性租赁住房', other_affordable: '其他保障性住房' }

/**
 * Whether a REA unit can be taken into this intake. Sold and sealed units are
 * skipped by the server; units already in stock (or in another open intake) clash.
 */
export function reaUnitPick(u: ReaUnit, caseId?: number | string | null): { ok: boolean; reason: string } {
  if (u.status === 'sold') return { ok: false, reason: '已售' }
  if (u.status === 'sealed') return { ok: false, reason: '查封' }
  const r = u.registered
  if (r) {
    if (r.state !== 'not_in_stock') return { ok: false, reason: `已入库（${stateLabel(r.state, r.state_name)}）` }
    if (caseId !== undefined && caseId !== null && r.intake_case_id !== null && String(r.intake_case_id) === String(caseId)) {
      return { ok: false, reason: '已在本申请中' }
    }
  }
  return { ok: true, reason: '' }
}

export function reaBuildingStats(b: ReaBuilding, caseId?: number | string | null): { total: number; pickable: number; blocked: Record<string, number> } {
  const blocked: Record<string, number> = {}
  let pickable = 0
  for (const u of b.units ?? []) {
    const p = reaUnitPick(u, caseId)
    if (p.ok) pickable++
    else blocked[p.reason] = (blocked[p.reason] ?? 0) + 1
  }
  return { total: (b.units ?? []).length, pickable, blocked }
}

/**
 * The body of `POST /intakes/{id}/rea`: whole buildings by code, single units by
 * register id (those inside a picked building are not repeated).
 */
export function reaPickBody(project: ReaProject, buildingCodes: Iterable<string>, registerIds: Iterable<string>): { project_code: string; building_codes: string[]; register_ids: string[] } {
  const codes = new Set(buildingCodes)
  const inPicked = new Set<string>()
  const building_codes: string[] = []
  for (const b of project.buildings ?? []) {
    if (codes.has(b.building_code)) {
      building_codes.push(b.building_code)
      for (const u of b.units ?? []) inPicked.add(u.register_id)
    }
  }
  const known = new Set((project.buildings ?? []).flatMap((b) => (b.units ?? []).map((u) => u.register_id)))
  const register_ids = [...new Set(registerIds)].filter((r) => known.has(r) && !inPicked.has(r))
  return { project_code: project.project_code, building_codes, register_ids }
}

/** How many units a pick would attach (pickable units only). */
export function reaPickCount(project: ReaProject, buildingCodes: Iterable<string>, registerIds: Iterable<string>, caseId?: number | string | null): number {
  const body = reaPickBody(project, buildingCodes, registerIds)
  const codes = new Set(body.building_codes)
  const ids = new Set(body.register_ids)
  let n = 0
  for (const b of project.buildings ?? []) {
    for (const u of b.units ?? []) {
      if ((codes.has(b.building_code) || ids.has(u.register_id)) && reaUnitPick(u, caseId).ok) n++
    }
  }
  return n
}

/** REA units of a building as floors (top first) for the small pick grid. */
export function reaFloors(b: ReaBuilding): { floor: number; units: ReaUnit[] }[] {
  const by = new Map<number, ReaUnit[]>()
  for (const u of b.units ?? []) {
    if (!by.has(u.floor)) by.set(u.floor, [])
    by.get(u.floor)!.push(u)
  }
  return [...by.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([floor, units]) => ({ floor, units: units.sort((x, y) => naturalCompare(x.room_no, y.room_no)) }))
}

// ------------------------------------------------------------------ Excel import (job + report)

export interface ImportError {
  row: number | null
  column: string
  message: string
}

export interface JobStatus {
  id?: string
  status?: string
  progress?: number | null
  total?: number | null
  message?: string | null
  result?: Record<string, unknown> | null
  errors?: unknown[] | null
}

export type ImportPhase = 'queued' | 'running' | 'done' | 'failed'

export interface ImportReport {
  phase: ImportPhase
  finished: boolean
  percent: number
  message: string
  /** true: rows were written; false: checked only (all-or-nothing found bad rows); null: not finished. */
  committed: boolean | null
  totalRows: number
  validRows: number
  errorRows: number
  inserted: number
  reused: number
  exampleSkipped: boolean
  canCommitValid: boolean
  errors: ImportError[]
}

function num(v: unknown): number {
  const n = Number(v)
  return Number.isFinite(n) ? n : 0
}

export function parseImportErrors(list: unknown): ImportError[] {
  if (!Array.isArray(list)) return []
  return list
    .filter((e) => e && typeof e === 'object')
    .map((e) => {
      const r = e as Record<string, unknown>
      const row = r.row === null || r.row === undefined || r.row === '' ? null : Number(r.row)
      return { row: Number.isFinite(row as number) ? (row as number) : null, column: r.column ? String(r.column) : '', message: r.message ? String(r.message) : '' }
    })
}

/** A polled `GET /jobs/{id}` as the import screen shows it. */
export function parseImportJob(job: JobStatus | null | undefined): ImportReport {
  const status = String(job?.status ?? 'queued')
  const phase: ImportPhase = status === 'done' || status === 'failed' || status === 'running' ? status : 'queued'
  const finished = phase === 'done' || phase === 'failed'
  const r = (job?.result ?? {}) as Record<string, unknown>
  const total = num(job?.total)
  const done = num(job?.progress)
  let percent = 0
  if (phase === 'done') percent = 100
  else if (total > 0) percent = Math.max(0, Math.min(99, Math.floor((done / total) * 100)))
  const committed = phase === 'done' ? r.committed === true : null
  return {
    phase,
    finished,
    percent,
    message: String(job?.message ?? '') || (phase === 'queued' ? '排队中' : phase === 'running' ? '正在处理' : phase === 'failed' ? '导入失败' : '完成'),
    committed,
    totalRows: num(r.total_rows),
    validRows: num(r.valid_rows),
    errorRows: num(r.error_rows),
    inserted: num(r.inserted),
    reused: num(r.reused),
    exampleSkipped: r.example_skipped === true,
    canCommitValid: phase === 'done' && r.committed === false && r.can_commit_valid === true && num(r.valid_rows) > 0,
    errors: parseImportErrors(job?.errors),
  }
}

/** Bad rows with all their problems together, in row order. */
export function errorsByRow(errors: ImportError[]): { row: number | null; columns: string[]; messages: string[] }[] {
  const by = new Map<string, { row: number | null; columns: string[]; messages: string[] }>()
  for (const e of errors) {
    const k = String(e.row)
    if (!by.has(k)) by.set(k, { row: e.row, columns: [], messages: [] })
    const g = by.get(k)!
    if (e.column && !g.columns.includes(e.column)) g.columns.push(e.column)
    g.messages.push(e.column ? `${e.column}：${e.message}` : e.message)
  }
  return [...by.values()].sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
}

// ------------------------------------------------------------------ unit history and change

export const HISTORY_ACTIONS: Dict = { intake: '入库', change: '变更', lock: '锁定', unlock: '解锁', state: '状态变更' }

export const CHANGE_FIELDS: Dict = {
  layout: '户型',
  area: '建筑面积',
  orientation: '朝向',
  decoration: '装修',
  facilities: '配套设施',
  rent_standard: '租金标准',
  residential: '住宅/非住宅',
  state: '状态',
  lock_reason: '锁定原因',
  delist: '下架/恢复上架',
}

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

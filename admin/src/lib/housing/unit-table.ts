// The graphic unit table (楼盘表, 小区 → 楼栋 → 单元 → 楼层 → 房屋): grid layout, floor labels,
// tips and highlighting. Pure, so it is unit-tested. The contract is docs/housing-stock.md.
import { stateLabel } from '@/lib/housing/unit-states'
import { formatArea } from '@/lib/money'

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

/** The tooltip of a cell. */
/** How a clerk names a unit: 1栋2单元101, the entrance only when the unit has one (as the API's `label`). */
export function unitLabel(u: { label?: unknown; building_name?: unknown; entrance_name?: unknown; number?: unknown }): string {
  if (typeof u.label === 'string' && u.label) return u.label
  return `${u.building_name ?? ''}${u.entrance_name ?? ''}${u.number ?? ''}`
}

export function unitTip(u: TableUnit, floor: number, entranceName?: string | null): string[] {
  const lines = [`${entranceName ?? ''}${u.number}  ${stateLabel(u.state)}`]
  const facts = [u.layout || '', u.area ? formatArea(u.area) : ''].filter(Boolean)
  if (facts.length) lines.push(facts.join(' · '))
  const where = [entranceName || '', floorLabel(floor), u.residential === false ? '非住宅' : u.residential ? '住宅' : ''].filter(Boolean)
  lines.push(where.join(' · '))
  return lines
}

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

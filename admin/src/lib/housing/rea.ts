// REA-01, the city's unit table: which registered units an intake may pick, and the pick body.
import type { Dict } from '@/lib/dicts'
import { stateLabel } from '@/lib/housing/unit-states'
import { naturalCompare } from '@/lib/housing/unit-table'

export interface ReaRegistered {
  unit_id: number | null
  state: string
  state_name?: string | null
  intake_case_id: number | null
}

export interface ReaUnit {
  register_id: string
  room_no: string
  /** 单元 of a building numbered per entrance (both have 101), else null. */
  entrance?: string | null
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
    .map(([floor, units]) => ({
      floor,
      units: units.sort((x, y) => naturalCompare(x.entrance ?? '', y.entrance ?? '') || naturalCompare(x.room_no, y.room_no)),
    }))
}

/** A partner unit's number in the small pick grid: 2-101 in a building numbered per entrance. */
export function reaUnitNo(u: Pick<ReaUnit, 'room_no' | 'entrance'>): string {
  return u.entrance ? `${u.entrance.replace(/单元$/, '')}-${u.room_no}` : u.room_no
}

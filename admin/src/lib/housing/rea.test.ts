import { describe, expect, it } from 'vitest'
import { reaBuildingStats, reaFloors, reaPickBody, reaPickCount, reaUnitNo, reaUnitPick, type ReaProject, type ReaUnit } from '@/lib/housing/rea'

function reaUnit(rid: string, floor: number, room: string, status = 'unsold', registered: ReaUnit['registered'] = null): ReaUnit {
  return { register_id: rid, room_no: room, floor, building_area: '68.90', inner_area: '55.20', layout: '两房一厅', usage: '住宅', category: 'arh', status, registered }
}

const project: ReaProject = {
  project_code: 'JMP0001',
  name: '滨江保障公寓',
  district_code: '440703',
  address: '江门市蓬江区白沙大道西88号',
  developer: '江门市安居投资有限公司',
  buildings: [
    {
      building_code: 'JMP0001-B01', name: '1栋', floors: 2, unit_count: 4,
      units: [reaUnit('A1', 1, '101'), reaUnit('A2', 1, '102', 'sold'), reaUnit('A3', 2, '201', 'leased'), reaUnit('A4', 2, '202', 'unsold', { unit_id: 5, state: 'available', intake_case_id: 1 })],
    },
    {
      building_code: 'JMP0001-B02', name: '2栋', floors: 1, unit_count: 2,
      units: [reaUnit('B1', 1, '101'), reaUnit('B2', 1, '102', 'sealed'), reaUnit('B3', 1, '103', 'unsold', { unit_id: 9, state: 'not_in_stock', intake_case_id: 31 })],
    },
  ],
}

describe('REA-01 picks', () => {
  it('says which units can be taken and why not', () => {
    const [b1, b2] = project.buildings
    expect(reaUnitPick(b1.units[0]).ok).toBe(true)
    expect(reaUnitPick(b1.units[1])).toEqual({ ok: false, reason: '已售' })
    expect(reaUnitPick(b1.units[2]).ok).toBe(true)
    expect(reaUnitPick(b1.units[3])).toEqual({ ok: false, reason: '已入库（可配租）' })
    expect(reaUnitPick(b2.units[1])).toEqual({ ok: false, reason: '查封' })
    // Left by an earlier intake: may be taken again, but not twice into the same case.
    expect(reaUnitPick(b2.units[2], 30).ok).toBe(true)
    expect(reaUnitPick(b2.units[2], 31)).toEqual({ ok: false, reason: '已在本申请中' })
    expect(reaBuildingStats(b1)).toEqual({ total: 4, pickable: 2, blocked: { 已售: 1, '已入库（可配租）': 1 } })
  })

  it('sends whole buildings by code and single units by register id', () => {
    expect(reaPickBody(project, ['JMP0001-B01'], ['A1', 'B1', 'ZZ'])).toEqual({ project_code: 'JMP0001', building_codes: ['JMP0001-B01'], register_ids: ['B1'] })
    expect(reaPickBody(project, ['JMP0001-B01', 'JMP0001-B02'], [])).toEqual({ project_code: 'JMP0001', building_codes: ['JMP0001-B01', 'JMP0001-B02'], register_ids: [] })
    expect(reaPickCount(project, ['JMP0001-B01', 'JMP0001-B02'], [], 30)).toBe(4)
    expect(reaPickCount(project, [], ['A1', 'A2'])).toBe(1)
  })

  it('lays a REA building out by floor, top first', () => {
    expect(reaFloors(project.buildings[0]).map((f) => [f.floor, f.units.map((u) => u.room_no)])).toEqual([[2, ['201', '202']], [1, ['101', '102']]])
  })
})

describe('a partner building numbered per entrance', () => {
  it('lists each entrance in turn and tells the two 101s apart', () => {
    const units = [
      { ...reaUnit('R3', 1, '101'), entrance: '2单元' },
      { ...reaUnit('R1', 1, '102'), entrance: '1单元' },
      { ...reaUnit('R2', 1, '101'), entrance: '1单元' },
    ]
    const [floor] = reaFloors({ building_code: 'B', name: 'A座', floors: 1, unit_count: 3, units })
    expect(floor.units.map(reaUnitNo)).toEqual(['1-101', '1-102', '2-101'])
    expect(reaUnitNo(reaUnit('R9', 1, '301'))).toBe('301')
  })
})

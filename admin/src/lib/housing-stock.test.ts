import { describe, expect, it } from 'vitest'
import { buildFilterParams } from './query'
import {
  buildGrid,
  cellMatches,
  changeFormOf,
  changesPayload,
  contrastRatio,
  decimalProblem,
  describeHistory,
  emptyHighlight,
  errorsByRow,
  floorLabel,
  floorShort,
  formatArea,
  formatRent,
  gridTemplate,
  highlightActive,
  legendItems,
  locationParams,
  naturalCompare,
  nextNumber,
  parseImportJob,
  reaBuildingStats,
  reaFloors,
  reaPickBody,
  reaPickCount,
  reaUnitPick,
  STATE_STYLES,
  stateBar,
  stateLabel,
  stateStyle,
  stateTagType,
  UNIT_STATE_ORDER,
  unitColumnKey,
  unitFilterDefs,
  unitTip,
  type ReaProject,
  type ReaUnit,
  type TableUnit,
  type UnitTable,
} from './housing-stock'

function unit(id: number, number: string, state = 'available', entrance_id: number | null = 11, extra: Partial<TableUnit> = {}): TableUnit {
  return { id, number, entrance_id, state, layout: '两房一厅', area: '68.90', residential: true, ...extra }
}

function table(floors: { floor: number; units: TableUnit[] }[], entrances = [{ id: 11, name: '1单元' }]): UnitTable {
  const counts: Record<string, number> = {}
  for (const f of floors) for (const u of f.units) counts[u.state] = (counts[u.state] ?? 0) + 1
  return {
    building: { id: 7, name: '1栋', floors: 3, basement_floors: 0, community_id: 3, community_name: '滨江保障公寓' },
    entrances,
    floors,
    columns: Math.max(0, ...floors.map((f) => f.units.length)),
    counts,
    total: floors.reduce((n, f) => n + f.units.length, 0),
  }
}

describe('unit states', () => {
  it('names every state in Chinese, with a one-character mark', () => {
    expect(UNIT_STATE_ORDER.map((s) => stateLabel(s))).toEqual(['未入库', '可配租', '已配租', '已锁定', '维修中', '已下架'])
    expect(new Set(UNIT_STATE_ORDER.map((s) => STATE_STYLES[s].short)).size).toBe(6)
    expect(stateLabel('locked', '已锁定（服务器）')).toBe('已锁定（服务器）')
    expect(stateLabel('weird')).toBe('weird')
    expect(stateLabel(null)).toBe('-')
  })

  it('keeps text readable on every fill (WCAG AA) and every fill distinct', () => {
    for (const s of UNIT_STATE_ORDER) {
      const st = STATE_STYLES[s]
      expect(contrastRatio(st.fill, st.text), s).toBeGreaterThanOrEqual(4.5)
    }
    expect(new Set(UNIT_STATE_ORDER.map((s) => STATE_STYLES[s].fill.toLowerCase())).size).toBe(6)
    expect(contrastRatio('#000000', '#FFFFFF')).toBeCloseTo(21, 5)
    expect(contrastRatio('#777777', '#777777')).toBeCloseTo(1, 5)
  })

  it('marks the states that matter most with a texture as well as a colour', () => {
    expect(STATE_STYLES.locked.pattern).toBe('stripes')
    expect(STATE_STYLES.repairing.pattern).toBe('dots')
    expect(STATE_STYLES.not_in_stock.pattern).toBe('dashed')
  })

  it('falls back for an unknown state', () => {
    expect(stateStyle('gone').label).toBe('gone')
    expect(stateStyle(undefined).label).toBe('未知')
    expect(stateTagType('available')).toBe('success')
    expect(stateTagType('locked')).toBe('danger')
    expect(stateTagType('repairing')).toBe('warning')
    expect(stateTagType('not_in_stock')).toBe('info')
  })

  it('lists every state in the legend with its count, zeros too', () => {
    const items = legendItems({ available: 380, locked: 4, mystery: 1 })
    expect(items.map((i) => [i.label, i.count])).toEqual([
      ['未入库', 0], ['可配租', 380], ['已配租', 0], ['已锁定', 4], ['维修中', 0], ['已下架', 0], ['mystery', 1],
    ])
    expect(legendItems(null)).toHaveLength(6)
  })

  it('makes a stacked bar of the states present', () => {
    const bar = stateBar({ available: 3, locked: 1 })
    expect(bar.map((b) => [b.state, b.percent])).toEqual([['available', 75], ['locked', 25]])
    expect(stateBar({})).toEqual([])
  })
})

describe('formats', () => {
  it('shows areas with two decimals and ㎡', () => {
    expect(formatArea('89.5')).toBe('89.50 ㎡')
    expect(formatArea('68.90')).toBe('68.90 ㎡')
    expect(formatArea('12500')).toBe('12,500.00 ㎡')
    expect(formatArea(null)).toBe('-')
    expect(formatArea('abc')).toBe('-')
  })
  it('shows rents as yuan per month', () => {
    expect(formatRent('1580.00')).toBe('1,580.00 元/月')
    expect(formatRent(null)).toBe('-')
  })
  it('names floors', () => {
    expect(floorLabel(33)).toBe('33层')
    expect(floorLabel(-2)).toBe('地下2层')
    expect(floorShort(12)).toBe('12F')
    expect(floorShort(-1)).toBe('B1')
  })
})

describe('unit numbers', () => {
  it('sorts naturally', () => {
    expect(['1001', '901', '2-101', '1-1201', '1-201'].sort(naturalCompare)).toEqual(['1-201', '1-1201', '2-101', '901', '1001'])
  })
  it('finds the position of a unit on its floor', () => {
    expect(unitColumnKey('1203', 12)).toBe('03')
    expect(unitColumnKey('2-1203', 12)).toBe('03')
    expect(unitColumnKey('101', 1)).toBe('01')
    expect(unitColumnKey('B102', -1)).toBe('02')
    expect(unitColumnKey('商铺A', 1)).toBeNull()
    expect(unitColumnKey('12', 12)).toBeNull()
  })
  it('suggests the next number', () => {
    expect(nextNumber('1203')).toBe('1204')
    expect(nextNumber('2-0109')).toBe('2-0110')
    expect(nextNumber('商铺')).toBe('')
  })
})

describe('buildGrid', () => {
  it('draws the top floor first and puts each unit in the column of its position', () => {
    const g = buildGrid(
      table([
        { floor: 3, units: [unit(1, '301'), unit(2, '302'), unit(3, '304')] },
        { floor: 2, units: [unit(4, '201'), unit(5, '202'), unit(6, '203'), unit(7, '204')] },
        { floor: 1, units: [] },
      ]),
    )
    expect(g.rows.map((r) => r.label)).toEqual(['3F', '2F', '1F'])
    expect(g.groups).toEqual([{ entranceId: 11, name: '1单元', start: 1, span: 4, total: 7 }])
    expect(g.width).toBe(4)
    // 303 is missing: 304 stays under 204, and the gap shows as an empty slot.
    expect(g.rows[0].cells.map((c) => [c.unit.number, c.col])).toEqual([['301', 1], ['302', 2], ['304', 4]])
    expect(g.rows[0].empty).toEqual([3])
    expect(g.rows[2].empty).toEqual([1, 2, 3, 4])
    expect(g.total).toBe(7)
  })

  it('groups entrances side by side with a spacer column between them', () => {
    const g = buildGrid(
      table(
        [
          { floor: 2, units: [unit(1, '1-201', 'available', 11), unit(2, '1-202', 'locked', 11), unit(3, '2-201', 'available', 12)] },
          { floor: 1, units: [unit(4, '1-101', 'available', 11), unit(5, '2-101', 'allocated', 12), unit(6, '2-102', 'available', 12)] },
        ],
        [{ id: 11, name: '1单元' }, { id: 12, name: '2单元' }, { id: 13, name: '3单元' }],
      ),
    )
    expect(g.groups.map((x) => [x.name, x.start, x.span])).toEqual([['1单元', 1, 2], ['2单元', 4, 2]])
    expect(g.spacers).toEqual([3])
    expect(g.width).toBe(5)
    expect(g.rows[0].cells.map((c) => c.col)).toEqual([1, 2, 4])
    expect(g.rows[0].empty).toEqual([5])
    expect(gridTemplate(g, '80px')).toBe('52px 80px 80px 10px 80px 80px')
  })

  it('falls back to order when numbers do not follow the floors', () => {
    const g = buildGrid(table([{ floor: 1, units: [unit(1, '商铺A', 'available', null), unit(2, '商铺B', 'available', null)] }], []))
    expect(g.groups).toEqual([{ entranceId: null, name: '', start: 1, span: 2, total: 2 }])
    expect(g.rows[0].cells.map((c) => c.col)).toEqual([1, 2])
  })

  it('puts units of unlisted entrances with the unnamed ones', () => {
    const g = buildGrid(table([{ floor: 1, units: [unit(1, '101', 'available', 11), unit(2, '102', 'available', 99)] }]))
    expect(g.groups.map((x) => x.name)).toEqual(['1单元', '其他'])
  })

  it('draws 33 floors × 12 units and basements', () => {
    const floors = []
    let id = 1
    for (let f = 33; f >= 1; f--) {
      const units = []
      for (let u = 1; u <= 12; u++) units.push(unit(id++, `${f}${String(u).padStart(2, '0')}`))
      floors.push({ floor: f, units })
    }
    floors.push({ floor: -1, units: [unit(id++, 'B101'), unit(id++, 'B102')] })
    const g = buildGrid(table(floors))
    expect(g.rows).toHaveLength(34)
    expect(g.width).toBe(12)
    expect(g.total).toBe(398)
    expect(g.rows[0].cells[11].unit.number).toBe('3312')
    expect(g.rows[33].label).toBe('B1')
    expect(g.rows[33].empty).toHaveLength(10)
  })

  it('copes with an empty or missing table', () => {
    expect(buildGrid(null)).toEqual({ groups: [], rows: [], width: 0, spacers: [], total: 0 })
    const g = buildGrid(table([{ floor: 2, units: [] }, { floor: 1, units: [] }]))
    expect(g.rows).toHaveLength(2)
    expect(g.groups).toEqual([])
  })

  it('writes a tooltip', () => {
    expect(unitTip(unit(1, '1201'), 12, '1单元')).toEqual(['1201  可配租', '两房一厅 · 68.90 ㎡', '1单元 · 12层 · 住宅'])
  })
})

describe('highlight in the graphic view', () => {
  it('matches every condition given', () => {
    const h = emptyHighlight()
    expect(highlightActive(h)).toBe(false)
    expect(cellMatches(unit(1, '101'), h)).toBe(true)
    h.states = ['locked']
    expect(highlightActive(h)).toBe(true)
    expect(cellMatches(unit(1, '101', 'available'), h)).toBe(false)
    expect(cellMatches(unit(1, '101', 'locked'), h)).toBe(true)
    h.states = []
    h.areaMin = 60
    h.areaMax = 70
    expect(cellMatches(unit(1, '101', 'available', 11, { area: '68.90' }), h)).toBe(true)
    expect(cellMatches(unit(1, '101', 'available', 11, { area: '82.30' }), h)).toBe(false)
    expect(cellMatches(unit(1, '101', 'available', 11, { area: null }), h)).toBe(false)
    h.areaMin = null
    h.areaMax = null
    h.layout = '三房'
    expect(cellMatches(unit(1, '101'), h)).toBe(false)
    h.layout = ''
    h.number = '12'
    expect(cellMatches(unit(1, '1201'), h)).toBe(true)
    expect(cellMatches(unit(1, '301'), h)).toBe(false)
  })
})

describe('list filters', () => {
  const defs = unitFilterDefs({ districts: [{ value: '440703', label: '蓬江区' }], projects: [{ value: 2, label: '滨江保障公寓' }] })

  it('offers the conditions a clerk searches by', () => {
    expect(defs.map((d) => d.field)).toEqual([
      'district_code', 'project_id', 'state', 'layout', 'area', 'floor', 'residential', 'orientation', 'decoration', 'rent_standard', 'register_id',
    ])
    expect(unitFilterDefs({ districts: [], projects: [] }).some((d) => d.field === 'project_id')).toBe(false)
  })

  it('combines into the parameters the unit list understands', () => {
    const p = buildFilterParams(defs, {
      district_code: ['440703'],
      state: ['available', 'locked'],
      layout: '两房',
      area: [60, 90.5],
      floor: [null, 12],
      residential: 'true',
    })
    expect(p).toEqual({
      district_code__in: '440703',
      state__in: 'available,locked',
      layout__contains: '两房',
      area__gte: '60',
      area__lte: '90.5',
      floor__lte: '12',
      residential: 'true',
    })
  })

  it('turns the location bar into community or building conditions', () => {
    expect(locationParams({ communityIds: [3], buildingIds: [] })).toEqual({ community_id: '3' })
    expect(locationParams({ communityIds: [3, 4], buildingIds: [] })).toEqual({ community_id__in: '3,4' })
    expect(locationParams({ communityIds: [3], buildingIds: [7, 8] })).toEqual({ building_id__in: '7,8' })
    expect(locationParams({ communityIds: [], buildingIds: [] })).toEqual({})
  })
})

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

describe('import report', () => {
  it('shows progress while the job runs', () => {
    expect(parseImportJob({ status: 'queued', progress: 0, total: 0 })).toMatchObject({ phase: 'queued', percent: 0, finished: false, committed: null, message: '排队中' })
    expect(parseImportJob({ status: 'running', progress: 5000, total: 10000, message: '已校验10000行' })).toMatchObject({ phase: 'running', percent: 50, message: '已校验10000行' })
    expect(parseImportJob({ status: 'running', progress: 10000, total: 10000 }).percent).toBe(99)
  })

  it('reads an all-or-nothing run that found bad rows', () => {
    const r = parseImportJob({
      status: 'done', progress: 5, total: 5, message: '校验未通过，未导入任何房屋',
      result: { committed: false, total_rows: 5, valid_rows: 3, error_rows: 2, can_commit_valid: true, example_skipped: true },
      errors: [
        { row: 7, column: '建筑面积（㎡）', message: '应为大于0的数字' },
        { row: 4, column: '房号', message: '与第3行重复（同一楼栋房号不能重复）' },
        { row: 7, column: '楼层', message: '必填' },
        { row: null, column: '', message: '表头缺少“楼栋”' },
        'junk',
      ],
    })
    expect(r).toMatchObject({ phase: 'done', finished: true, percent: 100, committed: false, totalRows: 5, validRows: 3, errorRows: 2, canCommitValid: true, exampleSkipped: true })
    expect(r.errors).toHaveLength(4)
    expect(r.errors[0]).toEqual({ row: 7, column: '建筑面积（㎡）', message: '应为大于0的数字' })
    expect(errorsByRow(r.errors)).toEqual([
      { row: null, columns: [], messages: ['表头缺少“楼栋”'] },
      { row: 4, columns: ['房号'], messages: ['房号：与第3行重复（同一楼栋房号不能重复）'] },
      { row: 7, columns: ['建筑面积（㎡）', '楼层'], messages: ['建筑面积（㎡）：应为大于0的数字', '楼层：必填'] },
    ])
  })

  it('reads a committed run and a failed one', () => {
    const ok = parseImportJob({ status: 'done', result: { committed: true, inserted: 9998, reused: 2, total_rows: 10000, valid_rows: 10000, error_rows: 0 }, errors: [] })
    expect(ok).toMatchObject({ committed: true, inserted: 9998, reused: 2, canCommitValid: false, errors: [] })
    const bad = parseImportJob({ status: 'failed', message: '导入失败：文件中没有要导入的房屋', result: null, errors: null })
    expect(bad).toMatchObject({ phase: 'failed', finished: true, committed: null, message: '导入失败：文件中没有要导入的房屋', canCommitValid: false })
  })

  it('offers the valid rows only when there are some', () => {
    expect(parseImportJob({ status: 'done', result: { committed: false, valid_rows: 0, can_commit_valid: false } }).canCommitValid).toBe(false)
  })
})

describe('history and change', () => {
  it('describes a history row', () => {
    expect(describeHistory({ before: { area: '68.90', layout: '两房一厅' }, after: { area: '70.20', layout: '两房一厅' } })).toBe('建筑面积：68.90 ㎡ → 70.20 ㎡')
    expect(describeHistory({ before: { state: 'available' }, after: { state: 'locked', lock_reason: '拟用于人才专项' } })).toBe('状态：可配租 → 已锁定；锁定原因：拟用于人才专项')
    expect(describeHistory({ before: { state: 'available' }, after: { state: 'locked', lock_reason: '拟用于人才专项' }, reason: '拟用于人才专项' })).toBe('状态：可配租 → 已锁定')
    expect(describeHistory({ before: { facilities: [] }, after: { facilities: ['空调', '热水器'] } })).toBe('配套设施：空 → 空调、热水器')
    expect(describeHistory({ before: null, after: null })).toBe('')
  })

  it('sends only the fields that change', () => {
    const u = { layout: '两房一厅', area: '68.90', orientation: '南', decoration: null, facilities: ['空调'], rent_standard: '1580.00', residential: true }
    const f = changeFormOf(u)
    expect(changesPayload(u, f)).toEqual({})
    f.area = '68.9'
    f.rent_standard = '1650'
    f.decoration = '精装'
    f.facilities = ['热水器', '空调']
    expect(changesPayload(u, f)).toEqual({ rent_standard: '1650', decoration: '精装', facilities: ['热水器', '空调'] })
    f.delist = true
    f.residential = false
    expect(changesPayload(u, f)).toMatchObject({ delist: true, residential: false })
  })

  it('checks typed amounts', () => {
    expect(decimalProblem('', '建筑面积', { required: true })).toBe('请填写建筑面积')
    expect(decimalProblem('', '套内面积')).toBeNull()
    expect(decimalProblem('12a', '建筑面积')).toBe('建筑面积应为数字')
    expect(decimalProblem('12.345', '建筑面积')).toBe('建筑面积最多两位小数')
    expect(decimalProblem('0', '建筑面积')).toBe('建筑面积应大于0')
    expect(decimalProblem('0', '租金标准', { positive: false })).toBeNull()
    expect(decimalProblem('20000', '建筑面积')).toBe('建筑面积不能超过10000')
    expect(decimalProblem('1,580.50', '租金标准', { positive: false, max: 1000000 })).toBeNull()
  })
})

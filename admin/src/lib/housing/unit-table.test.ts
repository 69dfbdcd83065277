import { describe, expect, it } from 'vitest'
import { buildGrid, cellMatches, emptyHighlight, floorLabel, floorShort, gridTemplate, highlightActive, type TableUnit, type UnitTable, unitLabel, unitTip } from '@/lib/housing/unit-table'
import { formatArea, formatRent } from '@/lib/money'

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
    // The entrance leads the first line: 1单元1201 and 2单元1201 are different units.
    expect(unitTip(unit(1, '1201'), 12, '1单元')).toEqual(['1单元1201  可配租', '两房一厅 · 68.90 ㎡', '1单元 · 12层 · 住宅'])
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

describe('a building numbered per entrance', () => {
  it('draws both 101s, each under its own entrance, and names them 1单元101 / 2单元101', () => {
    const t = table([{ floor: 1, units: [unit(1, '101', 'available', 11), unit(2, '102', 'available', 11), unit(3, '101', 'locked', 22), unit(4, '102', 'available', 22)] }], [
      { id: 11, name: '1单元' },
      { id: 22, name: '2单元' },
    ])
    const g = buildGrid(t)
    expect(g.groups.map((x) => [x.name, x.total])).toEqual([['1单元', 2], ['2单元', 2]])
    const cols = Object.fromEntries(g.rows[0].cells.map((c) => [c.unit.id, c.col]))
    expect(cols[1]).toBeLessThan(g.groups[1].start)
    expect(cols[3]).toBeGreaterThanOrEqual(g.groups[1].start)
    expect(unitTip(unit(3, '101', 'locked', 22), 1, '2单元')[0]).toBe('2单元101  已锁定')
    expect(unitLabel({ building_name: '1栋', entrance_name: '2单元', number: '101' })).toBe('1栋2单元101')
    expect(unitLabel({ label: 'A座301', building_name: 'x', number: '1' })).toBe('A座301')
  })
})

import { describe, expect, it } from 'vitest'
import { buildFilterParams } from '@/lib/query'
import { locationParams, unitFilterDefs } from '@/lib/housing/unit-list'

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

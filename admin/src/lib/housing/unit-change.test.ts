import { describe, expect, it } from 'vitest'
import { changeFormOf, changesPayload, decimalProblem, describeHistory, nextNumber } from '@/lib/housing/unit-change'
import { naturalCompare, type TableUnit, unitColumnKey } from '@/lib/housing/unit-table'

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

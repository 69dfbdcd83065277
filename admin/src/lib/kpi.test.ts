import { describe, expect, it } from 'vitest'
import { chartsFor, kpiText, type KpiCard } from './kpi'

const card = (key: string, value: KpiCard['value'], unit = '套', title = key): KpiCard => ({
  key, title, value, unit, link: null, available: value !== null,
})

describe('card values', () => {
  it('shows — when the data is not there yet', () => {
    expect(kpiText(card('units_total', null))).toBe('—')
    expect(kpiText({ ...card('x', 3), available: false })).toBe('—')
  })
  it('groups thousands and keeps money exact', () => {
    expect(kpiText(card('units_total', 12345))).toBe('12,345')
    expect(kpiText(card('arrears_amount', '1580.00', '元'))).toBe('1,580.00')
    expect(kpiText(card('arrears_amount', '1234567.5', '元'))).toBe('1,234,567.50')
    expect(kpiText(card('rate', '95.5', '%'))).toBe('95.5')
    expect(kpiText(card('zero', 0))).toBe('0')
  })
})

describe('charts', () => {
  it('draws nothing from unavailable cards', () => {
    expect(chartsFor([card('units_allocated', null), card('units_unallocated', null), card('todo', 3, '件')])).toEqual([])
    expect(chartsFor([card('units_allocated', 10), card('units_unallocated', null)])).toEqual([])
    expect(chartsFor([card('todo', 0, '件'), card('done', 0, '件')])).toEqual([])
  })
  it('draws the allocation pie and the work bar from real values only', () => {
    const charts = chartsFor([
      card('units_allocated', 80, '套', '已配租'),
      card('units_unallocated', 20, '套', '未配租'),
      card('todo', 3, '件', '待办事项'),
      card('done', 12, '件', '已办事项'),
    ])
    expect(charts.map((c) => [c.key, c.type])).toEqual([['allocation', 'pie'], ['work', 'bar']])
    expect(charts[0].data).toEqual([{ name: '已配租', value: 80 }, { name: '未配租', value: 20 }])
    expect(charts[1].unit).toBe('件')
  })
})

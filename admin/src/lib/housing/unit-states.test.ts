import { describe, expect, it } from 'vitest'
import { contrastRatio, legendItems, STATE_STYLES, stateBar, stateLabel, stateStyle, stateTagType, UNIT_STATE_ORDER } from '@/lib/housing/unit-states'
import { type TableUnit } from '@/lib/housing/unit-table'

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

import { describe, expect, it } from 'vitest'
import { formatBool, formatDate, formatDateTime, formatList, formatText, todayShanghai } from '@/lib/format'
import { formatMoney } from '@/lib/money'

describe('formatDate', () => {
  it('shows a date-only value unchanged', () => {
    expect(formatDate('2026-11-26')).toBe('2026-11-26')
  })

  it('converts UTC instants to the Asia/Shanghai calendar day', () => {
    expect(formatDate('2026-11-25T16:30:00Z')).toBe('2026-11-26')
    expect(formatDate('2026-11-26T15:59:59+00:00')).toBe('2026-11-26')
    expect(formatDate('2026-11-26T16:00:00+00:00')).toBe('2026-11-27')
    expect(formatDate('2026-11-26T09:00:00+08:00')).toBe('2026-11-26')
  })

  it('treats a naive timestamp from the API as UTC', () => {
    expect(formatDate('2026-11-25 20:00:00')).toBe('2026-11-26')
  })

  it('shows a dash for empty or invalid values', () => {
    expect(formatDate(null)).toBe('-')
    expect(formatDate(undefined)).toBe('-')
    expect(formatDate('')).toBe('-')
    expect(formatDate('garbage')).toBe('-')
    expect(formatDate(null, '')).toBe('')
  })
})

describe('formatDateTime', () => {
  it('shows YYYY-MM-DD HH:mm in Asia/Shanghai', () => {
    expect(formatDateTime('2026-11-26T06:05:09Z')).toBe('2026-11-26 14:05')
    expect(formatDateTime('2026-12-31T16:00:00.123456+00:00')).toBe('2027-01-01 00:00')
    expect(formatDateTime(Date.UTC(2026, 0, 1, 0, 0))).toBe('2026-01-01 08:00')
    expect(formatDateTime(new Date('2026-06-30T23:59:00+08:00'))).toBe('2026-06-30 23:59')
  })

  it('leaves a plain date alone and dashes empties', () => {
    expect(formatDateTime('2026-11-26')).toBe('2026-11-26')
    expect(formatDateTime(null)).toBe('-')
  })
})

describe('todayShanghai', () => {
  it('is the Shanghai calendar day of the given instant', () => {
    expect(todayShanghai(new Date('2026-11-26T17:00:00Z'))).toBe('2026-11-27')
  })
})

describe('small formatters', () => {
  it('formatBool', () => {
    expect(formatBool(true)).toBe('是')
    expect(formatBool(false, '启用', '停用')).toBe('停用')
    expect(formatBool(null)).toBe('-')
  })

  it('formatList joins names with 、', () => {
    expect(formatList([{ name: '审计员' }, { name: '单位管理员' }])).toBe('审计员、单位管理员')
    expect(formatList(['a', 'b'])).toBe('a、b')
    expect(formatList([])).toBe('-')
  })

  it('formatText', () => {
    expect(formatText(0)).toBe('0')
    expect(formatText('')).toBe('-')
  })
})

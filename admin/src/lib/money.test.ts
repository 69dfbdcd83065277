import { describe, expect, it } from 'vitest'
import { daysLeftText } from '@/lib/housing/labels'
import { formatCount, formatRate, ratio } from '@/lib/housing/plan-progress'
import { fenToYuan, formatArea, formatFen, formatMoney, moneyError, normalizeAmount, sumYuan, yuanToFen, yuanToWan } from '@/lib/money'

describe('money in exact fen', () => {
  it('reads yuan strings and numbers without float errors', () => {
    expect(yuanToFen('1580.00')).toBe(158000)
    expect(yuanToFen('1,580.5')).toBe(158050)
    expect(yuanToFen(1580.5)).toBe(158050)
    expect(yuanToFen('0.07')).toBe(7)
    expect(yuanToFen(0.1 + 0.2)).toBeNull()
    expect(yuanToFen('150000000.00')).toBe(15000000000)
    expect(yuanToFen('-12.30')).toBe(-1230)
    expect(yuanToFen('12.300')).toBe(1230)
  })

  it('refuses more than two decimals and non-numbers', () => {
    expect(yuanToFen('1.005')).toBeNull()
    expect(yuanToFen('abc')).toBeNull()
    expect(yuanToFen('')).toBeNull()
    expect(yuanToFen(null)).toBeNull()
    expect(yuanToFen(true)).toBeNull()
    expect(yuanToFen(Number.NaN)).toBeNull()
  })

  it('writes fen back as the API yuan string', () => {
    expect(fenToYuan(158050)).toBe('1580.50')
    expect(fenToYuan(7)).toBe('0.07')
    expect(fenToYuan(-1230)).toBe('-12.30')
    expect(fenToYuan(0)).toBe('0.00')
  })

  it('sums amounts exactly', () => {
    expect(sumYuan(['0.10', '0.20'])).toBe('0.30')
    expect(sumYuan(['150000000.00', '60000000.55', 'x', null])).toBe('210000000.55')
  })

  it('says what is wrong with a typed amount', () => {
    expect(moneyError('', '计划投资')).toBeNull()
    expect(moneyError('', '计划投资', true)).toBe('请输入计划投资')
    expect(moneyError('12.345', '计划投资')).toBe('计划投资应为数字，最多两位小数')
    expect(moneyError('-1', '计划投资')).toBe('计划投资不能为负数')
    expect(moneyError('10000000000000', '计划投资')).toBe('计划投资过大')
    expect(moneyError('1,580.5', '计划投资')).toBeNull()
    expect(normalizeAmount('1,580.5')).toBe('1580.50')
    expect(normalizeAmount(' ')).toBeNull()
  })

  it('shows area with ㎡ and thousands, counts and rates', () => {
    expect(formatArea('12500.00')).toBe('12,500.00 ㎡')
    expect(formatArea('45.5')).toBe('45.50 ㎡')
    expect(formatArea(null)).toBe('-')
    expect(formatCount(1200)).toBe('1,200 套')
    expect(formatCount(null)).toBe('-')
    expect(formatRate(0.525)).toBe('52.5%')
    expect(formatRate(0.2625)).toBe('26.3%')
    expect(formatRate(1)).toBe('100%')
    expect(formatRate(null)).toBe('-')
    expect(yuanToWan('150000000.00')).toBe(15000)
    expect(yuanToWan('12345.67')).toBe(1.23)
    expect(ratio(630, 1200)).toBe(0.525)
    expect(ratio(5, 0)).toBeNull()
    expect(daysLeftText(24)).toBe('剩余 24 天')
    expect(daysLeftText(0)).toBe('今日到期')
    expect(daysLeftText(-3)).toBe('已过期 3 天')
  })
})

describe('formatMoney and formatFen', () => {
  it('shows yuan strings with two decimals, thousands separators and 元', () => {
    expect(formatMoney('1580.00')).toBe('1,580.00 元')
    expect(formatMoney('0.5')).toBe('0.50 元')
    expect(formatMoney('1234567')).toBe('1,234,567.00 元')
    expect(formatMoney('-20.10')).toBe('-20.10 元')
    expect(formatMoney(null)).toBe('-')
    expect(formatMoney('abc')).toBe('-')
  })

  it('shows integer fen the same way, exactly', () => {
    expect(formatFen(158000)).toBe('1,580.00 元')
    expect(formatFen(5)).toBe('0.05 元')
    expect(formatFen(-2010)).toBe('-20.10 元')
    expect(formatFen(null)).toBe('-')
    expect(formatFen(1.5)).toBe('-')
  })
})

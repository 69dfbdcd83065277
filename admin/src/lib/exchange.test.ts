import { describe, expect, it } from 'vitest'
import { failures, formatLatency, latencyLine, partnerHealth, sortPartners, statusTagType, type PartnerStats } from './exchange'

function partner(code: string, over: Partial<PartnerStats> = {}): PartnerStats {
  return {
    code, name: code, feature: null, interface: null, total: 0, out: 0, in: 0, by_status: {}, pending: 0, dead: 0,
    out_p50_ms: null, out_p99_ms: null, in_p50_ms: null, in_p99_ms: null, ...over,
  }
}

describe('formatLatency', () => {
  it('shows milliseconds, seconds and minutes', () => {
    expect(formatLatency(35)).toBe('35 毫秒')
    expect(formatLatency(999.6)).toBe('1000 毫秒')
    expect(formatLatency(1234)).toBe('1.2 秒')
    expect(formatLatency(185_000)).toBe('3 分 5 秒')
  })
  it('shows a dash for missing or nonsense values', () => {
    for (const v of [null, undefined, '', 'x', -1]) expect(formatLatency(v)).toBe('-')
  })
})

describe('statusTagType', () => {
  it('colours outcomes', () => {
    expect(statusTagType('applied')).toBe('success')
    expect(statusTagType('replied')).toBe('success')
    expect(statusTagType('pending')).toBe('warning')
    expect(statusTagType('dead')).toBe('danger')
    expect(statusTagType('rejected')).toBe('danger')
    expect(statusTagType('whatever')).toBe('info')
  })
})

describe('partner health', () => {
  it('is bad with dead letters or mostly failures', () => {
    expect(partnerHealth(partner('a', { dead: 1, total: 100 }))).toBe('bad')
    expect(partnerHealth(partner('a', { total: 3, by_status: { failed: 1, rejected: 1, replied: 1 } }))).toBe('bad')
  })
  it('warns on some failures or a backlog', () => {
    expect(partnerHealth(partner('a', { total: 10, by_status: { rejected: 1, applied: 9 } }))).toBe('warn')
    expect(partnerHealth(partner('a', { total: 10, pending: 2, by_status: { sent: 8, pending: 2 } }))).toBe('warn')
  })
  it('is ok with clean traffic and idle without any', () => {
    expect(partnerHealth(partner('a', { total: 5, by_status: { replied: 5 } }))).toBe('ok')
    expect(partnerHealth(partner('a'))).toBe('idle')
  })
  it('counts failed and rejected as failures', () => {
    expect(failures(partner('a', { by_status: { failed: 2, rejected: 3, applied: 7 } }))).toBe(5)
  })
  it('puts problems first, then the busiest, keeping order on ties', () => {
    const list = [
      partner('idle1'),
      partner('ok-small', { total: 2, by_status: { replied: 2 } }),
      partner('bad', { dead: 1 }),
      partner('ok-big', { total: 9, by_status: { replied: 9 } }),
      partner('idle2'),
      partner('warn', { pending: 1, total: 1, by_status: { pending: 1 } }),
    ]
    expect(sortPartners(list).map((p) => p.code)).toEqual(['bad', 'warn', 'ok-big', 'ok-small', 'idle1', 'idle2'])
  })
})

describe('latencyLine', () => {
  it('prefers the outbound round trip, then inbound processing', () => {
    expect(latencyLine(partner('a', { out_p50_ms: 40, out_p99_ms: 1500, in_p50_ms: 3, in_p99_ms: 9 }))).toBe('p50 40 毫秒 / p99 1.5 秒')
    expect(latencyLine(partner('a', { in_p50_ms: 3, in_p99_ms: 9 }))).toBe('处理 p50 3 毫秒 / p99 9 毫秒')
    expect(latencyLine(partner('a'))).toBe('暂无耗时数据')
  })
})

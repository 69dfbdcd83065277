import { describe, expect, it } from 'vitest'
import { alertJobSummary, stockStateRows, unitsLink } from '@/lib/housing/project-page'
import { jobFinished, jobPercent } from '@/lib/jobs'

describe('project page pieces', () => {
  it('orders unit counts by state with colour and share', () => {
    const rows = stockStateRows({ communities: 1, buildings: 2, units: 10, units_by_state: { available: 6, locked: 4 } })
    expect(rows.map((r) => r.label)).toEqual(['未入库', '可配租', '已配租', '已锁定', '维修中', '已下架'])
    expect(rows[1]).toMatchObject({ state: 'available', count: 6, share: 0.6 })
    expect(stockStateRows(null).every((r) => r.count === 0 && r.share === 0)).toBe(true)
  })

  it('links to the unit table of a project', () => {
    expect(unitsLink(7)).toBe('/units?project_id=7')
    expect(unitsLink(7, { state: 'available' })).toBe('/units?project_id=7&state=available')
  })

  it('reports the alert job', () => {
    expect(jobPercent({ id: 'j', status: 'running', progress: 3, total: 12 })).toBe(25)
    expect(jobPercent({ id: 'j', status: 'done', progress: 0, total: 0 })).toBe(100)
    expect(jobPercent({ id: 'j', status: 'queued', progress: 0, total: 0 })).toBe(0)
    expect(jobFinished({ id: 'j', status: 'failed', progress: 0, total: 0 })).toBe(true)
    expect(jobFinished({ id: 'j', status: 'running', progress: 0, total: 0 })).toBe(false)
    expect(alertJobSummary({ today: '2026-11-26', projects: 12, created: 2, updated: 1, closed: 0, by_kind: { expiring: 1, expired: 1, overdue: 0 } })).toBe(
      '检查日期 2026-11-26，共检查 12 个已认定项目：新增预警 2 条，更新 1 条，关闭 0 条；当前即将到期 1 个、已过期 1 个',
    )
    expect(alertJobSummary({ today: '2026-11-26', projects: 0, created: 0, updated: 0, closed: 0, by_kind: {} })).toContain('没有需要预警的项目')
  })
})

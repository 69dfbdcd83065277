import { describe, expect, it } from 'vitest'
import { localPage, matchKeyword } from './local-list'

const rows = [
  { key: 'housing_intake', name: '房源入库', running: 3 },
  { key: 'project_exit', name: '项目退出', running: 0 },
  { key: 'project_recognition', name: '项目认定', running: null },
  { key: 'eligibility', name: '资格审核', running: 12 },
]
const q = (over: Record<string, unknown> = {}) => ({ page: 1, pageSize: 20, sort: null, q: null, ...over })

describe('matchKeyword', () => {
  it('keeps every row for a blank keyword', () => {
    expect(matchKeyword(rows, '  ', ['key'])).toBe(rows)
    expect(matchKeyword(rows, null, ['key'])).toBe(rows)
  })
  it('matches any of the fields, ignoring case and surrounding blanks', () => {
    expect(matchKeyword(rows, ' PROJECT_', ['key', 'name']).map((r) => r.key)).toEqual(['project_exit', 'project_recognition'])
    expect(matchKeyword(rows, '入库', ['key', 'name']).map((r) => r.key)).toEqual(['housing_intake'])
  })
  it('looks only in the fields named', () => {
    expect(matchKeyword(rows, '入库', ['key'])).toEqual([])
  })
})

describe('localPage', () => {
  it('returns the rows in the order given when unsorted', () => {
    const p = localPage(rows, q(), ['key'])
    expect(p.total).toBe(4)
    expect(p.items.map((r) => r.key)).toEqual(rows.map((r) => r.key))
  })
  it('counts the matching rows, not the page', () => {
    const p = localPage(rows, q({ q: 'project', pageSize: 1, page: 2 }), ['key'])
    expect(p.total).toBe(2)
    expect(p.items.map((r) => r.key)).toEqual(['project_recognition'])
  })
  it('pages, with nothing past the last page', () => {
    expect(localPage(rows, q({ pageSize: 3, page: 2 }), []).items.map((r) => r.key)).toEqual(['eligibility'])
    expect(localPage(rows, q({ pageSize: 3, page: 3 }), []).items).toEqual([])
  })
  it('sorts numbers as numbers both ways, blanks last', () => {
    expect(localPage(rows, q({ sort: 'running' }), []).items.map((r) => r.running)).toEqual([0, 3, 12, null])
    expect(localPage(rows, q({ sort: '-running' }), []).items.map((r) => r.running)).toEqual([12, 3, 0, null])
  })
  it('sorts text and leaves the input alone', () => {
    const before = rows.map((r) => r.key)
    expect(localPage(rows, q({ sort: 'key' }), []).items.map((r) => r.key)).toEqual([
      'eligibility',
      'housing_intake',
      'project_exit',
      'project_recognition',
    ])
    expect(rows.map((r) => r.key)).toEqual(before)
  })
})

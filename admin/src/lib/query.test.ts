import { describe, expect, it } from 'vitest'
import {
  buildExportParams,
  buildFilterParams,
  buildListParams,
  parseSort,
  singleCondition,
  sortParam,
  toDateParam,
  toQueryString,
  type FilterDef,
} from './query'

const defs: FilterDef[] = [
  { field: 'name', label: '单位名称', type: 'text' },
  { field: 'credit_code', label: '信用代码', type: 'text', op: 'eq' },
  { field: 'kind', label: '单位类型', type: 'select', options: [] },
  { field: 'district_code', label: '区域', type: 'select', multiple: true, options: [] },
  { field: 'enabled', label: '状态', type: 'select', options: [] },
  { field: 'hired_on', label: '入职日期', type: 'daterange' },
  { field: 'area', label: '面积', type: 'numberrange' },
]

describe('buildFilterParams', () => {
  it('sends text as __contains by default and as equality with op eq', () => {
    expect(buildFilterParams(defs, { name: ' 江门 ', credit_code: '91440700X' })).toEqual({
      name__contains: '江门',
      credit_code: '91440700X',
    })
  })

  it('drops blank values of every type', () => {
    expect(
      buildFilterParams(defs, {
        name: '   ',
        credit_code: '',
        kind: null,
        district_code: [],
        enabled: undefined,
        hired_on: null,
        area: [null, null],
      }),
    ).toEqual({})
  })

  it('sends a select value as equality and booleans as true/false', () => {
    expect(buildFilterParams(defs, { kind: 'BUILDER', enabled: false })).toEqual({ kind: 'BUILDER', enabled: 'false' })
    expect(buildFilterParams(defs, { enabled: true })).toEqual({ enabled: 'true' })
  })

  it('sends a multiple select as __in joined with commas', () => {
    expect(buildFilterParams(defs, { district_code: ['440703', '440705'] })).toEqual({ district_code__in: '440703,440705' })
    expect(buildFilterParams(defs, { district_code: ['440703'] })).toEqual({ district_code__in: '440703' })
  })

  it('sends date ranges as __gte/__lte in YYYY-MM-DD, open ends allowed', () => {
    expect(buildFilterParams(defs, { hired_on: ['2026-01-01', '2026-11-26'] })).toEqual({
      hired_on__gte: '2026-01-01',
      hired_on__lte: '2026-11-26',
    })
    expect(buildFilterParams(defs, { hired_on: [new Date(2026, 0, 5), null] })).toEqual({ hired_on__gte: '2026-01-05' })
    expect(buildFilterParams(defs, { hired_on: ['2026-03-01T00:00:00', '2026-03-31 23:59'] })).toEqual({
      hired_on__gte: '2026-03-01',
      hired_on__lte: '2026-03-31',
    })
  })

  it('sends number ranges as __gte/__lte and keeps zero', () => {
    expect(buildFilterParams(defs, { area: [0, 90.5] })).toEqual({ area__gte: '0', area__lte: '90.5' })
    expect(buildFilterParams(defs, { area: [null, 60] })).toEqual({ area__lte: '60' })
    expect(buildFilterParams(defs, { area: ['abc', 60] })).toEqual({ area__lte: '60' })
  })

  it('ignores values for fields it does not know', () => {
    expect(buildFilterParams(defs, { password: 'x' })).toEqual({})
  })
})

describe('buildListParams', () => {
  it('always has page and page_size, then sort, q, filters and extras', () => {
    const p = buildListParams(
      { page: 3, pageSize: 50, sort: '-created_at', q: ' 张三 ', filters: { kind: 'GOV' } },
      defs,
      { org_id: 7 },
    )
    expect(p).toEqual({ page: '3', page_size: '50', sort: '-created_at', q: '张三', kind: 'GOV', org_id: '7' })
  })

  it('repairs a bad page number and omits empty sort and q', () => {
    expect(buildListParams({ page: 0, pageSize: 20, sort: null, q: '', filters: {} }, defs)).toEqual({ page: '1', page_size: '20' })
  })

  it('turns into a query string the backend reads', () => {
    const p = buildListParams({ page: 1, pageSize: 20, filters: { district_code: ['440703', '440704'], name: '公司' } }, defs)
    expect(toQueryString(p)).toBe('page=1&page_size=20&name__contains=%E5%85%AC%E5%8F%B8&district_code__in=440703%2C440704')
  })
})

describe('buildExportParams', () => {
  it('is the same query with format=xlsx and no paging', () => {
    const q = { page: 4, pageSize: 20, sort: 'name', q: null, filters: { kind: 'OPERATOR' } }
    expect(buildExportParams(q, defs)).toEqual({ sort: 'name', kind: 'OPERATOR', format: 'xlsx' })
  })
})

describe('sorting', () => {
  it('maps Element Plus sort-change to the sort parameter and back', () => {
    expect(sortParam('created_at', 'descending')).toBe('-created_at')
    expect(sortParam('name', 'ascending')).toBe('name')
    expect(sortParam('name', null)).toBeNull()
    expect(sortParam(null, 'ascending')).toBeNull()
    expect(parseSort('-created_at')).toEqual({ prop: 'created_at', order: 'descending' })
    expect(parseSort('name')).toEqual({ prop: 'name', order: 'ascending' })
    expect(parseSort('')).toBeNull()
  })
})

describe('helpers', () => {
  it('single condition keeps only the chosen field', () => {
    expect(singleCondition('kind', 'GOV')).toEqual({ kind: 'GOV' })
    expect(singleCondition('', 'x')).toEqual({})
  })

  it('toDateParam rejects garbage', () => {
    expect(toDateParam('not a date')).toBeNull()
    expect(toDateParam(new Date('invalid'))).toBeNull()
    expect(toDateParam('2026-02-03')).toBe('2026-02-03')
  })
})

import { describe, expect, it } from 'vitest'
import { diffObjects, sameValue, showValue } from './diff'

describe('diffObjects', () => {
  it('marks added, removed, changed and same keys, changes first', () => {
    const rows = diffObjects({ a: 1, b: 'x', c: [1, 2], d: { k: 1 } }, { a: 2, b: 'x', d: { k: 1 }, e: true })
    expect(rows.map((r) => [r.key, r.change])).toEqual([
      ['a', 'changed'],
      ['c', 'removed'],
      ['e', 'added'],
      ['b', 'same'],
      ['d', 'same'],
    ])
  })

  it('handles creations and deletions with a null side', () => {
    expect(diffObjects(null, { name: '审计员' })).toEqual([{ key: 'name', before: undefined, after: '审计员', change: 'added' }])
    expect(diffObjects({ name: '审计员' }, null)[0].change).toBe('removed')
    expect(diffObjects(null, undefined)).toEqual([])
  })

  it('compares nested values regardless of key order', () => {
    expect(sameValue({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toBe(true)
    expect(sameValue([1, 2], [2, 1])).toBe(false)
  })

  it('renders values for display', () => {
    expect(showValue(null)).toBe('null')
    expect(showValue(undefined)).toBe('')
    expect(showValue('文本')).toBe('文本')
    expect(showValue({ a: [1] })).toBe('{"a":[1]}')
  })
})

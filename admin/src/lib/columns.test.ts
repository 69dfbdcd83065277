import { describe, expect, it } from 'vitest'
import { COLUMN_MAX, fitColumns, type ColumnNeed } from './columns'

const col = (key: string, content: number, wrappable = false, header = 60): ColumnNeed => ({ key, content, header, wrappable })
const sum = (fits: { width: number }[]) => fits.reduce((a, f) => a + f.width, 0)

describe('fitColumns', () => {
  it('gives each column its widest value when they fit', () => {
    const fits = fitColumns([col('number', 198), col('applicant', 178, true), col('due', 170)], 1000)
    expect(fits.map((f) => f.width)).toEqual([198, 178, 170])
    expect(fits.every((f) => !f.wrap)).toBe(true)
  })

  it('never narrower than the header, never wider than the cap', () => {
    const fits = fitColumns([col('a', 20, false, 90), col('b', 2000, true)], 5000)
    expect(fits[0].width).toBe(90)
    expect(fits[1].width).toBe(COLUMN_MAX)
  })

  it('wraps the widest wrappable columns first so that the rest fit', () => {
    const cols = [col('number', 198), col('type', 90, true), col('applicant', 300, true), col('step', 150, true), col('due', 170)]
    const fits = fitColumns(cols, 800)
    expect(sum(fits)).toBeLessThanOrEqual(800)
    const by = Object.fromEntries(fits.map((f) => [f.key, f]))
    // Codes and dates do not break: they keep their width.
    expect(by.number).toMatchObject({ width: 198, wrap: false })
    expect(by.due).toMatchObject({ width: 170, wrap: false })
    expect(by.type).toMatchObject({ width: 90, wrap: false })
    expect(by.applicant.wrap).toBe(true)
    expect(by.applicant.width).toBeLessThan(300)
  })

  it('stops at the wrap floor and lets the table scroll when even that is too wide', () => {
    const fits = fitColumns([col('number', 300), col('name', 300, true)], 350)
    expect(fits[0]).toMatchObject({ width: 300, wrap: false })
    expect(fits[1]).toMatchObject({ width: 112, wrap: true })
  })
})

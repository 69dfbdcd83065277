import { describe, expect, it } from 'vitest'
import { errorsByRow, parseImportJob } from '@/lib/housing/unit-import'

describe('import report', () => {
  it('shows progress while the job runs', () => {
    expect(parseImportJob({ status: 'queued', progress: 0, total: 0 })).toMatchObject({ phase: 'queued', percent: 0, finished: false, committed: null, message: '排队中' })
    expect(parseImportJob({ status: 'running', progress: 5000, total: 10000, message: '已校验10000行' })).toMatchObject({ phase: 'running', percent: 50, message: '已校验10000行' })
    expect(parseImportJob({ status: 'running', progress: 10000, total: 10000 }).percent).toBe(99)
  })

  it('reads an all-or-nothing run that found bad rows', () => {
    const r = parseImportJob({
      status: 'done', progress: 5, total: 5, message: '校验未通过，未导入任何房屋',
      result: { committed: false, total_rows: 5, valid_rows: 3, error_rows: 2, can_commit_valid: true, example_skipped: true },
      errors: [
        { row: 7, column: '建筑面积（㎡）', message: '应为大于0的数字' },
        { row: 4, column: '房号', message: '与第3行重复（同一楼栋房号不能重复）' },
        { row: 7, column: '楼层', message: '必填' },
        { row: null, column: '', message: '表头缺少“楼栋”' },
        'junk',
      ],
    })
    expect(r).toMatchObject({ phase: 'done', finished: true, percent: 100, committed: false, totalRows: 5, validRows: 3, errorRows: 2, canCommitValid: true, exampleSkipped: true })
    expect(r.errors).toHaveLength(4)
    expect(r.errors[0]).toEqual({ row: 7, column: '建筑面积（㎡）', message: '应为大于0的数字' })
    expect(errorsByRow(r.errors)).toEqual([
      { row: null, columns: [], messages: ['表头缺少“楼栋”'] },
      { row: 4, columns: ['房号'], messages: ['房号：与第3行重复（同一楼栋房号不能重复）'] },
      { row: 7, columns: ['建筑面积（㎡）', '楼层'], messages: ['建筑面积（㎡）：应为大于0的数字', '楼层：必填'] },
    ])
  })

  it('reads a committed run and a failed one', () => {
    const ok = parseImportJob({ status: 'done', result: { committed: true, inserted: 9998, reused: 2, total_rows: 10000, valid_rows: 10000, error_rows: 0 }, errors: [] })
    expect(ok).toMatchObject({ committed: true, inserted: 9998, reused: 2, canCommitValid: false, errors: [] })
    const bad = parseImportJob({ status: 'failed', message: '导入失败：文件中没有要导入的房屋', result: null, errors: null })
    expect(bad).toMatchObject({ phase: 'failed', finished: true, committed: null, message: '导入失败：文件中没有要导入的房屋', canCommitValid: false })
  })

  it('lists the buildings a file would create and waits for the clerk to confirm them', () => {
    const r = parseImportJob({
      status: 'done', progress: 3, total: 3, message: '有1栋新楼栋待确认，未导入任何房屋',
      result: { committed: false, total_rows: 3, valid_rows: 3, error_rows: 0, needs_confirmation: true, can_confirm: true,
        new_buildings: [{ name: '99栋', unit_count: 1, valid_units: 1, first_row: 5 }] },
      errors: [],
    })
    expect(r).toMatchObject({ committed: false, needsConfirmation: true, canConfirm: true, canCommitValid: false, fileRows: 3 })
    expect(r.newBuildings).toEqual([{ name: '99栋', unitCount: 1, validUnits: 1, firstRow: 5 }])
    // the total is the file's rows from the first poll: never 0/0
    expect(parseImportJob({ status: 'queued', progress: 0, total: 10000 })).toMatchObject({ fileRows: 10000, percent: 0 })
    expect(parseImportJob({ status: 'done', result: { committed: true } })).toMatchObject({ needsConfirmation: false, canConfirm: false, newBuildings: [] })
  })

  it('offers the valid rows only when there are some', () => {
    expect(parseImportJob({ status: 'done', result: { committed: false, valid_rows: 0, can_commit_valid: false } }).canCommitValid).toBe(false)
  })
})

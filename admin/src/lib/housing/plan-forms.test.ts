import { describe, expect, it } from 'vitest'
import { housingTargetErrors, housingTargetPayload, planFormErrors, planPayload, projectTargetErrors, projectTargetPayload } from '@/lib/housing/plan-forms'

describe('plan and target forms', () => {
  it('checks a plan and sends null for the whole city', () => {
    expect(planFormErrors({ year: null, name: ' ', district_code: '', description: '' })).toEqual({ year: '请选择计划年度（2000–2100）', name: '请输入计划名称' })
    expect(planPayload({ year: 2026, name: ' 2026年计划 ', district_code: '', description: '' })).toEqual({ year: 2026, name: '2026年计划', district_code: null, description: null })
  })

  it('checks project targets: money, area and dates', () => {
    const f = { project_id: null, units_start: 1.5, units_complete: 0, area_start: '1.234', area_complete: '', start_date: '2026-05-01', completion_date: '2026-03-01', planned_investment: '1,5' }
    const e = projectTargetErrors(f, true)
    expect(Object.keys(e).sort()).toEqual(['area_start', 'completion_date', 'project_id', 'units_start'])
    expect(e.completion_date).toBe('计划竣工日期不能早于计划开工日期')
  })

  it('sends plan and project only when creating', () => {
    const f = { project_id: 7, units_start: 400, units_complete: 200, area_start: '24000', area_complete: '', start_date: '2026-03-01', completion_date: '', planned_investment: '150,000,000' }
    expect(projectTargetPayload(f, 1)).toEqual({
      plan_id: 1,
      project_id: 7,
      units_start: 400,
      units_complete: 200,
      area_start: '24000.00',
      area_complete: '0.00',
      start_date: '2026-03-01',
      completion_date: null,
      planned_investment: '150000000.00',
    })
    expect(projectTargetPayload(f, null)).not.toHaveProperty('plan_id')
    expect(projectTargetPayload(f, null)).not.toHaveProperty('project_id')
  })

  it('checks housing targets', () => {
    expect(housingTargetErrors({ project_id: null, layout: '', planned_units: null, area_per_unit: 'x' }, true)).toEqual({
      project_id: '请选择项目',
      layout: '请选择或输入户型',
      planned_units: '请输入计划套数（0 到 1,000,000 的整数）',
      area_per_unit: '套均面积应为数字，最多两位小数',
    })
    expect(housingTargetPayload({ project_id: 7, layout: ' 一室一厅 ', planned_units: 120, area_per_unit: '45' }, null)).toEqual({
      layout: '一室一厅',
      planned_units: 120,
      area_per_unit: '45.00',
    })
  })
})

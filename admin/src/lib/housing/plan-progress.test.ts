import { describe, expect, it } from 'vitest'
import { monthlyChartOption, planChartOption, planProgressRows, progressChartOption, type PlanProgress } from '@/lib/housing/plan-progress'

function progress(): PlanProgress {
  return {
    plan: { id: 1, name: '2026年计划' },
    year: 2026,
    as_of: '2026-11',
    totals: {
      target: { units_start: 1200, units_complete: 800, area_start: '72000.00', area_complete: '48000.00', planned_investment: '300000000.00' },
      actual: { units_started: 630, units_completed: 210, area_started: '36000.50', area_completed: '12000.00', investment_done: '123000000.00' },
      rate: { units_start: 0.525, units_complete: 0.2625, area_start: 0.5, area_complete: 0.25, investment: 0.41 },
    },
    items: [
      {
        project_id: 7,
        project_name: '滨江保障公寓',
        project_code: 'XMBH-20261126-0001',
        target: { units_start: 400, units_complete: 200, area_start: '24000.00', area_complete: '0.00', planned_investment: '150000000.00' },
        actual: { units_started: 300, units_completed: 0, area_started: '18000.50', area_completed: '0.00', investment_done: '60000000.00', progress_percent: 45, last_period: '2026-10' },
        rate: { units_start: 0.75, units_complete: 0, area_start: 0.75, area_complete: null, investment: 0.4 },
      },
      {
        project_id: 8,
        project_name: '江海人才公寓',
        project_code: 'XMBH-20261126-0002',
        // An older server: no area in the figures at all.
        target: { units_start: 800, units_complete: 600, planned_investment: '150000000.00' },
        actual: { units_started: 330, units_completed: 210, investment_done: '63000000.00', progress_percent: 60, last_period: '2026-11' },
        rate: { units_start: null as unknown as number, units_complete: 0.35, investment: 0.42 },
      },
    ],
    housing: [{ layout: '一室一厅', planned_units: 120 }],
    monthly: [
      { period: '2026-01', units_started: 0, units_completed: 0, area_started: '0.00', area_completed: '0.00', investment_done: '0.00' },
      { period: '2026-02', units_started: 120, units_completed: 0, area_started: '7200.5', area_completed: '0.00', investment_done: '15000000.00' },
    ],
  }
}

describe('plan against actual', () => {
  it('gives one row per project and a total, computing a missing rate', () => {
    const rows = planProgressRows(progress())
    expect(rows.map((r) => r.project_name)).toEqual(['滨江保障公寓', '江海人才公寓', '合计'])
    expect(rows[0]).toMatchObject({ units_start: 400, units_started: 300, units_start_rate: 0.75, investment_done: '60000000.00', progress_percent: 45 })
    // The server's null means "no target"; with a target the page computes it.
    expect(rows[1].units_start_rate).toBe(0.4125)
    expect(rows[2]).toMatchObject({ project_id: null, units_start: 1200, units_started: 630, investment_rate: 0.41, planned_investment: '300000000.00' })
    expect(planProgressRows(null)).toEqual([])
    expect(planProgressRows({ ...progress(), items: [] })).toEqual([])
  })

  it('puts the areas next to the units, with their rates', () => {
    const rows = planProgressRows(progress())
    expect(rows[0]).toMatchObject({
      area_start: '24000.00',
      area_started: '18000.50',
      area_start_rate: 0.75,
      area_complete: '0.00',
      area_completed: '0.00',
      area_complete_rate: null,
    })
    // Missing figures read as zero; a zero target has no rate.
    expect(rows[1]).toMatchObject({ area_start: '0.00', area_started: '0.00', area_start_rate: null, area_complete_rate: null })
    expect(rows[2]).toMatchObject({ area_start: '72000.00', area_started: '36000.50', area_start_rate: 0.5, area_complete: '48000.00', area_complete_rate: 0.25 })
    // Without the server's rate the page computes it in exact hundredths: 0.03 / 0.09.
    const p = progress()
    p.items[0].target.area_start = '0.09'
    p.items[0].actual.area_started = '0.03'
    delete p.items[0].rate.area_start
    expect(planProgressRows(p)[0].area_start_rate).toBe(0.3333)
  })

  it('builds a bar chart of plan against actual, downloadable and with a data view', () => {
    const units = planChartOption(progress(), 'units', '开竣工计划与完成', '2026年计划')
    expect(units.xAxis.data).toEqual(['滨江保障公寓', '江海人才公寓'])
    expect(units.series.map((s: any) => s.name)).toEqual(['计划开工', '实际开工', '计划竣工', '实际竣工'])
    expect(units.series[1].data).toEqual([300, 330])
    expect(units.title).toMatchObject({ text: '开竣工计划与完成', subtext: '2026年计划' })
    expect(units.toolbox.feature.saveAsImage.name).toBe('2026年计划-开竣工计划与完成')
    expect(units.toolbox.feature.dataView.readOnly).toBe(true)
    const money = planChartOption(progress(), 'investment', '投资')
    expect(money.series.map((s: any) => s.data)).toEqual([
      [15000, 15000],
      [6000, 6300],
    ])
    expect(money.yAxis.name).toBe('万元')
    const monthly = monthlyChartOption(progress(), '按月累计')
    expect(monthly.xAxis.data).toEqual(['01月', '02月'])
    expect(monthly.series[2].data).toEqual([0, 1500])
  })



  it('draws a project progress history oldest month first', () => {
    const o = progressChartOption(
      [
        { period: '2026-10', progress_percent: 45, investment_done: '60000000.00', units_started: 300, units_completed: 0 },
        { period: '2026-08', progress_percent: 20, investment_done: '20000000.00', units_started: 100, units_completed: 0 },
      ],
      '建设进度',
    )
    expect(o.xAxis.data).toEqual(['2026-08', '2026-10'])
    expect(o.series[0].data).toEqual([20, 45])
    expect(o.series[1].data).toEqual([2000, 6000])
    // Percent, money and units each on their own axis.
    expect(o.yAxis.map((a: any) => a.name)).toEqual(['形象进度 %', '万元', '套'])
    expect(o.series.map((x: any) => x.yAxisIndex ?? 0)).toEqual([0, 1, 2, 2])
  })
})

import { describe, expect, it } from 'vitest'
import { at } from '@/api/client'
import {
  alertJobSummary,
  buildingLines,
  daysLeftText,
  declarationPayload,
  declarationProblems,
  fenToYuan,
  formatArea,
  formatCount,
  formatRate,
  housingTargetErrors,
  housingTargetPayload,
  jobFinished,
  jobPercent,
  moneyError,
  monthlyChartOption,
  normalizeAmount,
  planChartOption,
  planFormErrors,
  planPayload,
  planProgressCsv,
  planProgressRows,
  progressChartOption,
  progressCsv,
  projectCaseRequest,
  projectEditForm,
  projectPatch,
  projectTargetErrors,
  projectTargetPayload,
  ratio,
  stockStateRows,
  sumYuan,
  toCsv,
  unitsLink,
  withoutFields,
  yuanToFen,
  yuanToWan,
  type PlanProgress,
} from './housing-projects'

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

  it('exports the figures as CSV that Excel reads', () => {
    const csv = planProgressCsv(progress())
    expect(csv.startsWith('\ufeff项目编号,项目,')).toBe(true)
    const lines = csv.trim().split('\r\n')
    expect(lines[0].split(',').slice(9, 17)).toEqual(['完成投资（元）', '投资完成率', '计划开工面积（㎡）', '实际开工面积（㎡）', '开工面积完成率', '计划竣工面积（㎡）', '实际竣工面积（㎡）', '竣工面积完成率'])
    expect(lines[1]).toBe('XMBH-20261126-0001,滨江保障公寓,400,300,75%,200,0,0%,150000000.00,60000000.00,40%,24000.00,18000.50,75%,0.00,0.00,,45,2026-10')
    expect(lines[3].startsWith(',合计,1200,630,52.5%')).toBe(true)
    expect(lines[3]).toContain(',72000.00,36000.50,50%,48000.00,12000.00,25%,')
    expect(lines[4]).toContain('2026-01 累计')
    expect(lines[5].split(',')).toEqual(['', '2026-02 累计', '', '120', '', '', '0', '', '', '15000000.00', '', '', '7200.50', '', '', '0.00', '', '', ''])
    expect(lines.every((l) => l.split(',').length === 19)).toBe(true)
    expect(toCsv(['a'], [['x,"y"']])).toBe('\ufeffa\r\n"x,""y"""\r\n')
  })

  it('exports a project progress history with its areas', () => {
    const lines = progressCsv([
      { period: '2026-10', progress_percent: 45, investment_done: '60000000', units_started: 300, units_completed: 0, area_started: '18000.5', area_completed: '0.00' },
      { period: '2026-08', progress_percent: 20, investment_done: '20000000.00', units_started: 100, units_completed: 0 },
    ])
      .trim()
      .split('\r\n')
    expect(lines).toEqual([
      '申报月份,形象进度（%）,累计完成投资（元）,累计开工套数,累计竣工套数,累计开工面积（㎡）,累计竣工面积（㎡）',
      '2026-08,20,20000000.00,100,0,,',
      '2026-10,45,60000000.00,300,0,18000.50,0.00',
    ])
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

describe('project edits', () => {
  const p = {
    name: '滨江保障公寓',
    address: '江门市蓬江区白沙大道西88号',
    supply_mode: 'new_build',
    land_area: '8000.00',
    building_area: '26000.00',
    unit_count: 396,
    total_investment: '150000000.00',
    location: { bd09: { lng: 113.086, lat: 22.587 } },
    description: null,
    rea_project_code: null,
    qualification_from: '2026-11-26',
    qualification_to: '2031-11-25',
  }

  it('sends only what changed and may be changed', () => {
    const f = projectEditForm(p)
    expect(projectPatch(p, f, ['address', 'location'])).toEqual({})
    f.address = '江门市蓬江区白沙大道西90号'
    f.name = '改名'
    f.land_area = '8000'
    f.building_area = '26000.5'
    f.lng = 113.09
    expect(projectPatch(p, f, ['address', 'location', 'land_area', 'building_area'])).toEqual({
      address: '江门市蓬江区白沙大道西90号',
      building_area: '26000.50',
      location: { lng: 113.09, lat: 22.587, system: 'bd09' },
    })
  })

  it('clears the location when both coordinates are removed', () => {
    const f = projectEditForm(p)
    f.lng = null
    f.lat = null
    expect(projectPatch(p, f, ['location'])).toEqual({ location: null })
  })
})

describe('project cases', () => {
  const project = { id: 7, name: '滨江保障公寓', builder_id: 12, district_code: '440703' }

  it('sends exit and progress through the project, without the name the server fills in', () => {
    const r = projectCaseRequest('progress_report', project, { project_name: 'x', period: '2026-10', progress_percent: 45 }, [{ file_id: 'f1', material_type: '' }], true)
    expect(r.url).toEqual(at('/housing/projects/{project_id}/cases', { project_id: 7 }))
    expect(r.body).toEqual({ case_type: 'progress_report', form: { period: '2026-10', progress_percent: 45 }, materials: [{ file_id: 'f1', material_type: '其他材料' }], submit: true })
  })

  it('starts an intake as a draft case naming the project', () => {
    const r = projectCaseRequest('unit_intake', project, { note: '首批' }, [], false)
    expect(r.url).toBe('/cases')
    expect(r.body).toEqual({
      case_type: 'unit_intake',
      applicant: { kind: 'ORG', org_id: 12 },
      district_code: '440703',
      subjects: { project_id: 7 },
      form: { note: '首批', project_name: '滨江保障公寓' },
      materials: [],
      submit: false,
    })
  })

  it('leaves out form fields by name', () => {
    expect(withoutFields([{ field: 'project_name' }, { field: 'period' }, { type: 'div' } as { field?: string }], ['project_name'])).toEqual([{ field: 'period' }, { type: 'div' }])
  })

  it('puts the picked point into the declaration form', () => {
    const s = { org_id: '12', district_code: '440703', form: { project_name: '滨江', planned_units: 396, buildings: '1栋:33:264\n2栋：17：132' }, lng: 113.086, lat: 22.587, materials: [] }
    expect(declarationPayload(s, true)).toEqual({
      case_type: 'project_declaration',
      applicant: { kind: 'ORG', org_id: 12 },
      district_code: '440703',
      form: { project_name: '滨江', planned_units: 396, buildings: '1栋:33:264\n2栋：17：132', lng: 113.086, lat: 22.587 },
      materials: [],
      submit: true,
    })
    expect(declarationProblems(s)).toEqual({})
    expect(declarationProblems({ ...s, org_id: null, district_code: '440700', form: { planned_units: 100, buildings: '1栋:33:264' } })).toEqual({
      org_id: '请选择申报的建设单位',
      district_code: '请选择项目所在区（市）',
      buildings: '各楼栋套数之和（264 套）超过计划套数（100 套）',
    })
  })

  it('reads building lines like the server', () => {
    expect(buildingLines('1栋:33:264\n\n2栋：17：132')).toEqual({ total: 396, count: 2, error: null })
    expect(buildingLines('1栋-33-264').error).toBe('第 1 行应为“楼栋名:层数:套数”，如“1栋:33:396”')
    expect(buildingLines('1栋:33:1\n1栋:2:1').error).toBe('楼栋“1栋”重复')
    expect(buildingLines('1栋:0:1').error).toBe('楼栋“1栋”的层数应在 1 到 200 之间')
    expect(buildingLines('')).toEqual({ total: 0, count: 0, error: null })
  })
})

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

import { describe, expect, it } from 'vitest'
import { at } from '@/api/client'
import { buildingLines, declarationPayload, declarationProblems, projectCaseRequest, projectEditForm, projectPatch, withoutFields } from '@/lib/housing/project-forms'

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

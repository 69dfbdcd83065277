// Project edits, project cases and the declaration: form checks and the bodies the screens send.
import { at, type Target } from '@/api/client'
import { areaError, moneyError, normalizeAmount } from '@/lib/money'

export interface ProjectEditForm {
  name: string
  address: string
  supply_mode: string
  land_area: string
  building_area: string
  unit_count: number | null
  total_investment: string
  lng: number | null
  lat: number | null
  description: string
  rea_project_code: string
  qualification_from: string
  qualification_to: string
}

export function projectEditForm(p: Record<string, any>): ProjectEditForm {
  const bd = p.location?.bd09
  return {
    name: p.name ?? '',
    address: p.address ?? '',
    supply_mode: p.supply_mode ?? '',
    land_area: p.land_area ?? '',
    building_area: p.building_area ?? '',
    unit_count: p.unit_count ?? null,
    total_investment: p.total_investment ?? '',
    lng: bd ? Number(bd.lng) : null,
    lat: bd ? Number(bd.lat) : null,
    description: p.description ?? '',
    rea_project_code: p.rea_project_code ?? '',
    qualification_from: p.qualification_from ?? '',
    qualification_to: p.qualification_to ?? '',
  }
}

export function projectEditErrors(f: ProjectEditForm, fields: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  const may = new Set(fields)
  if (may.has('name') && !f.name.trim()) out.name = '请输入项目名称'
  if (may.has('address') && !f.address.trim()) out.address = '请输入项目地址'
  for (const [k, label] of [
    ['land_area', '用地面积'],
    ['building_area', '建筑面积'],
  ] as const) {
    const e = may.has(k) ? areaError(f[k], label) : null
    if (e) out[k] = e
  }
  const m = may.has('total_investment') ? moneyError(f.total_investment, '总投资') : null
  if (m) out.total_investment = m
  if (may.has('qualification_to') && f.qualification_from && f.qualification_to && f.qualification_to < f.qualification_from) {
    out.qualification_to = '资格期止不能早于资格期起'
  }
  return out
}

function sameNumber(a: unknown, b: unknown): boolean {
  return normalizeAmount(a) === normalizeAmount(b)
}

/** PATCH body: only the fields the caller may change and has changed. */
export function projectPatch(original: Record<string, any>, f: ProjectEditForm, fields: string[]): Record<string, unknown> {
  const may = new Set(fields)
  const o = projectEditForm(original)
  const out: Record<string, unknown> = {}
  const text = (k: 'name' | 'address' | 'description' | 'rea_project_code', nullable: boolean) => {
    if (!may.has(k) || f[k].trim() === o[k].trim()) return
    out[k] = f[k].trim() || (nullable ? null : '')
  }
  text('name', false)
  text('address', false)
  text('description', true)
  text('rea_project_code', true)
  if (may.has('supply_mode') && f.supply_mode && f.supply_mode !== o.supply_mode) out.supply_mode = f.supply_mode
  for (const k of ['land_area', 'building_area', 'total_investment'] as const) {
    if (may.has(k) && !sameNumber(f[k], o[k])) out[k] = normalizeAmount(f[k])
  }
  if (may.has('unit_count') && f.unit_count !== null && Number(f.unit_count) !== Number(o.unit_count)) out.unit_count = Number(f.unit_count)
  if (may.has('location') && (f.lng !== o.lng || f.lat !== o.lat)) {
    out.location = f.lng === null || f.lat === null ? null : { lng: f.lng, lat: f.lat, system: 'bd09' }
  }
  for (const k of ['qualification_from', 'qualification_to'] as const) {
    if (may.has(k) && (f[k] || '') !== (o[k] || '')) out[k] = f[k] || null
  }
  return out
}

export interface MaterialRef {
  file_id: string
  material_type: string
}

/** Fields the server fills in itself (the project's name) are not asked for. */
export function withoutFields<T extends { field?: string }>(rules: T[], fields: string[]): T[] {
  return rules.filter((r) => !r.field || !fields.includes(r.field))
}

/**
 * The request that starts a case on a project. Exit and progress go through the
 * project's own endpoint (it checks the project and fills in its name); an intake
 * is a plain case naming the project in `subjects`.
 */
export function projectCaseRequest(
  caseType: string,
  project: { id: number; name: string; builder_id: number; district_code: string },
  form: Record<string, unknown>,
  materials: MaterialRef[],
  submit: boolean,
): { url: Target<'post'>; body: Record<string, unknown> } {
  const mats = materials.filter((m) => m.file_id).map((m) => ({ file_id: m.file_id, material_type: m.material_type || '其他材料' }))
  if (caseType === 'project_exit' || caseType === 'progress_report') {
    const f = { ...form }
    delete f.project_name
    return { url: at('/housing/projects/{project_id}/cases', { project_id: project.id }), body: { case_type: caseType, form: f, materials: mats, submit } }
  }
  return {
    url: '/cases',
    body: {
      case_type: caseType,
      applicant: { kind: 'ORG', org_id: project.builder_id },
      district_code: project.district_code,
      subjects: { project_id: project.id },
      form: { ...form, project_name: project.name },
      materials: mats,
      submit,
    },
  }
}

export interface DeclarationState {
  org_id: number | string | null
  district_code: string
  form: Record<string, unknown>
  lng: number | null
  lat: number | null
  materials: MaterialRef[]
}

/** Body of `POST /api/v1/cases` for a 项目申报; the picked point goes into the form as BD-09. */
export function declarationPayload(s: DeclarationState, submit: boolean): Record<string, unknown> {
  return {
    case_type: 'project_declaration',
    applicant: { kind: 'ORG', org_id: Number(s.org_id) },
    district_code: s.district_code,
    form: { ...s.form, lng: s.lng, lat: s.lat },
    materials: s.materials.filter((m) => m.file_id).map((m) => ({ file_id: m.file_id, material_type: m.material_type || '其他材料' })),
    submit,
  }
}

/** "1栋:33:264" lines → their unit total, or a message naming the bad line. */
export function buildingLines(text: unknown): { total: number; count: number; error: string | null } {
  const lines = String(text ?? '')
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => l.trim())
  let total = 0
  const seen = new Set<string>()
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*([^:：]{1,64}?)\s*[:：]\s*(\d{1,4})\s*[:：]\s*(\d{1,7})\s*$/.exec(lines[i])
    if (!m) return { total, count: i, error: `第 ${i + 1} 行应为“楼栋名:层数:套数”，如“1栋:33:396”` }
    if (seen.has(m[1].trim())) return { total, count: i, error: `楼栋“${m[1].trim()}”重复` }
    seen.add(m[1].trim())
    const floors = Number(m[2])
    if (floors < 1 || floors > 200) return { total, count: i, error: `楼栋“${m[1].trim()}”的层数应在 1 到 200 之间` }
    total += Number(m[3])
  }
  return { total, count: lines.length, error: null }
}

/** What the declaration still lacks before it may be submitted (besides the form's own rules). */
export function declarationProblems(s: DeclarationState): Record<string, string> {
  const out: Record<string, string> = {}
  if (s.org_id === null || s.org_id === '' || s.org_id === undefined) out.org_id = '请选择申报的建设单位'
  if (!s.district_code || s.district_code === '440700') out.district_code = '请选择项目所在区（市）'
  const b = buildingLines(s.form.buildings)
  if (b.error) out.buildings = b.error
  else if (s.form.planned_units !== undefined && s.form.planned_units !== null && b.total > Number(s.form.planned_units)) {
    out.buildings = `各楼栋套数之和（${b.total} 套）超过计划套数（${s.form.planned_units} 套）`
  }
  return out
}

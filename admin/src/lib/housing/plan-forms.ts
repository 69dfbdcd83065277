// The annual plan and its project and housing targets: form checks and the bodies the dialogs send.
import { areaError, moneyError, normalizeAmount } from '@/lib/money'

export interface PlanForm {
  year: number | null
  name: string
  district_code: string
  description: string
}

export function planFormErrors(f: PlanForm): Record<string, string> {
  const out: Record<string, string> = {}
  if (!f.year || f.year < 2000 || f.year > 2100) out.year = '请选择计划年度（2000–2100）'
  const name = (f.name ?? '').trim()
  if (!name) out.name = '请输入计划名称'
  else if (name.length > 128) out.name = '计划名称不能超过 128 个字'
  if ((f.description ?? '').length > 5000) out.description = '说明不能超过 5000 字'
  return out
}

export function planPayload(f: PlanForm): Record<string, unknown> {
  return {
    year: Number(f.year),
    name: f.name.trim(),
    district_code: f.district_code || null,
    description: f.description.trim() || null,
  }
}

export interface ProjectTargetForm {
  project_id: number | null
  units_start: number | null
  units_complete: number | null
  area_start: string
  area_complete: string
  start_date: string
  completion_date: string
  planned_investment: string
}

export function emptyProjectTarget(): ProjectTargetForm {
  return { project_id: null, units_start: 0, units_complete: 0, area_start: '', area_complete: '', start_date: '', completion_date: '', planned_investment: '' }
}

export function projectTargetErrors(f: ProjectTargetForm, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  if (creating && !f.project_id) out.project_id = '请选择项目'
  for (const k of ['units_start', 'units_complete'] as const) {
    const v = f[k]
    if (v !== null && v !== undefined && (!Number.isInteger(Number(v)) || Number(v) < 0 || Number(v) > 1_000_000)) out[k] = '套数应为 0 到 1,000,000 的整数'
  }
  const a1 = areaError(f.area_start, '计划开工面积')
  if (a1) out.area_start = a1
  const a2 = areaError(f.area_complete, '计划竣工面积')
  if (a2) out.area_complete = a2
  const m = moneyError(f.planned_investment, '计划投资')
  if (m) out.planned_investment = m
  if (f.start_date && f.completion_date && f.completion_date < f.start_date) out.completion_date = '计划竣工日期不能早于计划开工日期'
  return out
}

/** POST body (with plan and project) or PUT body (without: they cannot change). */
export function projectTargetPayload(f: ProjectTargetForm, planId: number | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    units_start: Number(f.units_start) || 0,
    units_complete: Number(f.units_complete) || 0,
    area_start: normalizeAmount(f.area_start) ?? '0.00',
    area_complete: normalizeAmount(f.area_complete) ?? '0.00',
    start_date: f.start_date || null,
    completion_date: f.completion_date || null,
    planned_investment: normalizeAmount(f.planned_investment) ?? '0.00',
  }
  if (planId !== null) return { plan_id: planId, project_id: f.project_id, ...body }
  return body
}

export function projectTargetForm(row: Record<string, any>): ProjectTargetForm {
  return {
    project_id: row.project_id ?? null,
    units_start: row.units_start ?? 0,
    units_complete: row.units_complete ?? 0,
    area_start: row.area_start ?? '',
    area_complete: row.area_complete ?? '',
    start_date: row.start_date ?? '',
    completion_date: row.completion_date ?? '',
    planned_investment: row.planned_investment ?? '',
  }
}

export interface HousingTargetForm {
  project_id: number | null
  layout: string
  planned_units: number | null
  area_per_unit: string
}

export function housingTargetErrors(f: HousingTargetForm, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  if (creating && !f.project_id) out.project_id = '请选择项目'
  const layout = (f.layout ?? '').trim()
  if (!layout) out.layout = '请选择或输入户型'
  else if (layout.length > 32) out.layout = '户型不能超过 32 个字'
  const n = f.planned_units
  if (n === null || n === undefined || !Number.isInteger(Number(n)) || Number(n) < 0 || Number(n) > 1_000_000) out.planned_units = '请输入计划套数（0 到 1,000,000 的整数）'
  const a = areaError(f.area_per_unit, '套均面积')
  if (a) out.area_per_unit = a
  return out
}

export function housingTargetPayload(f: HousingTargetForm, planId: number | null): Record<string, unknown> {
  const body: Record<string, unknown> = {
    layout: f.layout.trim(),
    planned_units: Number(f.planned_units) || 0,
    area_per_unit: normalizeAmount(f.area_per_unit),
  }
  if (planId !== null) return { plan_id: planId, project_id: f.project_id, ...body }
  return body
}

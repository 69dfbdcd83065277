// The unit list (list view): its filters and the location parameters of the tree.
import { codes } from '@/lib/dicts'
import { stateOptions } from '@/lib/housing/unit-states'
import type { FilterDef, FilterOption } from '@/lib/query'

export const ORIENTATIONS = codes('Orientation')

export const DECORATIONS = codes('Decoration')

// Same lists as app/domains/housing/stock/schemas.py (the server refuses anything else).
export const FACILITIES = codes('Facility')

export const LAYOUTS = codes('UnitLayout')

function opts(list: string[]): FilterOption[] {
  return list.map((v) => ({ value: v, label: v }))
}

/** The list view's query conditions (community and building come from the location bar). */
export function unitFilterDefs(o: { districts: FilterOption[]; projects: FilterOption[] }): FilterDef[] {
  const defs: FilterDef[] = [
    { field: 'district_code', label: '所属区', type: 'select', multiple: true, options: o.districts },
    { field: 'state', label: '房屋状态', type: 'select', multiple: true, options: stateOptions() },
    { field: 'layout', label: '户型', type: 'text', op: 'contains', placeholder: '如 两房一厅' },
    { field: 'area', label: '建筑面积（㎡）', type: 'numberrange' },
    { field: 'floor', label: '楼层', type: 'numberrange' },
    { field: 'residential', label: '住宅/非住宅', type: 'select', options: [{ value: 'true', label: '住宅' }, { value: 'false', label: '非住宅' }] },
    { field: 'orientation', label: '朝向', type: 'select', multiple: true, options: opts(ORIENTATIONS) },
    { field: 'decoration', label: '装修', type: 'select', multiple: true, options: opts(DECORATIONS) },
    { field: 'rent_standard', label: '租金标准（元/月）', type: 'numberrange' },
    { field: 'register_id', label: '不动产单元号', type: 'text', op: 'contains' },
  ]
  if (o.projects.length) defs.splice(1, 0, { field: 'project_id', label: '项目', type: 'select', multiple: true, options: o.projects })
  return defs
}

/** Location bar → list parameters: one id is `eq`, several are `__in`. */
export function locationParams(sel: { communityIds: (number | string)[]; buildingIds: (number | string)[] }): Record<string, string> {
  const out: Record<string, string> = {}
  const put = (field: string, ids: (number | string)[]) => {
    const clean = ids.map((x) => String(x).trim()).filter(Boolean)
    if (clean.length === 1) out[field] = clean[0]
    else if (clean.length > 1) out[`${field}__in`] = clean.join(',')
  }
  // A building already names its community; sending both would only narrow by accident.
  if (sel.buildingIds.length) put('building_id', sel.buildingIds)
  else put('community_id', sel.communityIds)
  return out
}

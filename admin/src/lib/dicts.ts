// Code → Chinese label dictionaries shared by every page (GLOSSARY.md names).
import type { FilterOption } from './query'

export interface Dict {
  [code: string]: string
}

export const ORG_KINDS: Dict = { GOV: '住建部门', BUILDER: '建设单位', OPERATOR: '运营单位' }

export const DISTRICTS: Dict = {
  '440700': '江门市',
  '440703': '蓬江区',
  '440704': '江海区',
  '440705': '新会区',
  '440781': '台山市',
  '440783': '开平市',
  '440784': '鹤山市',
  '440785': '恩平市',
}

export const POSITIONS: Dict = { supervisor: '业务主管', clerk: '普通业务人员' }

export const ACCOUNT_KINDS: Dict = { STAFF: '单位用户', PERSON: '个人用户', PARTNER: '接口账号' }

export const SCOPES: Dict = {
  CITY: '全市',
  DISTRICT: '本辖区',
  ORG: '本单位',
  SELF: '本人',
}

export const STAFF_STATUS: Dict = { active: '在职', left: '已离职' }

export function label(dict: Dict, code: unknown, empty = '-'): string {
  if (code === null || code === undefined || code === '') return empty
  return dict[String(code)] ?? String(code)
}

export function options(dict: Dict): FilterOption[] {
  return Object.entries(dict).map(([value, label]) => ({ value, label }))
}

export const BOOL_OPTIONS = (yes = '是', no = '否'): FilterOption[] => [
  { value: true, label: yes },
  { value: false, label: no },
]

// Labels, tags and colours of plans, projects and qualification alerts. The codes and their
// names come from the server (lib/dicts.ts, generated from GET /dicts); only the look is here.
import type { TagType } from '@/lib/cases'
import { type Dict, codes, dicts } from '@/lib/dicts'

export const PROJECT_STATES: Dict = dicts.ProjectState

/** Marker and legend colours of a project's state on the maps. */
export const PROJECT_STATE_COLORS: Record<string, string> = {
  declared: '#e6a23c',
  recognized: '#1f7ae0',
  exited: '#909399',
}

export function projectStateTag(state: unknown): TagType {
  return state === 'recognized' ? 'success' : state === 'declared' ? 'warning' : 'info'
}

export function projectStateColor(state: unknown): string {
  return PROJECT_STATE_COLORS[String(state)] ?? '#606266'
}

export const SUPPLY_MODES: Dict = dicts.SupplyMode

export const CONSTRUCTION_STATES: Dict = dicts.ConstructionState

export const QUALIFICATION_STATUS: Dict = dicts.QualificationStatus

export function qualificationTag(status: unknown): TagType {
  switch (status) {
    case 'valid':
      return 'success'
    case 'expiring':
      return 'warning'
    case 'expired':
      return 'danger'
    default:
      return 'info'
  }
}

export const ALERT_KINDS: Dict = dicts.AlertKind

export function alertKindTag(kind: unknown): TagType {
  return kind === 'expiring' ? 'warning' : kind === 'expired' ? 'danger' : kind === 'overdue' ? 'danger' : 'info'
}

export const ALERT_STATUS: Dict = dicts.AlertStatus

export const CERTIFICATE_STATUS: Dict = dicts.CertificateStatus

export const FILE_KINDS = codes('ProjectFileKind')

export const LAYOUTS = ['单间', '一室', '一室一厅', '两室一厅', '三室一厅', '三室两厅']

/** The project cases a project's page starts, and where their form lives. */
export const PROJECT_CASE_TYPES: Dict = {
  progress_report: '项目进度申报',
  project_exit: '项目退出申报',
  unit_intake: '房源入库申请',
}

/** "剩余 24 天" / "今日到期" / "已过期 3 天". */
export function daysLeftText(days: unknown): string {
  if (days === null || days === undefined || days === '') return '-'
  const n = Number(days)
  if (!Number.isFinite(n)) return '-'
  if (n > 0) return `剩余 ${n} 天`
  if (n === 0) return '今日到期'
  return `已过期 ${-n} 天`
}

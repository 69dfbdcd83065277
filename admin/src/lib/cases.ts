// Cases (业务件) and their work items: labels, the rules the screens apply
// before asking the server (ID number check digit, overdue), and the intake
// payload. Pure, so it is unit-tested. The contract is docs/cases.md.
import { get } from '@/api/client'
import { type Dict, dicts } from './dicts'
import type { FilterOption } from './query'
import { formatDate, todayShanghai } from '@/lib/format'

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

export const CASE_STATUS: Dict = dicts.CaseStatus

const STATUS_TAG: Record<string, TagType> = {
  draft: 'info',
  in_review: 'primary',
  returned: 'warning',
  rejected: 'danger',
  complete: 'success',
  withdrawn: 'info',
}

export function caseStatusTag(status: unknown): TagType {
  return STATUS_TAG[String(status)] ?? 'info'
}

export const CASE_CHANNELS: Dict = dicts.CaseChannel

export const APPLICANT_KINDS: Dict = { PERSON: '个人', ORG: '单位' }

/** Everything that can appear in a timeline or a done list. */
export const CASE_ACTIONS: Dict = {
  create: '创建',
  submit: '提交',
  claim: '签收',
  approve: '通过',
  return_previous: '退回上一步',
  return_applicant: '退回申请人',
  reject: '驳回',
  transfer: '转办',
  withdraw: '撤回',
  comment: '添加意见',
  edit: '修改',
  material_add: '上传材料',
  material_remove: '删除材料',
  complete: '办结',
}

/** Actions that finish a step, i.e. what a done item can record. */
export const DONE_ACTIONS: Dict = {
  submit: '提交',
  approve: '通过',
  return_previous: '退回上一步',
  return_applicant: '退回申请人',
  reject: '驳回',
  transfer: '转办',
}

export const STEP_ROLES: Dict = {
  applicant: '申请人',
  gov_clerk: '住建经办',
  gov_supervisor: '住建审批',
  operator_clerk: '运营单位经办',
  operator_supervisor: '运营单位审批',
  builder_clerk: '建设单位经办',
  builder_supervisor: '建设单位审批',
}

export const WORK_ITEM_STATUS: Dict = { open: '待办', done: '已办', cancelled: '已取消' }

/** Issued documents (电子文书). */
export const DOCUMENT_STATUS: Dict = { valid: '有效', revoked: '已作废' }

export const COMMON_PHRASES = ['同意', '材料不全，请补正', '不符合条件']

export function actionLabel(action: unknown, fallback?: unknown): string {
  if (typeof fallback === 'string' && fallback) return fallback
  if (action === null || action === undefined || action === '') return '-'
  return CASE_ACTIONS[String(action)] ?? String(action)
}

/** The timeline dot colour of an event. */
export function eventTagType(action: unknown): TagType {
  switch (action) {
    case 'approve':
    case 'complete':
      return 'success'
    case 'reject':
      return 'danger'
    case 'return_previous':
    case 'return_applicant':
    case 'withdraw':
      return 'warning'
    case 'comment':
    case 'claim':
    case 'transfer':
      return 'info'
    default:
      return 'primary'
  }
}

// ------------------------------------------------------------------ actions

export interface MyWorkItem {
  id: number | string
  step_id: string
  step_name: string
  actions: string[]
  assignee_id?: number | string | null
  assignee_name?: string | null
  /** unclaimed (待签收) or claimed (办理中), with the name masked for the applicant's side. */
  state?: 'unclaimed' | 'claimed'
  state_name?: string
  assigned_to_me?: boolean
  /** Decided by the API; the screens never work them out. */
  can_claim?: boolean
  can_act?: boolean
  can_transfer?: boolean
}

/** "待签收", "已由我签收", or "办理中（刘*燕）": an open step as the API describes it to this viewer. */
export function stepStateText(w: Pick<MyWorkItem, 'state' | 'state_name' | 'assignee_name' | 'assigned_to_me'>): string {
  if (w.state !== 'claimed') return w.state_name || '待签收'
  if (w.assigned_to_me) return '已由我签收'
  return `${w.state_name || '办理中'}${w.assignee_name ? `（${w.assignee_name}）` : ''}`
}

export interface ActionButton {
  action: string
  label: string
  type: TagType
  /** The server refuses it without an opinion. */
  needsOpinion: boolean
  /** Ask before doing it: it sends the case away or ends it. */
  confirm: boolean
}

const STEP_ACTIONS: { action: string; label: string; type: TagType; needsOpinion?: boolean; confirm?: boolean }[] = [
  { action: 'approve', label: '通过', type: 'success' },
  { action: 'submit', label: '提交', type: 'primary' },
  { action: 'return_previous', label: '退回上一步', type: 'warning', confirm: true },
  { action: 'return_applicant', label: '退回申请人', type: 'warning', needsOpinion: true, confirm: true },
  { action: 'reject', label: '驳回', type: 'danger', needsOpinion: true, confirm: true },
]

/** Whether an action must come with an opinion (reason). */
export function opinionRequired(action: string): boolean {
  return STEP_ACTIONS.some((a) => a.action === action && a.needsOpinion) || action === 'comment' || action === 'withdraw'
}

/**
 * The step buttons for one of my work items, in a fixed order, only for the
 * actions the process lists. An unclaimed item may still be acted on
 * (acting claims it), so the buttons show whenever `can_act` holds.
 */
export function actionButtons(item: Pick<MyWorkItem, 'actions' | 'can_act'>): ActionButton[] {
  if (item.can_act === false) return []
  const listed = new Set(item.actions ?? [])
  return STEP_ACTIONS.filter((a) => listed.has(a.action)).map((a) => ({
    action: a.action,
    label: a.label,
    type: a.type,
    needsOpinion: !!a.needsOpinion,
    confirm: !!a.confirm,
  }))
}

/** Problem with an action's opinion, or null when it may be sent. */
export function opinionError(action: string, opinion: string): string | null {
  const text = (opinion ?? '').trim()
  if (text.length > 1000) return '意见不能超过 1000 字'
  if (!opinionRequired(action) || text) return null
  if (action === 'reject') return '驳回须填写理由'
  if (action === 'return_applicant') return '退回申请人须说明需补正的内容'
  if (action === 'withdraw') return '请填写撤回原因'
  return '请填写意见'
}

/** Append a common phrase to the opinion (once), separated by a Chinese full stop. */
export function appendPhrase(opinion: string, phrase: string): string {
  const cur = (opinion ?? '').trim()
  if (!cur) return phrase
  if (cur.includes(phrase)) return cur
  return /[。；，！？.;,!?]$/.test(cur) ? `${cur}${phrase}` : `${cur}；${phrase}`
}

// ------------------------------------------------------------------ due dates

function dayNumber(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date)
  if (!m) return null
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86400000
}

/** A due date is overdue when today (Asia/Shanghai) is after it. */
export function isOverdue(due: unknown, today: string = todayShanghai()): boolean {
  if (due === null || due === undefined || due === '') return false
  const d = dayNumber(formatDate(due, ''))
  const t = dayNumber(today)
  return d !== null && t !== null && t > d
}

/** "剩余 3 天" / "今日到期" / "已逾期 2 天"; empty without a due date. */
export function dueHint(due: unknown, today: string = todayShanghai()): string {
  if (due === null || due === undefined || due === '') return ''
  const d = dayNumber(formatDate(due, ''))
  const t = dayNumber(today)
  if (d === null || t === null) return ''
  const diff = d - t
  if (diff > 0) return `剩余 ${diff} 天`
  if (diff === 0) return '今日到期'
  return `已逾期 ${-diff} 天`
}

/** Rows carry `overdue` from the server; an open row without it is judged by its date. */
export function rowOverdue(row: { overdue?: unknown; due_date?: unknown; due_at?: unknown; status?: unknown }, today?: string): boolean {
  if (typeof row.overdue === 'boolean') return row.overdue
  if (row.status && !['open', 'in_review', 'returned'].includes(String(row.status))) return false
  return isOverdue(row.due_date ?? row.due_at, today)
}

// ------------------------------------------------------------------ ID numbers

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64,
  65, 71, 81, 82, 83, 91,
])

/** The GB 11643-1999 check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]
  return ID_CHECK[sum % 11]
}

/** Why an 18-digit resident ID number is wrong (GB 11643), or null when it is valid. */
export function idNumberError(value: string, today: string = todayShanghai()): string | null {
  const v = (value ?? '').trim().toUpperCase()
  if (!v) return '请输入身份证号'
  if (!/^\d{17}[\dX]$/.test(v)) return '身份证号应为 18 位，最后一位可为 X'
  if (!PROVINCES.has(Number(v.slice(0, 2)))) return '身份证号的地区码不正确'
  const y = Number(v.slice(6, 10))
  const m = Number(v.slice(10, 12))
  const d = Number(v.slice(12, 14))
  const birth = new Date(Date.UTC(y, m - 1, d))
  const born = birth.getUTCFullYear() === y && birth.getUTCMonth() === m - 1 && birth.getUTCDate() === d
  const bornDay = born ? birth.getTime() / 86400000 : null
  const todayDay = dayNumber(today)
  if (!born || y < 1900 || bornDay === null || (todayDay !== null && bornDay > todayDay)) return '身份证号中的出生日期不正确'
  if (idCheckChar(v) !== v[17]) return '身份证号校验位不正确，请核对'
  return null
}

export function isValidIdNumber(value: string, today?: string): boolean {
  return idNumberError(value, today) === null
}

export const PHONE_RE = /^1[3-9]\d{9}$/

// ------------------------------------------------------------------ case types

export interface FormSchema {
  version?: number | null
  rules: Record<string, any>[]
  options: Record<string, any>
}

export interface CaseType {
  key: string
  name: string
  prefix: string
  applicant_kinds: string[]
  material_types: string[]
  form: FormSchema | null
}

/** GET /case-types: `{items: [...]}` or a bare array; the form may be absent. */
export function normalizeCaseTypes(res: unknown): CaseType[] {
  const raw = Array.isArray(res) ? res : res && typeof res === 'object' && Array.isArray((res as any).items) ? (res as any).items : []
  return raw
    .filter((t: any) => t && typeof t.key === 'string')
    .map((t: any) => ({
      key: t.key,
      name: String(t.name ?? t.key),
      prefix: String(t.prefix ?? ''),
      applicant_kinds: Array.isArray(t.applicant_kinds) && t.applicant_kinds.length ? t.applicant_kinds.map(String) : ['PERSON'],
      material_types: Array.isArray(t.material_types) ? t.material_types.map(String) : [],
      form: t.form && typeof t.form === 'object' ? normalizeFormSchema(t.form) : null,
    }))
}

let caseTypesCache: Promise<CaseType[]> | null = null

/**
 * The case types, fetched once per page load. Users who may neither read nor
 * take in cases get none (their lists then offer no type filter).
 */
export function fetchCaseTypes(): Promise<CaseType[]> {
  if (!caseTypesCache) {
    caseTypesCache = get('/case-types', undefined, { quiet: true })
      .then(normalizeCaseTypes)
      .catch(() => {
        caseTypesCache = null
        return []
      })
  }
  return caseTypesCache
}

export function caseTypeOptions(types: CaseType[]): FilterOption[] {
  return types.map((t) => ({ value: t.key, label: t.name }))
}

export function normalizeFormSchema(f: unknown): FormSchema {
  const o = (f && typeof f === 'object' ? f : {}) as Record<string, any>
  return {
    version: o.version ?? null,
    rules: Array.isArray(o.rules) ? o.rules : [],
    options: o.options && typeof o.options === 'object' ? o.options : {},
  }
}

/**
 * form-create options for showing a case's form: no buttons of its own
 * (the page has them), and everything disabled when read-only.
 */
export function formCreateOptions(schema: FormSchema | null | undefined, readonly: boolean): Record<string, any> {
  const base = schema?.options ?? {}
  return {
    ...base,
    form: { labelWidth: '140px', labelPosition: 'right', ...(base.form ?? {}) },
    submitBtn: false,
    resetBtn: false,
    ...(readonly ? { disabled: true } : {}),
  }
}

/** form-create mutates rules it renders; give it a fresh copy each time. */
export function cloneRules(rules: unknown): Record<string, any>[] {
  return Array.isArray(rules) ? JSON.parse(JSON.stringify(rules)) : []
}

// ------------------------------------------------------------------ materials

export type MaterialKind = 'image' | 'pdf' | 'other'

export function materialKind(mime: unknown): MaterialKind {
  const m = String(mime ?? '').toLowerCase()
  if (m.startsWith('image/')) return 'image'
  if (m === 'application/pdf') return 'pdf'
  return 'other'
}

/** Group materials by type, keeping the order they were given in. */
export function groupMaterials<T extends { material_type: string; sort_order?: number }>(list: T[]): { type: string; items: T[] }[] {
  const sorted = [...list].sort((a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0))
  const groups: { type: string; items: T[] }[] = []
  for (const m of sorted) {
    const g = groups.find((x) => x.type === m.material_type)
    if (g) g.items.push(m)
    else groups.push({ type: m.material_type, items: [m] })
  }
  return groups
}

/** Move one element of a list up (-1) or down (+1); out-of-range moves change nothing. */
export function moveItem<T>(list: T[], index: number, delta: number): T[] {
  const to = index + delta
  if (index < 0 || index >= list.length || to < 0 || to >= list.length) return list.slice()
  const out = list.slice()
  const [x] = out.splice(index, 1)
  out.splice(to, 0, x)
  return out
}

/** The material type a file probably is, from its name; else the first type. */
export function guessMaterialType(fileName: string, types: string[]): string {
  const name = fileName ?? ''
  const hit = types.find((t) => t && name.includes(t))
  if (hit) return hit
  const hints: [RegExp, string][] = [
    [/身份证|id[-_ ]?card/i, '身份证'],
    [/户口/, '户口'],
    [/收入|工资|流水/, '收入'],
    [/婚/, '婚'],
    [/房|产权|不动产/, '房'],
  ]
  for (const [re, word] of hints) {
    if (re.test(name)) {
      const t = types.find((x) => x.includes(word))
      if (t) return t
    }
  }
  return types[0] ?? '其他材料'
}

export function formatFileSize(bytes: unknown): string {
  const n = Number(bytes)
  if (!Number.isFinite(n) || n < 0) return '-'
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

// ------------------------------------------------------------------ intake

export interface IntakeMaterial {
  file_id: string
  material_type: string
}

export interface IntakeState {
  case_type: string
  applicant_kind: 'PERSON' | 'ORG'
  name: string
  id_number: string
  phone: string
  org_id: string | number | null
  district_code: string
  form: Record<string, unknown>
  materials: IntakeMaterial[]
}

/** What is still missing or wrong before the intake may be submitted, in screen order. */
export function intakeProblems(s: IntakeState, today?: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (!s.case_type) out.case_type = '请选择业务类型'
  if (s.applicant_kind === 'PERSON') {
    const name = s.name.trim()
    if (!name) out.name = '请输入申请人姓名'
    else if (name.length < 2 || name.length > 64) out.name = '姓名为 2-64 个字'
    const idErr = idNumberError(s.id_number, today)
    if (idErr) out.id_number = idErr
    if (!PHONE_RE.test(s.phone.trim())) out.phone = '请输入 11 位手机号'
  } else if (s.org_id === null || s.org_id === '' || s.org_id === undefined) {
    out.org_id = '请选择申请单位'
  }
  if (!s.district_code) out.district_code = '请选择所属辖区'
  return out
}

/** Body of `POST /api/v1/cases` for an on-site intake that is submitted at once. */
export function buildIntakePayload(s: IntakeState): Record<string, unknown> {
  const applicant =
    s.applicant_kind === 'PERSON'
      ? { kind: 'PERSON', name: s.name.trim(), id_number: s.id_number.trim().toUpperCase(), phone: s.phone.trim() }
      : { kind: 'ORG', org_id: Number(s.org_id) }
  return {
    case_type: s.case_type,
    applicant,
    district_code: s.district_code,
    form: { ...s.form },
    materials: s.materials.filter((m) => m.file_id).map((m) => ({ file_id: m.file_id, material_type: m.material_type })),
    submit: true,
  }
}

/**
 * The district an intake defaults to: a district office's own; city-level
 * staff (440700) pick one.
 */
export function defaultDistrict(orgDistrict: unknown): string {
  const d = String(orgDistrict ?? '')
  return /^\d{6}$/.test(d) && d !== '440700' ? d : ''
}

// ------------------------------------------------------------------ results

/** What the clerk is told after an action, from the case as reloaded. */
export function actionResult(label: string, c: { status?: string; status_name?: string | null; current_steps?: { name: string }[] | null }): string {
  const steps = (c.current_steps ?? []).map((s) => s.name).filter(Boolean).join('、')
  switch (c.status) {
    case 'complete':
      return `已${label}，业务已办结`
    case 'rejected':
      return `已${label}，业务不予通过`
    case 'withdrawn':
      return '业务已撤回'
    case 'returned':
      return '已退回申请人补正，等待重新提交'
    default:
      return steps ? `已${label}，当前环节：${steps}` : `已${label}，当前状态：${c.status_name || CASE_STATUS[String(c.status)] || '-'}`
  }
}

// ------------------------------------------------------------------ campaigns

export interface CampaignForm {
  name: string
  case_types: string[]
  period: [string, string] | null
  district_code: string
  description: string
  enabled: boolean
}

/** A campaign runs from the start of its first day to the end of its last, Beijing time. */
export function campaignPayload(f: CampaignForm): Record<string, unknown> {
  const [from, to] = f.period ?? ['', '']
  return {
    name: f.name.trim(),
    case_types: [...f.case_types],
    starts_at: from ? `${from}T00:00:00+08:00` : null,
    ends_at: to ? `${to}T23:59:59+08:00` : null,
    district_code: f.district_code || null,
    description: f.description.trim() || null,
    enabled: f.enabled,
  }
}

export type CampaignPhase = 'disabled' | 'upcoming' | 'running' | 'ended'

export const CAMPAIGN_PHASES: Record<CampaignPhase, { label: string; type: TagType }> = {
  disabled: { label: '已停用', type: 'info' },
  upcoming: { label: '未开始', type: 'warning' },
  running: { label: '进行中', type: 'success' },
  ended: { label: '已结束', type: 'info' },
}

export function campaignPhase(c: { enabled?: boolean; starts_at?: unknown; ends_at?: unknown }, today: string = todayShanghai()): CampaignPhase {
  if (c.enabled === false) return 'disabled'
  const t = dayNumber(today)
  const s = dayNumber(formatDate(c.starts_at, ''))
  const e = dayNumber(formatDate(c.ends_at, ''))
  if (t !== null && s !== null && t < s) return 'upcoming'
  if (t !== null && e !== null && t > e) return 'ended'
  return 'running'
}

export interface CaseLink {
  label: string
  to: string
}

/** The pages a reviewer opens from a case: the intake's unit list, the project, the community. */
export function caseLinks(c: { id: number | string; case_type?: string; subjects?: Record<string, unknown> | null }): CaseLink[] {
  const s = c.subjects ?? {}
  const id = (k: string) => (typeof s[k] === 'number' || (typeof s[k] === 'string' && /^\d+$/.test(s[k] as string)) ? String(s[k]) : '')
  const out: CaseLink[] = []
  if (c.case_type === 'unit_intake') out.push({ label: '入库房屋清单', to: `/unit-intake/${c.id}` })
  if (id('project_id')) out.push({ label: '项目详情', to: `/projects/${id('project_id')}` })
  if (id('community_id')) out.push({ label: '小区详情', to: `/communities/${id('community_id')}` })
  return out
}

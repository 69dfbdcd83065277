// 规则配置: the editor's pure logic — definitions, typed inputs turned into a trial form and back,
// and the server's problems placed on the cell they belong to. Unit-tested in rules.test.ts.

import * as money from './money'

export const RULE_KINDS: Record<string, string> = { condition: '条件', scoring: '计分', standard: '标准' }

/** Result types a rule of each kind may declare (app/rules/ruleset.py). */
export const RESULT_TYPES: Record<string, { value: string; label: string }[]> = {
  condition: [{ value: 'bool', label: '真/假' }],
  scoring: [
    { value: 'int', label: '整数' },
    { value: 'double', label: '小数' },
  ],
  standard: [
    { value: 'int', label: '整数' },
    { value: 'double', label: '小数' },
  ],
}

export const INPUT_TYPES: { value: string; label: string }[] = [
  { value: 'int', label: 'int 整数' },
  { value: 'double', label: 'double 小数' },
  { value: 'string', label: 'string 文本' },
  { value: 'bool', label: 'bool 真/假' },
  { value: 'date', label: 'date 日期' },
  { value: 'timestamp', label: 'timestamp 时间' },
  { value: 'list<int>', label: 'list<int> 整数列表' },
  { value: 'list<string>', label: 'list<string> 文本列表' },
  { value: 'map<string,int>', label: 'map<string,int> 映射' },
  { value: 'map', label: 'map 任意映射' },
]

export interface InputOption {
  value: unknown
  label: string
}

export interface RuleInput {
  name: string
  type: string
  title: string
  sample?: unknown
  /** An enumerated input: the values it takes, each with the Chinese label picked from a list. */
  options?: InputOption[] | null
}

// ---- money: stored and computed in 分 (inputs and rule codes ending in _fen), shown and typed in 元

export function isFen(name: string): boolean {
  return /_fen$/.test(name ?? '')
}

/** 123456 分 → "1234.56" (lib/money: integer arithmetic, no float rounding on large amounts). */
export function fenToYuan(fen: unknown): string {
  if (typeof fen !== 'number' || !Number.isFinite(fen)) return String(fen ?? '')
  return money.fenToYuan(Math.round(fen))
}

/** "1234.5" 元 → 123450 分; at most two decimals (lib/money parses). */
export function yuanToFen(text: unknown): { value: number | null; error?: string } {
  const fen = money.yuanToFen(text)
  return fen === null ? { value: null, error: '应为金额（元），最多两位小数' } : { value: fen }
}

/** What a clerk reads for an input: its title, with an amount in 分 relabelled in 元. */
export function inputLabel(i: Pick<RuleInput, 'name' | 'title'>): string {
  const t = i.title || i.name
  return isFen(i.name) ? t.replace(/[（(]分[)）]/g, '（元）') : t
}

/** A value as a clerk reads it: amounts in 元, enumerated codes by their label. */
export function displayValue(name: string, v: unknown, options?: InputOption[] | null): string {
  if (options?.length) {
    const o = options.find((x) => x.value === v)
    if (o) return o.label
  }
  if (isFen(name) && typeof v === 'number') return `${fenToYuan(v)} 元`
  return formatValue(v)
}

export interface RuleDef {
  code: string
  title: string
  expression: string
  result_type: string
  failure_message: string
}

export interface Definition {
  kind: string
  title: string
  inputs: RuleInput[]
  rules: RuleDef[]
}

export interface Problem {
  rule: string | null
  field: string
  message: string
}

export function emptyDefinition(kind = 'condition'): Definition {
  return {
    kind,
    title: '',
    inputs: [{ name: '', type: 'int', title: '', sample: null }],
    rules: [emptyRule(kind)],
  }
}

export function emptyRule(kind: string): RuleDef {
  return { code: '', title: '', expression: '', result_type: kind === 'condition' ? 'bool' : 'int', failure_message: '' }
}

/** A stored definition (or anything like one) as the editor's shape, with nothing missing. */
export function normalizeDefinition(raw: unknown): Definition {
  const d = (raw && typeof raw === 'object' ? raw : {}) as Record<string, any>
  const kind = typeof d.kind === 'string' && d.kind ? d.kind : 'condition'
  return {
    kind,
    title: typeof d.title === 'string' ? d.title : '',
    inputs: (Array.isArray(d.inputs) ? d.inputs : []).map((i: any) => ({
      name: String(i?.name ?? ''),
      type: String(i?.type ?? 'int'),
      title: String(i?.title ?? ''),
      sample: i?.sample ?? null,
      options: Array.isArray(i?.options) ? i.options.map((o: any) => ({ value: o?.value, label: String(o?.label ?? '') })) : null,
    })),
    rules: (Array.isArray(d.rules) ? d.rules : []).map((r: any) => ({
      code: String(r?.code ?? ''),
      title: String(r?.title ?? ''),
      expression: String(r?.expression ?? ''),
      result_type: String(r?.result_type ?? (kind === 'condition' ? 'bool' : 'int')),
      failure_message: String(r?.failure_message ?? ''),
    })),
  }
}

/** A rule's result type must follow its rule set's kind; switching kind fixes the rules up. */
export function withKind(def: Definition, kind: string): Definition {
  const allowed = (RESULT_TYPES[kind] ?? []).map((t) => t.value)
  return {
    ...def,
    kind,
    rules: def.rules.map((r) => ({
      ...r,
      result_type: allowed.includes(r.result_type) ? r.result_type : (allowed[0] ?? r.result_type),
      failure_message: kind === 'condition' ? r.failure_message : '',
    })),
  }
}

// ---- samples: the editor keeps them as text, the API wants JSON values

/** How a sample looks in its text box: a JSON value for lists and maps, 元 for an amount in 分,
 * the plain value otherwise. */
export function sampleText(type: string, sample: unknown, name = ''): string {
  if (sample === null || sample === undefined) return ''
  if (widgetFor(type) === 'json') return JSON.stringify(sample)
  if (isFen(name) && widgetFor(type) === 'int' && typeof sample === 'number') return fenToYuan(sample)
  return String(sample)
}

/** Parse a sample text box by the input's type (an amount in 分 is typed in 元). Empty means
 * "use the default for the type". */
export function parseSample(type: string, text: string, name = ''): { value: unknown; error?: string } {
  const s = (text ?? '').trim()
  if (s === '') return { value: null }
  const w = widgetFor(type)
  if (w === 'int' && isFen(name)) return yuanToFen(s)
  if (w === 'int') return /^-?\d+$/.test(s) ? { value: Number(s) } : { value: null, error: '应为整数' }
  if (w === 'double') return Number.isFinite(Number(s)) ? { value: Number(s) } : { value: null, error: '应为数字' }
  if (w === 'bool') {
    if (['true', '是', '1'].includes(s)) return { value: true }
    if (['false', '否', '0'].includes(s)) return { value: false }
    return { value: null, error: '应为 true 或 false' }
  }
  if (w === 'json') {
    try {
      return { value: JSON.parse(s) }
    } catch {
      return { value: null, error: '应为 JSON，如 [0, 1] 或 {"a": 1}' }
    }
  }
  return { value: s }
}

// ---- the trial form

export type Widget = 'int' | 'double' | 'string' | 'bool' | 'date' | 'timestamp' | 'json'
/** The trial form's control: a list for an enumerated input, 元 for an amount in 分, else by type. */
export type Control = Widget | 'select' | 'yuan'

export function controlFor(i: RuleInput): Control {
  if (i.options?.length) return 'select'
  const w = widgetFor(i.type)
  return w === 'int' && isFen(i.name) ? 'yuan' : w
}

/** Options as one line for the editor: `new_build=新建；idle=闲置房源盘活`. */
export function optionsText(options: InputOption[] | null | undefined): string {
  return (options ?? []).map((o) => `${typeof o.value === 'string' ? o.value : JSON.stringify(o.value)}=${o.label}`).join('；')
}

/** Read the editor's options line back, values typed by the input's type. */
export function parseOptions(type: string, text: string): { value: InputOption[] | null; error?: string } {
  const parts = (text ?? '').split(/[；;\n]/).map((x) => x.trim()).filter(Boolean)
  if (!parts.length) return { value: null }
  const out: InputOption[] = []
  for (const p of parts) {
    const m = /^(.+?)\s*[=＝]\s*(.+)$/.exec(p)
    if (!m) return { value: null, error: `“${p}”应写成 值=中文名称` }
    const { value, error } = parseSample(type, m[1])
    if (error) return { value: null, error: `“${m[1]}”${error}` }
    out.push({ value, label: m[2] })
  }
  return { value: out }
}

export function widgetFor(type: string): Widget {
  const t = (type ?? '').replace(/\s+/g, '')
  if (t === 'int' || t === 'double' || t === 'string' || t === 'bool' || t === 'date' || t === 'timestamp') return t
  return 'json' // list<…>, map<…>, map, dyn: typed as JSON
}

const PLACEHOLDER: Record<Widget, string> = {
  int: '整数',
  double: '数字',
  string: '文本',
  bool: '',
  date: '选择日期',
  timestamp: '选择时间',
  json: 'JSON，如 [0, 1]',
}

export function placeholderFor(type: string): string {
  const w = widgetFor(type)
  return w === 'json' ? `JSON（${type}）` : PLACEHOLDER[w]
}

function defaultFor(w: Widget): unknown {
  switch (w) {
    case 'int':
    case 'double':
      return 0
    case 'bool':
      return false
    case 'json':
      return ''
    default:
      return ''
  }
}

/** The trial form's starting values: each input's sample, or an empty value of its type. */
export function initialForm(inputs: RuleInput[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const i of inputs) {
    if (!i.name) continue
    const w = widgetFor(i.type)
    const c = controlFor(i)
    const s = i.sample
    if (c === 'select') out[i.name] = s ?? i.options?.[0]?.value ?? ''
    else if (c === 'yuan') out[i.name] = typeof s === 'number' ? s / 100 : 0
    else if (s === null || s === undefined) out[i.name] = defaultFor(w)
    else if (w === 'json') out[i.name] = JSON.stringify(s)
    else if (w === 'bool') out[i.name] = s === true
    else if (w === 'int' || w === 'double') out[i.name] = typeof s === 'number' ? s : Number(s)
    else out[i.name] = String(s)
  }
  return out
}

/** The form's values as the API's `inputs`; JSON boxes are parsed, problems reported per input. */
export function formToInputs(inputs: RuleInput[], form: Record<string, unknown>): { inputs: Record<string, unknown>; errors: Record<string, string> } {
  const out: Record<string, unknown> = {}
  const errors: Record<string, string> = {}
  for (const i of inputs) {
    if (!i.name) continue
    const w = widgetFor(i.type)
    const c = controlFor(i)
    const v = form[i.name]
    if (c === 'select') {
      if (!(i.options ?? []).some((o) => o.value === v)) errors[i.name] = '请从列表中选择'
      else out[i.name] = v
    } else if (c === 'yuan') {
      const { value, error } = yuanToFen(typeof v === 'number' ? v.toFixed(2) : v)
      if (error || value === null) errors[i.name] = error ?? '请填写金额'
      else out[i.name] = value
    } else if (w === 'json') {
      const s = typeof v === 'string' ? v.trim() : ''
      if (!s) {
        errors[i.name] = '请填写'
        continue
      }
      try {
        out[i.name] = JSON.parse(s)
      } catch {
        errors[i.name] = '应为 JSON，如 [0, 1] 或 {"a": 1}'
      }
    } else if (w === 'int') {
      if (typeof v !== 'number' || !Number.isInteger(v)) errors[i.name] = '应为整数'
      else out[i.name] = v
    } else if (w === 'double') {
      if (typeof v !== 'number' || !Number.isFinite(v)) errors[i.name] = '应为数字'
      else out[i.name] = v
    } else if (w === 'bool') {
      out[i.name] = v === true
    } else {
      const s = typeof v === 'string' ? v : ''
      if (!s && (w === 'date' || w === 'timestamp')) errors[i.name] = '请选择'
      else out[i.name] = s
    }
  }
  return { inputs: out, errors }
}

// ---- problems on cells

/** Save errors come back as `fields` keyed `rules.<code>.<field>`, `inputs.<name>.<part>` or a field. */
export function fieldsToProblems(fields: Record<string, string>): Problem[] {
  return Object.entries(fields ?? {}).map(([key, message]) => {
    const m = /^rules\.([^.]+)\.(.+)$/.exec(key)
    if (m) return { rule: m[1], field: m[2], message }
    return { rule: null, field: key, message }
  })
}

export function ruleProblems(problems: Problem[], code: string, field?: string): string[] {
  return problems.filter((p) => p.rule === code && (field === undefined || p.field === field)).map((p) => p.message)
}

export function inputProblems(problems: Problem[], name: string): string[] {
  return problems.filter((p) => p.rule === null && p.field.startsWith(`inputs.${name}.`)).map((p) => p.message)
}

/** Problems not tied to one rule or input (kind, title, "at least one rule"). */
export function generalProblems(problems: Problem[], def: Definition): string[] {
  const codes = new Set(def.rules.map((r) => r.code))
  const names = new Set(def.inputs.map((i) => i.name))
  return problems
    .filter((p) => {
      if (p.rule !== null) return !codes.has(p.rule)
      const m = /^inputs\.(.*)\.[a-z]+$/.exec(p.field)
      return !(m && names.has(m[1]))
    })
    .map((p) => p.message)
}

// ---- decisions

export interface Outcome {
  code: string
  title: string
  expression: string
  inputs: Record<string, unknown>
  result: unknown
  passed: boolean | null
  message: string
  error: boolean
}

export interface Decision {
  rule_set: string
  version: number
  kind: string
  outcomes: Outcome[]
  verdict: boolean | null
  total: number | null
  values: Record<string, unknown> | null
  scope?: string
  district_code?: string | null
}

/** Whose rule set decided, and which version: 按全市规则第 3 版 / 按蓬江区规则第 1 版. */
export function scopeText(d: Pick<Decision, 'version' | 'scope' | 'district_code'>, districts: Record<string, string>): string {
  const who = d.scope === 'district' && d.district_code ? (districts[d.district_code] ?? d.district_code) : '全市'
  return `按${who}规则第 ${d.version} 版`
}

/** One line saying what the trial decided. */
export function verdictText(d: Decision): string {
  if (d.kind === 'condition') {
    const failed = d.outcomes.filter((o) => o.passed === false).length
    return d.verdict ? '结论：符合全部条件' : `结论：不符合（${failed} 条规则未通过）`
  }
  if (d.kind === 'scoring') return `总分：${formatValue(d.total)}`
  return `计算出 ${Object.keys(d.values ?? {}).length} 项标准值`
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'boolean') return v ? '真' : '假'
  if (typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

/** The inputs a rule read, as a clerk reads them: 家庭月收入（元） = 8000.00 元；供应方式 = 新建. */
export function formatInputs(inputs: Record<string, unknown>, defs: RuleInput[] = []): string {
  const by = new Map(defs.map((i) => [i.name, i]))
  return Object.entries(inputs ?? {})
    .map(([k, v]) => {
      const d = by.get(k)
      return `${d ? inputLabel(d) : k} = ${displayValue(k, v, d?.options)}`
    })
    .join('；')
}

/** A rule's result: an amount in 元 when its code names 分. */
export function formatResult(o: Pick<Outcome, 'code' | 'result'>): string {
  return displayValue(o.code, o.result)
}

/** The definition sent to the API: rows the admin left entirely blank are dropped. */
export function cleanDefinition(def: Definition): Definition {
  return {
    kind: def.kind,
    title: def.title.trim(),
    inputs: def.inputs
      .filter((i) => i.name.trim() || i.title.trim())
      .map(({ options, ...i }) => ({ ...i, name: i.name.trim(), type: i.type.trim(), ...(options?.length ? { options } : {}) })),
    rules: def.rules
      .filter((r) => r.code.trim() || r.expression.trim() || r.title.trim())
      .map((r) => ({ ...r, code: r.code.trim(), title: r.title.trim(), failure_message: def.kind === 'condition' ? r.failure_message.trim() : '' })),
  }
}

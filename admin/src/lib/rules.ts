// 规则配置: the editor's pure logic — definitions, typed inputs turned into a trial form and back,
// and the server's problems placed on the cell they belong to. Unit-tested in rules.test.ts.

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

export interface RuleInput {
  name: string
  type: string
  title: string
  sample?: unknown
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

/** How a sample looks in its text box: a JSON value for lists and maps, the plain value otherwise. */
export function sampleText(type: string, sample: unknown): string {
  if (sample === null || sample === undefined) return ''
  if (widgetFor(type) === 'json') return JSON.stringify(sample)
  return String(sample)
}

/** Parse a sample text box by the input's type. Empty means "use the default for the type". */
export function parseSample(type: string, text: string): { value: unknown; error?: string } {
  const s = (text ?? '').trim()
  if (s === '') return { value: null }
  const w = widgetFor(type)
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
    const s = i.sample
    if (s === null || s === undefined) out[i.name] = defaultFor(w)
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
    const v = form[i.name]
    if (w === 'json') {
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

export function formatInputs(inputs: Record<string, unknown>): string {
  return Object.entries(inputs ?? {})
    .map(([k, v]) => `${k} = ${formatValue(v)}`)
    .join('；')
}

/** The definition sent to the API: rows the admin left entirely blank are dropped. */
export function cleanDefinition(def: Definition): Definition {
  return {
    kind: def.kind,
    title: def.title.trim(),
    inputs: def.inputs.filter((i) => i.name.trim() || i.title.trim()).map((i) => ({ ...i, name: i.name.trim(), type: i.type.trim() })),
    rules: def.rules
      .filter((r) => r.code.trim() || r.expression.trim() || r.title.trim())
      .map((r) => ({ ...r, code: r.code.trim(), title: r.title.trim(), failure_message: def.kind === 'condition' ? r.failure_message.trim() : '' })),
  }
}

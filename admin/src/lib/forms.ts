// Case forms: form-create rules with per-step field permissions. The server applies the same
// rules (app/workflow/forms.py): only these component types are data fields, a field unset at
// a step is editable on applicant steps and read-only elsewhere, hidden fields are removed
// and read-only ones disabled.

export type Perm = 'read' | 'edit' | 'hidden'
export type FieldPerms = Record<string, Record<string, Perm>>
export type Rule = Record<string, any>

export const FIELD_TYPES = new Set([
  'input',
  'inputNumber',
  'select',
  'radio',
  'checkbox',
  'switch',
  'datePicker',
  'timePicker',
  'rate',
  'slider',
  'cascader',
])

export const PERM_OPTIONS: { value: Perm; label: string }[] = [
  { value: 'edit', label: '可编辑' },
  { value: 'read', label: '只读' },
  { value: 'hidden', label: '隐藏' },
]

export function permLabel(p: Perm): string {
  return PERM_OPTIONS.find((o) => o.value === p)?.label ?? p
}

export interface FormStep {
  step_id: string
  name: string
  role?: string | null
}

export interface FieldInfo {
  field: string
  title: string
  type: string
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
const RESERVED = new Set(['action', 'returned_from'])

function isField(r: unknown): r is Rule {
  return !!r && typeof r === 'object' && typeof (r as Rule).field === 'string' && !!(r as Rule).field && FIELD_TYPES.has((r as Rule).type)
}

/** The data fields, in form order, including those nested in layout rules. */
export function fieldsOf(rules: unknown): FieldInfo[] {
  const out: FieldInfo[] = []
  const walk = (items: unknown) => {
    if (!Array.isArray(items)) return
    for (const r of items) {
      if (!r || typeof r !== 'object') continue
      if (isField(r)) out.push({ field: r.field, title: String(r.title || r.field), type: r.type })
      walk((r as Rule).children)
    }
  }
  walk(rules)
  return out
}

/** Steps done by the applicant (submission, correction) may edit by default. */
export function isApplicantStep(step: FormStep): boolean {
  if (step.role) return step.role === 'applicant'
  return step.step_id === 'submission' || step.step_id === 'correction'
}

export function defaultPerm(step: FormStep): Perm {
  return isApplicantStep(step) ? 'edit' : 'read'
}

/** Each field's permission at one step. */
export function permsFor(rules: unknown, fieldPerms: FieldPerms | null | undefined, step: FormStep): Record<string, Perm> {
  const set = fieldPerms?.[step.step_id] ?? {}
  const def = defaultPerm(step)
  const out: Record<string, Perm> = {}
  for (const f of fieldsOf(rules)) out[f.field] = set[f.field] ?? def
  return out
}

/** Every field × every step, with defaults filled in; entries for fields or steps that are gone are dropped. */
export function fullMatrix(rules: unknown, fieldPerms: FieldPerms | null | undefined, steps: FormStep[]): FieldPerms {
  const out: FieldPerms = {}
  for (const s of steps) out[s.step_id] = permsFor(rules, fieldPerms, s)
  return out
}

/** The rules a viewer at that step gets: hidden fields removed, read-only fields disabled. */
export function schemaFor(rules: unknown, perms: Record<string, Perm>): Rule[] {
  const walk = (items: unknown[]): unknown[] => {
    const out: unknown[] = []
    for (const r of items) {
      if (!r || typeof r !== 'object') {
        // Text content of layout rules (strings) is not a field.
        out.push(r)
        continue
      }
      let rule = r as Rule
      if (isField(rule)) {
        const p = perms[rule.field] ?? 'read'
        if (p === 'hidden') continue
        if (p === 'read') rule = { ...rule, props: { ...(rule.props ?? {}), disabled: true } }
      }
      if (Array.isArray(rule.children) && rule.children.length) rule = { ...rule, children: walk(rule.children) }
      out.push(rule)
    }
    return out
  }
  return Array.isArray(rules) ? (walk(rules) as Rule[]) : []
}

export function rulesForStep(rules: unknown, fieldPerms: FieldPerms | null | undefined, step: FormStep): Rule[] {
  return schemaFor(rules, permsFor(rules, fieldPerms, step))
}

function hasOptions(r: Rule): boolean {
  const opts = r.options ?? r.props?.options
  return Array.isArray(opts) && opts.length > 0
}

/** The checks the server makes on save, so the designer can point at them first. Field → Chinese problem. */
export function checkRules(rules: unknown): Record<string, string> {
  const problems: Record<string, string> = {}
  const seen = new Set<string>()
  const all: Rule[] = []
  const walk = (items: unknown) => {
    if (!Array.isArray(items)) return
    for (const r of items) {
      if (!r || typeof r !== 'object') continue
      if (isField(r)) all.push(r)
      walk((r as Rule).children)
    }
  }
  walk(rules)
  for (const r of all) {
    const f = r.field as string
    const title = r.title || f
    if (!FIELD_NAME.test(f)) problems[f] = `字段“${title}”的字段名只能用字母、数字和下划线，且以字母开头`
    else if (seen.has(f)) problems[f] = `字段名“${f}”重复`
    else if (RESERVED.has(f)) problems[f] = `字段名“${f}”为流程保留字`
    seen.add(f)
    if (['select', 'radio', 'checkbox'].includes(r.type) && !hasOptions(r)) problems[f] = `字段“${title}”需要设置选项`
  }
  if (!seen.size) problems.rules = '表单至少需要一个数据字段'
  return problems
}

/** Fields whose permission differs from the step default, per step. */
export function changedCells(rules: unknown, fieldPerms: FieldPerms, steps: FormStep[]): number {
  let n = 0
  for (const s of steps) {
    const def = defaultPerm(s)
    for (const f of fieldsOf(rules)) if ((fieldPerms[s.step_id]?.[f.field] ?? def) !== def) n++
  }
  return n
}

/** Set one permission for a whole step column or a whole field row. */
export function fillColumn(matrix: FieldPerms, stepId: string, perm: Perm): FieldPerms {
  const col = matrix[stepId] ?? {}
  return { ...matrix, [stepId]: Object.fromEntries(Object.keys(col).map((f) => [f, perm])) }
}

export function fillRow(matrix: FieldPerms, field: string, perm: Perm): FieldPerms {
  const out: FieldPerms = {}
  for (const [s, col] of Object.entries(matrix)) out[s] = { ...col, [field]: perm }
  return out
}

/**
 * form-create options in the designer's shape: `{form: {labelWidth…}, submitBtn, resetBtn}`.
 * A bare `{labelWidth}` (as the default forms are stored) becomes `form.labelWidth`; the
 * buttons are off, since the case pages have their own.
 */
export function formOptions(options: Record<string, any> | null | undefined): Record<string, any> {
  const o = { ...(options ?? {}) }
  const form = { ...(o.form ?? {}) }
  for (const k of ['labelWidth', 'labelPosition', 'size']) {
    if (k in o && !(k in form)) form[k] = o[k]
    delete o[k]
  }
  return { ...o, form, submitBtn: false, resetBtn: false }
}

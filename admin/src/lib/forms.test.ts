import { describe, expect, it } from 'vitest'
import {
  changedCells,
  checkRules,
  defaultPerm,
  fieldsOf,
  fillColumn,
  fillRow,
  formOptions,
  fullMatrix,
  permsFor,
  rulesForStep,
  type FormStep,
  type Rule,
} from './forms'

const rules: Rule[] = [
  { type: 'fcTitle', props: { title: '单位信息' } },
  { type: 'input', field: 'contact_name', title: '联系人', props: { maxlength: 200 } },
  {
    type: 'fcRow',
    children: [
      { type: 'col', props: { span: 12 }, children: [{ type: 'input', field: 'contact_phone', title: '联系电话' }] },
      { type: 'col', props: { span: 12 }, children: [{ type: 'select', field: 'org_kind', title: '单位类型', options: [{ label: '建设单位', value: '建设单位' }] }] },
    ],
  },
  { type: 'span', children: ['请如实填写'] },
  { type: 'input', field: 'reason', title: '变更原因', props: { type: 'textarea' }, validate: [{ required: true }] },
]

const steps: FormStep[] = [
  { step_id: 'submission', name: '提交变更申请', role: 'applicant' },
  { step_id: 'first_review', name: '市住建初审', role: 'gov_clerk' },
  { step_id: 'approval', name: '市住建审批', role: 'gov_supervisor' },
  { step_id: 'correction', name: '申请人补正', role: 'applicant' },
]

describe('fields', () => {
  it('lists data fields in order, nested ones included, layout and text left out', () => {
    expect(fieldsOf(rules).map((f) => f.field)).toEqual(['contact_name', 'contact_phone', 'org_kind', 'reason'])
    expect(fieldsOf(rules)[1]).toEqual({ field: 'contact_phone', title: '联系电话', type: 'input' })
  })

  it('ignores component types that carry no case data', () => {
    expect(fieldsOf([{ type: 'upload', field: 'files' }, { type: 'elButton', field: 'b' }, 'text', null])).toEqual([])
  })
})

describe('permissions', () => {
  it('defaults to editable on applicant steps and read-only on reviews', () => {
    expect(steps.map(defaultPerm)).toEqual(['edit', 'read', 'read', 'edit'])
    // Without a role (older payloads), submission and correction are the applicant's.
    expect(defaultPerm({ step_id: 'correction', name: '补正' })).toBe('edit')
    expect(defaultPerm({ step_id: 'review', name: '复核' })).toBe('read')
  })

  it('fills the matrix with defaults and keeps what was set', () => {
    const m = fullMatrix(rules, { first_review: { reason: 'hidden' }, gone_step: { reason: 'edit' } }, steps)
    expect(Object.keys(m)).toEqual(['submission', 'first_review', 'approval', 'correction'])
    expect(m.first_review).toEqual({ contact_name: 'read', contact_phone: 'read', org_kind: 'read', reason: 'hidden' })
    expect(m.submission.reason).toBe('edit')
    expect(changedCells(rules, m, steps)).toBe(1)
  })

  it('fills a column or a row', () => {
    const m = fullMatrix(rules, {}, steps)
    expect(Object.values(fillColumn(m, 'approval', 'hidden').approval)).toEqual(['hidden', 'hidden', 'hidden', 'hidden'])
    const r = fillRow(m, 'reason', 'read')
    expect(steps.map((s) => r[s.step_id].reason)).toEqual(['read', 'read', 'read', 'read'])
    expect(r.submission.contact_name).toBe('edit')
  })
})

describe('the form a step sees', () => {
  const perms = { first_review: { contact_phone: 'hidden' as const, reason: 'edit' as const } }

  it('removes hidden fields, disables read-only ones and leaves editable ones alone', () => {
    const out = rulesForStep(rules, perms, steps[1])
    expect(fieldsOf(out).map((f) => f.field)).toEqual(['contact_name', 'org_kind', 'reason'])
    expect(out[1].props).toEqual({ maxlength: 200, disabled: true })
    const col = out[2].children[1].children[0]
    expect(col.field).toBe('org_kind')
    expect(col.props.disabled).toBe(true)
    expect(out[2].children[0].children).toEqual([])
    expect(out[4].props).toEqual({ type: 'textarea' })
    // Layout and text stay as they were.
    expect(out[0]).toEqual(rules[0])
    expect(out[3]).toEqual({ type: 'span', children: ['请如实填写'] })
  })

  it('does not touch the designer rules', () => {
    const before = JSON.stringify(rules)
    rulesForStep(rules, perms, steps[2])
    expect(JSON.stringify(rules)).toBe(before)
  })

  it('lets the applicant edit everything by default', () => {
    const out = rulesForStep(rules, {}, steps[0])
    expect(JSON.stringify(out)).toBe(JSON.stringify(rules))
    expect(permsFor(rules, {}, steps[3])).toEqual({ contact_name: 'edit', contact_phone: 'edit', org_kind: 'edit', reason: 'edit' })
  })
})

describe('rule checks (as the server makes them)', () => {
  it('passes the default form', () => {
    expect(checkRules(rules)).toEqual({})
  })

  it('names duplicate, malformed and reserved field names and options missing', () => {
    const bad: Rule[] = [
      { type: 'input', field: 'name', title: '姓名' },
      { type: 'fcRow', children: [{ type: 'input', field: 'name', title: '姓名2' }] },
      { type: 'input', field: '1abc', title: '编号' },
      { type: 'input', field: 'action', title: '动作' },
      { type: 'radio', field: 'kind', title: '类别', options: [] },
    ]
    expect(checkRules(bad)).toEqual({
      name: '字段名“name”重复',
      '1abc': '字段“编号”的字段名只能用字母、数字和下划线，且以字母开头',
      action: '字段名“action”为流程保留字',
      kind: '字段“类别”需要设置选项',
    })
  })

  it('asks for at least one data field', () => {
    expect(checkRules([{ type: 'fcTitle', props: { title: 'x' } }])).toEqual({ rules: '表单至少需要一个数据字段' })
  })
})

describe('form options', () => {
  it('moves a bare label width under form and turns the buttons off', () => {
    expect(formOptions({ labelWidth: '140px' })).toEqual({ form: { labelWidth: '140px' }, submitBtn: false, resetBtn: false })
    expect(formOptions({ form: { labelWidth: '100px', inline: false }, labelWidth: '140px', submitBtn: { show: true } })).toEqual({
      form: { labelWidth: '100px', inline: false },
      submitBtn: false,
      resetBtn: false,
    })
    expect(formOptions(null)).toEqual({ form: {}, submitBtn: false, resetBtn: false })
  })
})

import { describe, expect, it } from 'vitest'
import {
  controlFor,
  fenToYuan,
  formatResult,
  inputLabel,
  optionsText,
  parseOptions,
  scopeText,
  yuanToFen,
  cleanDefinition,
  emptyDefinition,
  fieldsToProblems,
  formToInputs,
  formatInputs,
  generalProblems,
  initialForm,
  inputProblems,
  normalizeDefinition,
  parseSample,
  ruleProblems,
  sampleText,
  verdictText,
  widgetFor,
  withKind,
  type Decision,
  type RuleInput,
} from './rules'

const INPUTS: RuleInput[] = [
  { name: 'birth', type: 'date', title: '出生日期', sample: '1998-03-15' },
  { name: 'size', type: 'int', title: '人口', sample: 2 },
  { name: 'rate', type: 'double', title: '比例', sample: null },
  { name: 'local', type: 'bool', title: '本地', sample: true },
  { name: 'counts', type: 'list<int>', title: '套数', sample: [0, 1] },
  { name: 'by_year', type: 'map<string, int>', title: '映射', sample: null },
  { name: 'at', type: 'timestamp', title: '时间', sample: '2026-11-26T09:00:00+08:00' },
]

describe('widgets and the trial form', () => {
  it('chooses a widget by type', () => {
    expect(widgetFor('int')).toBe('int')
    expect(widgetFor(' date ')).toBe('date')
    expect(widgetFor('list<int>')).toBe('json')
    expect(widgetFor('map')).toBe('json')
    expect(widgetFor('dyn')).toBe('json')
  })

  it('starts from the samples, or an empty value of the type', () => {
    expect(initialForm(INPUTS)).toEqual({
      birth: '1998-03-15', size: 2, rate: 0, local: true, counts: '[0,1]', by_year: '', at: '2026-11-26T09:00:00+08:00',
    })
    expect(initialForm([{ name: '', type: 'int', title: '' }])).toEqual({})
  })

  it('turns the form back into typed inputs and reports each bad box', () => {
    const form = initialForm(INPUTS)
    form.by_year = '{"2025": 3}'
    expect(formToInputs(INPUTS, form)).toEqual({
      inputs: { birth: '1998-03-15', size: 2, rate: 0, local: true, counts: [0, 1], by_year: { '2025': 3 }, at: '2026-11-26T09:00:00+08:00' },
      errors: {},
    })
    const bad = { ...form, size: 2.5, counts: '[0,', by_year: '', birth: '', rate: Number.NaN }
    const { errors } = formToInputs(INPUTS, bad)
    expect(errors).toEqual({ size: '应为整数', counts: expect.stringContaining('JSON'), by_year: '请填写', birth: '请选择', rate: '应为数字' })
  })
})

describe('samples in the inputs table', () => {
  it('round-trips text by type', () => {
    expect(sampleText('list<int>', [0, 0])).toBe('[0,0]')
    expect(sampleText('int', 800000)).toBe('800000')
    expect(sampleText('int', null)).toBe('')
    expect(parseSample('int', ' 12 ')).toEqual({ value: 12 })
    expect(parseSample('int', '1.5').error).toBe('应为整数')
    expect(parseSample('double', '1.5')).toEqual({ value: 1.5 })
    expect(parseSample('bool', '否')).toEqual({ value: false })
    expect(parseSample('bool', 'x').error).toBeTruthy()
    expect(parseSample('list<int>', '[1, 2]')).toEqual({ value: [1, 2] })
    expect(parseSample('map', '{oops').error).toContain('JSON')
    expect(parseSample('date', '')).toEqual({ value: null })
    expect(parseSample('string', '环卫工人')).toEqual({ value: '环卫工人' })
  })
})

describe('definitions', () => {
  it('normalizes whatever the server sent', () => {
    const d = normalizeDefinition({ kind: 'scoring', title: 'T', inputs: [{ name: 'a', type: 'int' }], rules: [{ code: 'x', expression: 'a' }] })
    expect(d.inputs[0]).toEqual({ name: 'a', type: 'int', title: '', sample: null, options: null })
    expect(d.rules[0]).toEqual({ code: 'x', title: '', expression: 'a', result_type: 'int', failure_message: '' })
    expect(normalizeDefinition(null).kind).toBe('condition')
  })

  it('fixes result types when the kind changes', () => {
    const d = emptyDefinition('condition')
    d.rules[0].failure_message = '不符合'
    const s = withKind(d, 'scoring')
    expect(s.rules[0].result_type).toBe('int')
    expect(s.rules[0].failure_message).toBe('')
    expect(withKind(s, 'condition').rules[0].result_type).toBe('bool')
  })

  it('drops blank rows before sending', () => {
    const d = emptyDefinition('condition')
    d.title = ' 申请条件 '
    d.inputs.push({ name: ' age ', type: 'int', title: '年龄', sample: 1 })
    d.rules.push({ code: 'adult', title: '成年', expression: 'age >= 18', result_type: 'bool', failure_message: ' 未成年 ' })
    const c = cleanDefinition(d)
    expect(c.title).toBe('申请条件')
    expect(c.inputs.map((i) => i.name)).toEqual(['age'])
    expect(c.rules.map((r) => [r.code, r.failure_message])).toEqual([['adult', '未成年']])
  })
})

describe('problems on cells', () => {
  const problems = fieldsToProblems({
    'rules.adult.expression': '未知的变量：x',
    'rules.adult.failure_message': '条件规则必须填写不符合时的提示',
    'inputs.income.type': '不支持的输入类型：money',
    kind: '规则集类型应为 condition、scoring、standard 之一',
    'rules.ghost.code': '规则编码重复',
  })

  it('maps save errors back to rules, inputs and the rest', () => {
    expect(ruleProblems(problems, 'adult', 'expression')).toEqual(['未知的变量：x'])
    expect(ruleProblems(problems, 'adult')).toHaveLength(2)
    expect(inputProblems(problems, 'income')).toEqual(['不支持的输入类型：money'])
    const def = { ...emptyDefinition(), inputs: [{ name: 'income', type: 'money', title: '' }], rules: [{ code: 'adult', title: '', expression: '', result_type: 'bool', failure_message: '' }] }
    expect(generalProblems(problems, def)).toEqual(['规则集类型应为 condition、scoring、standard 之一', '规则编码重复'])
  })
})

describe('decisions', () => {
  const base: Decision = { rule_set: 'k', version: 2, kind: 'condition', outcomes: [], verdict: true, total: null, values: null }
  it('says what the trial decided', () => {
    expect(verdictText(base)).toBe('结论：符合全部条件')
    const failed = { ...base, verdict: false, outcomes: [{ code: 'a', title: '', expression: '', inputs: {}, result: false, passed: false, message: 'x', error: false }] }
    expect(verdictText(failed)).toBe('结论：不符合（1 条规则未通过）')
    expect(verdictText({ ...base, kind: 'scoring', total: 47 })).toBe('总分：47')
    expect(verdictText({ ...base, kind: 'standard', values: { a: 1, b: 2 } })).toBe('计算出 2 项标准值')
    expect(formatInputs({ a: 1, l: [0, 1], b: true, n: null })).toBe('a = 1；l = [0,1]；b = 真；n = —')
  })
})


describe('amounts in 元 and enumerated inputs', () => {
  const income: RuleInput = { name: 'household_monthly_income_fen', type: 'int', title: '家庭月收入（分）', sample: 800000 }
  const mode: RuleInput = {
    name: 'supply_mode',
    type: 'string',
    title: '供应方式',
    sample: 'idle',
    options: [
      { value: 'new_build', label: '新建' },
      { value: 'idle', label: '闲置房源盘活' },
    ],
  }

  it('shows and reads amounts in 元 while the API keeps 分', () => {
    expect(fenToYuan(800000)).toBe('8000.00')
    expect(fenToYuan(-5)).toBe('-0.05')
    expect(yuanToFen('8000.5')).toEqual({ value: 800050 })
    expect(yuanToFen('1.234').error).toBe('应为金额（元），最多两位小数')
    expect(inputLabel(income)).toBe('家庭月收入（元）')
    expect(sampleText('int', 800000, income.name)).toBe('8000.00')
    expect(parseSample('int', '6000', income.name)).toEqual({ value: 600000 })
    expect(controlFor(income)).toBe('yuan')
    const form = initialForm([income])
    expect(form[income.name]).toBe(8000)
    expect(formToInputs([income], { [income.name]: 6000.5 }).inputs).toEqual({ [income.name]: 600050 })
    expect(formatInputs({ household_monthly_income_fen: 800000 }, [income])).toBe('家庭月收入（元） = 8000.00 元')
    expect(formatResult({ code: 'monthly_rent_fen', result: 105000 })).toBe('1050.00 元')
    expect(formatResult({ code: 'rent_percent', result: 70 })).toBe('70')
  })

  it('picks enumerated inputs from a list of Chinese labels', () => {
    expect(controlFor(mode)).toBe('select')
    expect(initialForm([mode]).supply_mode).toBe('idle')
    expect(formToInputs([mode], { supply_mode: 'new_build' })).toEqual({ inputs: { supply_mode: 'new_build' }, errors: {} })
    expect(formToInputs([mode], { supply_mode: '转化' }).errors.supply_mode).toBe('请从列表中选择')
    expect(formatInputs({ supply_mode: 'idle' }, [mode])).toBe('供应方式 = 闲置房源盘活')
    expect(optionsText(mode.options)).toBe('new_build=新建；idle=闲置房源盘活')
    expect(parseOptions('string', 'new_build=新建；idle = 闲置房源盘活')).toEqual({ value: mode.options })
    expect(parseOptions('int', '1=一；x=二').error).toBe('“x”应为整数')
    expect(parseOptions('string', '').value).toBeNull()
    expect(cleanDefinition({ kind: 'standard', title: 'T', inputs: [mode, { ...income, options: [] }], rules: [] }).inputs).toEqual([
      mode,
      { name: income.name, type: 'int', title: income.title, sample: 800000 },
    ])
  })

  it('says whose rule set decided', () => {
    const names = { '440703': '蓬江区' }
    expect(scopeText({ version: 2, scope: 'district', district_code: '440703' }, names)).toBe('按蓬江区规则第 2 版')
    expect(scopeText({ version: 5, scope: 'city', district_code: null }, names)).toBe('按全市规则第 5 版')
  })
})

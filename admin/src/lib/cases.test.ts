import { describe, expect, it } from 'vitest'
import {
  caseLinks,
  actionButtons,
  actionLabel,
  actionResult,
  appendPhrase,
  buildIntakePayload,
  campaignPayload,
  campaignPhase,
  caseStatusTag,
  CASE_STATUS,
  cloneRules,
  defaultDistrict,
  dueHint,
  formCreateOptions,
  groupMaterials,
  guessMaterialType,
  idCheckChar,
  idNumberError,
  intakeProblems,
  isOverdue,
  isValidIdNumber,
  materialKind,
  moveItem,
  normalizeCaseTypes,
  opinionError,
  rowOverdue,
  type IntakeState,
} from './cases'

describe('labels', () => {
  it('names every case status in Chinese with a tag colour', () => {
    expect(CASE_STATUS).toEqual({
      draft: '草稿',
      in_review: '审核中',
      returned: '退回补正',
      rejected: '不予通过',
      complete: '办结',
      withdrawn: '已撤回',
    })
    expect(caseStatusTag('complete')).toBe('success')
    expect(caseStatusTag('rejected')).toBe('danger')
    expect(caseStatusTag('returned')).toBe('warning')
    expect(caseStatusTag('nonsense')).toBe('info')
  })
  it('labels actions, preferring the server name', () => {
    expect(actionLabel('return_applicant')).toBe('退回申请人')
    expect(actionLabel('approve', '同意')).toBe('同意')
    expect(actionLabel('unknown_action')).toBe('unknown_action')
    expect(actionLabel(null)).toBe('-')
  })
})

describe('actionButtons', () => {
  it('shows only the listed actions, in a fixed order', () => {
    const b = actionButtons({ actions: ['reject', 'approve', 'return_applicant'], can_act: true })
    expect(b.map((x) => x.label)).toEqual(['通过', '退回申请人', '驳回'])
    expect(b.find((x) => x.action === 'reject')).toMatchObject({ needsOpinion: true, confirm: true, type: 'danger' })
    expect(b.find((x) => x.action === 'approve')).toMatchObject({ needsOpinion: false, confirm: false })
  })
  it('shows none when the item cannot be acted on', () => {
    expect(actionButtons({ actions: ['approve'], can_act: false })).toEqual([])
  })
  it('ignores actions that are not step actions', () => {
    expect(actionButtons({ actions: ['claim', 'transfer', 'submit'] }).map((x) => x.action)).toEqual(['submit'])
  })
})

describe('opinions', () => {
  it('requires a reason to reject or return to the applicant', () => {
    expect(opinionError('reject', '  ')).toBe('驳回须填写理由')
    expect(opinionError('return_applicant', '')).toMatch('补正')
    expect(opinionError('reject', '收入超标')).toBeNull()
    expect(opinionError('approve', '')).toBeNull()
    expect(opinionError('comment', '')).toBe('请填写意见')
    expect(opinionError('approve', 'x'.repeat(1001))).toMatch('1000')
  })
  it('appends a common phrase once', () => {
    expect(appendPhrase('', '同意')).toBe('同意')
    expect(appendPhrase('同意', '同意')).toBe('同意')
    expect(appendPhrase('材料齐全', '同意')).toBe('材料齐全；同意')
    expect(appendPhrase('材料齐全。', '同意')).toBe('材料齐全。同意')
  })
})

describe('due dates', () => {
  it('is overdue only after the due day (Asia/Shanghai)', () => {
    expect(isOverdue('2026-11-26', '2026-11-26')).toBe(false)
    expect(isOverdue('2026-11-26', '2026-11-27')).toBe(true)
    expect(isOverdue('2026-11-26', '2026-11-25')).toBe(false)
    expect(isOverdue(null, '2026-11-27')).toBe(false)
    // 2026-11-26 17:00 UTC is already the 27th in Shanghai
    expect(isOverdue('2026-11-26T17:00:00Z', '2026-11-27')).toBe(false)
    expect(isOverdue('2026-11-26T15:00:00Z', '2026-11-27')).toBe(true)
  })
  it('says how long is left', () => {
    expect(dueHint('2026-11-29', '2026-11-26')).toBe('剩余 3 天')
    expect(dueHint('2026-11-26', '2026-11-26')).toBe('今日到期')
    expect(dueHint('2026-11-24', '2026-11-26')).toBe('已逾期 2 天')
    expect(dueHint('', '2026-11-26')).toBe('')
  })
  it('trusts the server flag and judges open rows without one', () => {
    expect(rowOverdue({ overdue: true, due_date: '2099-01-01' }, '2026-11-26')).toBe(true)
    expect(rowOverdue({ overdue: false, due_date: '2020-01-01' }, '2026-11-26')).toBe(false)
    expect(rowOverdue({ due_date: '2026-11-20', status: 'open' }, '2026-11-26')).toBe(true)
    expect(rowOverdue({ due_at: '2026-11-20', status: 'complete' }, '2026-11-26')).toBe(false)
  })
})

describe('ID numbers (GB 11643)', () => {
  it('computes the check character', () => {
    expect(idCheckChar('11010519491231002')).toBe('X')
    expect(idCheckChar('44070319900101123')).toBe('9')
  })
  it('accepts valid numbers, lower-case x included', () => {
    expect(isValidIdNumber('440703199001011239', '2026-11-26')).toBe(true)
    expect(isValidIdNumber('11010519491231002X', '2026-11-26')).toBe(true)
    expect(isValidIdNumber('11010519491231002x', '2026-11-26')).toBe(true)
  })
  it('says what is wrong', () => {
    expect(idNumberError('', '2026-11-26')).toBe('请输入身份证号')
    expect(idNumberError('44070319900101123', '2026-11-26')).toMatch('18 位')
    expect(idNumberError('440703199001011238', '2026-11-26')).toMatch('校验位')
    expect(idNumberError('440703199002301234', '2026-11-26')).toMatch('出生日期')
    expect(idNumberError('440703209901011234', '2026-11-26')).toMatch('出生日期')
    expect(idNumberError('990703199001011239', '2026-11-26')).toMatch('地区码')
  })
})

describe('case types', () => {
  it('reads both the {items} envelope and a bare array, with defaults', () => {
    const a = normalizeCaseTypes({
      items: [
        {
          key: 'eligibility_application',
          name: '保障申请',
          prefix: 'BZSQ',
          applicant_kinds: ['PERSON'],
          material_types: ['身份证明'],
          form: { version: 2, rules: [{ type: 'input', field: 'x' }], options: {} },
        },
      ],
    })
    expect(a[0]).toMatchObject({ key: 'eligibility_application', prefix: 'BZSQ', material_types: ['身份证明'] })
    expect(a[0].form?.rules).toHaveLength(1)
    const b = normalizeCaseTypes([{ key: 'repair', name: '报修' }, { nokey: true }])
    expect(b).toEqual([{ key: 'repair', name: '报修', prefix: '', applicant_kinds: ['PERSON'], material_types: [], form: null }])
    expect(normalizeCaseTypes(null)).toEqual([])
  })
  it('builds form-create options without its own buttons', () => {
    const o = formCreateOptions({ rules: [], options: { form: { labelWidth: '100px' } } }, true)
    expect(o).toMatchObject({ submitBtn: false, resetBtn: false, disabled: true, form: { labelWidth: '100px' } })
    expect(formCreateOptions(null, false).disabled).toBeUndefined()
  })
  it('copies rules so form-create cannot change the originals', () => {
    const rules = [{ type: 'input', field: 'a', props: {} }]
    const c = cloneRules(rules)
    c[0].props.disabled = true
    expect(rules[0].props).toEqual({})
    expect(cloneRules(undefined)).toEqual([])
  })
})

describe('materials', () => {
  it('knows images and PDFs', () => {
    expect(materialKind('image/png')).toBe('image')
    expect(materialKind('application/pdf')).toBe('pdf')
    expect(materialKind('application/msword')).toBe('other')
    expect(materialKind(undefined)).toBe('other')
  })
  it('groups by type in sort order', () => {
    const g = groupMaterials([
      { id: 1, material_type: '收入证明', sort_order: 2 },
      { id: 2, material_type: '身份证明', sort_order: 0 },
      { id: 3, material_type: '身份证明', sort_order: 1 },
    ])
    expect(g.map((x) => [x.type, x.items.map((i) => i.id)])).toEqual([
      ['身份证明', [2, 3]],
      ['收入证明', [1]],
    ])
  })
  it('moves items and ignores moves off the ends', () => {
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b'])
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c'])
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c'])
  })
  it('guesses the type from the file name', () => {
    const types = ['身份证明', '户口簿', '收入证明']
    expect(guessMaterialType('户口簿首页.jpg', types)).toBe('户口簿')
    expect(guessMaterialType('张三身份证正面.png', types)).toBe('身份证明')
    expect(guessMaterialType('工资流水.pdf', types)).toBe('收入证明')
    expect(guessMaterialType('IMG_0001.jpg', types)).toBe('身份证明')
    expect(guessMaterialType('a.jpg', [])).toBe('其他材料')
  })
})

describe('intake', () => {
  const state = (over: Partial<IntakeState> = {}): IntakeState => ({
    case_type: 'eligibility_application',
    applicant_kind: 'PERSON',
    name: ' 陈明 ',
    id_number: '11010519491231002x',
    phone: '13800000001',
    org_id: null,
    district_code: '440703',
    form: { household_size: 3 },
    materials: [
      { file_id: 'f1', material_type: '身份证明' },
      { file_id: '', material_type: '户口簿' },
    ],
    ...over,
  })

  it('builds the POST /cases body for a person', () => {
    expect(buildIntakePayload(state())).toEqual({
      case_type: 'eligibility_application',
      applicant: { kind: 'PERSON', name: '陈明', id_number: '11010519491231002X', phone: '13800000001' },
      district_code: '440703',
      form: { household_size: 3 },
      materials: [{ file_id: 'f1', material_type: '身份证明' }],
      submit: true,
    })
  })
  it('builds it for an org', () => {
    const body = buildIntakePayload(state({ applicant_kind: 'ORG', org_id: '12' }))
    expect(body.applicant).toEqual({ kind: 'ORG', org_id: 12 })
  })
  it('lists what is missing', () => {
    expect(intakeProblems(state(), '2026-11-26')).toEqual({})
    const p = intakeProblems(state({ case_type: '', name: '', id_number: '440703199001011238', phone: '123', district_code: '' }), '2026-11-26')
    expect(Object.keys(p)).toEqual(['case_type', 'name', 'id_number', 'phone', 'district_code'])
    expect(p.id_number).toMatch('校验位')
    expect(intakeProblems(state({ applicant_kind: 'ORG', org_id: null }), '2026-11-26')).toEqual({ org_id: '请选择申请单位' })
  })
  it('defaults to the clerk office district, not the city', () => {
    expect(defaultDistrict('440703')).toBe('440703')
    expect(defaultDistrict('440700')).toBe('')
    expect(defaultDistrict(null)).toBe('')
  })
})

describe('actionResult', () => {
  it('tells where the case went', () => {
    expect(actionResult('通过', { status: 'in_review', current_steps: [{ name: '市住建复审' }] })).toBe('已通过，当前环节：市住建复审')
    expect(actionResult('通过', { status: 'complete', current_steps: [] })).toBe('已通过，业务已办结')
    expect(actionResult('驳回', { status: 'rejected' })).toBe('已驳回，业务不予通过')
    expect(actionResult('退回申请人', { status: 'returned', current_steps: [{ name: '申请人补正' }] })).toBe('已退回申请人补正，等待重新提交')
    expect(actionResult('撤回', { status: 'withdrawn' })).toBe('业务已撤回')
    expect(actionResult('签收', { status: 'in_review', status_name: '审核中', current_steps: [] })).toBe('已签收，当前状态：审核中')
  })
})

describe('campaigns', () => {
  it('sends whole days in Beijing time and null for the whole city', () => {
    expect(
      campaignPayload({
        name: ' 2026年冬季集中受理 ',
        case_types: ['eligibility_application'],
        period: ['2026-11-01', '2026-11-30'],
        district_code: '',
        description: '',
        enabled: true,
      }),
    ).toEqual({
      name: '2026年冬季集中受理',
      case_types: ['eligibility_application'],
      starts_at: '2026-11-01T00:00:00+08:00',
      ends_at: '2026-11-30T23:59:59+08:00',
      district_code: null,
      description: null,
      enabled: true,
    })
  })
  it('tells whether a campaign is running', () => {
    const c = { enabled: true, starts_at: '2026-11-01T00:00:00+08:00', ends_at: '2026-11-30T23:59:59+08:00' }
    expect(campaignPhase(c, '2026-10-31')).toBe('upcoming')
    expect(campaignPhase(c, '2026-11-01')).toBe('running')
    expect(campaignPhase(c, '2026-11-30')).toBe('running')
    expect(campaignPhase(c, '2026-12-01')).toBe('ended')
    expect(campaignPhase({ ...c, enabled: false }, '2026-11-15')).toBe('disabled')
  })
})

describe('caseLinks', () => {
  it('links an intake to its unit list, and any case to its project and community', () => {
    expect(caseLinks({ id: 7, case_type: 'unit_intake', subjects: { project_id: 3, community_id: '12' } })).toEqual([
      { label: '入库房屋清单', to: '/unit-intake/7' },
      { label: '项目详情', to: '/projects/3' },
      { label: '小区详情', to: '/communities/12' },
    ])
    expect(caseLinks({ id: 8, case_type: 'eligibility_application', subjects: {} })).toEqual([])
    expect(caseLinks({ id: 9, case_type: 'project_exit', subjects: { project_id: 'x<script>' } })).toEqual([])
  })
})

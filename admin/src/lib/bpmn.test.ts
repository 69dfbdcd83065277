// The designer's model layer on a real bpmn-js Modeler and the shipped BPMN files.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import Modeler from 'bpmn-js/lib/Modeler'
import {
  arhDesignerModule,
  insertReviewStep,
  planInsertAfter,
  readCondition,
  readProperties,
  readStep,
  renameStep,
  spiffModdle,
  stepProblems,
  stepsInFlowOrder,
  suggestStep,
  translateModule,
  translateZh,
  writeCondition,
  writeDocumentation,
  writeStep,
  nextId,
  actionOfCondition,
  stepToProperties,
  tidyLayout,
  planLayout,
  planIsNoop,
  ALREADY_TIDY,
  type LayoutPlan,
} from './bpmn'

// happy-dom draws no SVG: give diagram-js the few geometry calls it makes (identity
// transforms, empty boxes). The model code under test does not depend on them.
function installSvgGeometry() {
  class Matrix {
    constructor(
      public a = 1,
      public b = 0,
      public c = 0,
      public d = 1,
      public e = 0,
      public f = 0,
    ) {}
    multiply(o: Matrix) {
      return new Matrix(
        this.a * o.a + this.c * o.b,
        this.b * o.a + this.d * o.b,
        this.a * o.c + this.c * o.d,
        this.b * o.c + this.d * o.d,
        this.a * o.e + this.c * o.f + this.e,
        this.b * o.e + this.d * o.f + this.f,
      )
    }
    translate(x: number, y: number) {
      return this.multiply(new Matrix(1, 0, 0, 1, x, y))
    }
    scale(s: number) {
      return this.multiply(new Matrix(s, 0, 0, s, 0, 0))
    }
    inverse() {
      const det = this.a * this.d - this.b * this.c
      return new Matrix(this.d / det, -this.b / det, -this.c / det, this.a / det, (this.c * this.f - this.d * this.e) / det, (this.b * this.e - this.a * this.f) / det)
    }
  }
  class Transform {
    type = 1
    angle = 0
    matrix = new Matrix()
    setMatrix(m: Matrix) {
      this.matrix = new Matrix(m.a, m.b, m.c, m.d, m.e, m.f)
    }
    setTranslate(x: number, y: number) {
      this.matrix = new Matrix(1, 0, 0, 1, x, y)
    }
    setScale(x: number, y: number) {
      this.matrix = new Matrix(x, 0, 0, y, 0, 0)
    }
    setRotate() {}
  }
  class TransformList {
    items: Transform[] = []
    get numberOfItems() {
      return this.items.length
    }
    clear() {
      this.items = []
    }
    appendItem(t: Transform) {
      this.items.push(t)
      return t
    }
    getItem(i: number) {
      return this.items[i]
    }
    createSVGTransformFromMatrix(m: Matrix) {
      const t = new Transform()
      t.setMatrix(m)
      return t
    }
    consolidate() {
      if (!this.items.length) return null
      const t = new Transform()
      t.setMatrix(this.items.reduce((acc, i) => acc.multiply(i.matrix), new Matrix()))
      this.items = [t]
      return t
    }
  }
  const g = globalThis as any
  g.SVGMatrix = Matrix
  g.SVGTransform = Transform
  const lists = new WeakMap<object, { baseVal: TransformList }>()
  for (const cls of [g.SVGElement, g.SVGGraphicsElement]) {
    Object.defineProperty(cls.prototype, 'transform', {
      configurable: true,
      get() {
        let l = lists.get(this)
        if (!l) lists.set(this, (l = { baseVal: new TransformList() }))
        return l
      },
    })
  }
  for (const proto of [g.SVGElement.prototype, g.SVGGraphicsElement.prototype, g.SVGSVGElement.prototype]) {
    proto.createSVGMatrix = () => new Matrix()
    proto.createSVGTransform = () => new Transform()
    proto.getBBox = () => ({ x: 0, y: 0, width: 0, height: 0 })
    proto.getCTM = () => new Matrix()
    proto.getScreenCTM = () => new Matrix()
  }
}

const PROCESSES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../app/workflow/processes')
const bpmnFile = (key: string) => readFileSync(resolve(PROCESSES, key + '.bpmn'), 'utf8')

let modeler: Modeler | null = null

async function open(key: string): Promise<Modeler> {
  const container = document.createElement('div')
  document.body.appendChild(container)
  modeler = new Modeler({
    container,
    moddleExtensions: { spiffworkflow: spiffModdle },
    additionalModules: [arhDesignerModule, translateModule],
  })
  const { warnings } = await modeler.importXML(bpmnFile(key))
  expect(warnings).toEqual([])
  return modeler
}

const el = (m: Modeler, id: string) => (m.get('elementRegistry') as any).get(id)
const undo = (m: Modeler) => (m.get('commandStack') as any).undo()

async function exported(m: Modeler): Promise<Document> {
  const { xml } = await m.saveXML({ format: true })
  return new DOMParser().parseFromString(xml as string, 'application/xml')
}

const BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
const SPIFF = 'http://spiffworkflow.org/bpmn/schema/1.0/core'

// happy-dom's getElementsByTagNameNS finds nothing; match on namespace and local name.
function byName(root: Document | Element, ns: string, local: string): Element[] {
  return Array.from(root.querySelectorAll('*')).filter((e) => e.namespaceURI === ns && (local === '*' || e.localName === local))
}

/** Flows of the exported process as `source -[condition]-> target`. */
function flowsOf(doc: Document): string[] {
  return byName(doc, BPMN, 'sequenceFlow')
    .map((f) => {
      const cond = byName(f, BPMN, 'conditionExpression')[0]
      return `${f.getAttribute('sourceRef')} -[${cond?.textContent?.trim() ?? ''}]-> ${f.getAttribute('targetRef')}`
    })
    .sort()
}

function propsInXml(doc: Document, id: string): Record<string, string> {
  const node = byName(doc, BPMN, '*').find((e) => e.getAttribute('id') === id)
  const out: Record<string, string> = {}
  if (!node) return out
  for (const p of byName(node, SPIFF, 'property')) {
    out[p.getAttribute('name') as string] = p.getAttribute('value') as string
  }
  return out
}

beforeAll(installSvgGeometry)
afterEach(() => {
  modeler?.destroy()
  modeler = null
  document.body.innerHTML = ''
})

describe('step declarations', () => {
  it('reads role, scope, time limit and actions from spiffworkflow properties', async () => {
    const m = await open('org_info_change')
    expect(readStep(el(m, 'first_review'))).toEqual({
      role: 'gov_clerk',
      scope: 'CITY',
      sla_days: 5,
      // The first review does not go back to the applicant's submission: that is 退回申请人.
      actions: ['approve', 'reject', 'return_applicant'],
      distinct_handler: false,
    })
    expect(readStep(el(m, 'approval')).distinct_handler).toBe(true)
    expect(readStep(el(m, 'submission')).actions).toEqual(['submit'])
    expect(readProperties(el(m, 'end_rejected'))).toEqual({ outcome: 'rejected' })
  })

  it('writes them back into the XML in one undoable step, keeping the namespace', async () => {
    const m = await open('org_info_change')
    writeStep(m, el(m, 'first_review'), { role: 'gov_supervisor', sla_days: 3, actions: ['reject', 'approve'] })
    let doc = await exported(m)
    expect(propsInXml(doc, 'first_review')).toEqual({ role: 'gov_supervisor', scope: 'CITY', sla_days: '3', actions: 'approve,reject' })
    expect((await m.saveXML()).xml).toContain(`xmlns:spiffworkflow="${SPIFF}"`)
    undo(m)
    doc = await exported(m)
    expect(propsInXml(doc, 'first_review').role).toBe('gov_clerk')
    expect(propsInXml(doc, 'first_review').actions).toBe('approve,reject,return_applicant')
    // 须由不同人员办理 is written as "true", and switching it off removes the property.
    writeStep(m, el(m, 'approval'), { distinct_handler: false })
    expect(propsInXml(await exported(m), 'approval').distinct_handler).toBeUndefined()
    writeStep(m, el(m, 'approval'), { distinct_handler: true })
    expect(propsInXml(await exported(m), 'approval').distinct_handler).toBe('true')
  })

  it('keeps unrelated properties and the canonical action order', () => {
    expect(stepToProperties({ actions: ['return_applicant', 'approve', 'approve'] })).toEqual({ actions: 'approve,return_applicant' })
    expect(stepToProperties({ sla_days: null })).toEqual({ sla_days: '' })
  })

  it('writes a CEL condition as a tFormalExpression and the documentation', async () => {
    const m = await open('org_info_change')
    writeCondition(m, el(m, 'flow_approval_approve'), 'action == "approve" && form.changed == true')
    writeDocumentation(m, el(m, 'approval'), '审批后更新单位信息并通知单位')
    const { xml } = await m.saveXML()
    expect(xml).toContain('<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">action == "approve" &amp;&amp; form.changed == true</bpmn:conditionExpression>')
    expect(xml).toContain('审批后更新单位信息并通知单位')
    expect(readCondition(el(m, 'flow_approval_approve'))).toBe('action == "approve" && form.changed == true')
    writeCondition(m, el(m, 'flow_approval_approve'), '  ')
    expect(readCondition(el(m, 'flow_approval_approve'))).toBe('')
  })

  it('round-trips a shipped process without touching its declarations', async () => {
    const m = await open('eligibility_application')
    const doc = await exported(m)
    // happy-dom's parser trips on the single-quoted XML declaration of the shipped files.
    const original = new DOMParser().parseFromString(bpmnFile('eligibility_application').replace(/^<\?xml[^>]*\?>/, ''), 'application/xml')
    expect(flowsOf(doc)).toEqual(flowsOf(original))
    for (const id of ['submission', 'first_review', 'second_review', 'publicity', 'correction', 'end_completed']) {
      expect(propsInXml(doc, id)).toEqual(propsInXml(original, id))
    }
  })
})

describe('routing checks', () => {
  it('reads plain action conditions', () => {
    expect(actionOfCondition('action == "approve"')).toBe('approve')
    expect(actionOfCondition(" action=='reject' ")).toBe('reject')
    expect(actionOfCondition('action == "approve" && form.x > 1')).toBeNull()
  })

  it('finds no problem in a shipped step, and names an action without a branch', async () => {
    const m = await open('org_info_change')
    expect(stepProblems(el(m, 'first_review'))).toEqual([])
    ;(m.get('modeling') as any).removeElements([el(m, 'flow_first_review_reject')])
    expect(stepProblems(el(m, 'first_review'))).toEqual(['操作“驳回”在其后的网关没有流转分支'])
  })

  it('asks for the declarations of a step drawn from the palette only when they are removed', async () => {
    const m = await open('org_info_change')
    const modeling = m.get('modeling') as any
    const shape = modeling.createShape({ type: 'bpmn:UserTask' }, { x: 900, y: 600 }, el(m, 'org_info_change'))
    // New steps get a readable id and a usable declaration.
    expect(shape.businessObject.id).toBe('step')
    expect(readStep(shape)).toEqual({ role: 'gov_clerk', scope: 'DISTRICT', sla_days: 5, actions: ['approve', 'reject', 'return_previous'], distinct_handler: false })
    expect(stepProblems(shape)).toEqual(['未连接后续节点'])
    writeStep(m, shape, { role: '', sla_days: null })
    expect(stepProblems(shape)).toEqual(['未设置办理角色', '未设置办理时限', '未连接后续节点'])
    const end = modeling.createShape({ type: 'bpmn:EndEvent' }, { x: 1100, y: 600 }, el(m, 'org_info_change'))
    expect(readProperties(end)).toEqual({ outcome: 'completed' })
  })
})

describe('palette', () => {
  it('offers only what the engine runs, with Chinese tooltips', async () => {
    const m = await open('org_info_change')
    const entries = (m.get('palette') as any).getEntries()
    expect(Object.keys(entries).sort()).toEqual(
      [
        'create.end-event',
        'create.exclusive-gateway',
        'create.start-event',
        'create.user-task',
        'global-connect-tool',
        'hand-tool',
        'lasso-tool',
        'space-tool',
        'tool-separator',
      ].sort(),
    )
    expect(entries['create.user-task'].title).toBe('办理环节（用户任务）')
    const pad = (m.get('contextPad') as any).getEntries(el(m, 'first_review'))
    expect(Object.keys(pad)).toContain('append.user-task')
    expect(Object.keys(pad)).not.toContain('append.intermediate-event')
    expect(Object.keys(pad)).not.toContain('append.append-task')
  })

  it('translates placeholders too', () => {
    expect(translateZh('Delete')).toBe('删除')
    expect(translateZh('Unknown {x}', { x: '1' })).toBe('Unknown 1')
  })
})

describe('插入审核环节', () => {
  it('inserts a review after a review: its gateway, the four branches, the correction resume, and the next step returning to it', async () => {
    const m = await open('org_info_change')
    const before = flowsOf(await exported(m))
    const spec = suggestStep(m, el(m, 'first_review'))
    expect(spec).toMatchObject({ id: 'review', role: 'gov_supervisor', scope: 'CITY', sla_days: 5, actions: ['approve', 'reject', 'return_previous', 'return_applicant'] })
    const created = insertReviewStep(m, el(m, 'first_review'), { ...spec, name: '市住建复核' })
    expect(typeof created).not.toBe('string')
    const doc = await exported(m)
    const flows = flowsOf(doc)
    expect(flows).toContain('gw_first_review -[action == "approve"]-> review')
    expect(flows).not.toContain('gw_first_review -[action == "approve"]-> approval')
    expect(flows).toContain('review -[]-> gw_review')
    expect(flows).toContain('gw_review -[action == "approve"]-> approval')
    expect(flows).toContain('gw_review -[action == "reject"]-> end_rejected')
    expect(flows).toContain('gw_review -[action == "return_previous"]-> first_review')
    expect(flows).toContain('gw_review -[action == "return_applicant"]-> correction')
    expect(flows).toContain('gw_correction -[returned_from == "review"]-> review')
    expect(flows).toContain('gw_approval -[action == "return_previous"]-> review')
    expect(flows).not.toContain('gw_approval -[action == "return_previous"]-> first_review')
    expect(flows.length).toBe(before.length + 6)
    expect(propsInXml(doc, 'review')).toEqual({ role: 'gov_supervisor', scope: 'CITY', sla_days: '5', actions: 'approve,reject,return_previous,return_applicant', distinct_handler: 'true' })
    const names = byName(doc, BPMN, 'sequenceFlow')
      .filter((f) => f.getAttribute('sourceRef') === 'gw_review')
      .map((f) => f.getAttribute('name'))
      .sort()
    expect(names).toEqual(['通过', '退回上一步', '退回申请人', '驳回'].sort())
    // Drawn between the gateway and the step it now precedes, which moved right.
    const review = el(m, 'review')
    expect(review.x).toBeGreaterThan(el(m, 'gw_first_review').x)
    expect(el(m, 'approval').x).toBeGreaterThan(el(m, 'gw_review').x + el(m, 'gw_review').width)
    expect(stepProblems(review)).toEqual([])
    expect(stepsInFlowOrder(m).map((s) => s.id)).toEqual(['submission', 'first_review', 'review', 'approval', 'correction'])

    // One undo takes all of it back.
    undo(m)
    expect(flowsOf(await exported(m))).toEqual(before)
    expect(el(m, 'review')).toBeUndefined()
  })

  it('inserts after a step that goes straight on (submission), so the next review returns to the new one', async () => {
    const m = await open('org_info_change')
    const spec = suggestStep(m, el(m, 'submission'))
    expect(spec.role).toBe('gov_clerk')
    const created = insertReviewStep(m, el(m, 'submission'), { ...spec, id: 'pre_check', name: '材料预审', scope: 'CITY' })
    expect(typeof created).not.toBe('string')
    const flows = flowsOf(await exported(m))
    expect(flows).toContain('submission -[]-> pre_check')
    expect(flows).toContain('gw_pre_check -[action == "approve"]-> first_review')
    // Right after the applicant's submission a review offers no 退回上一步 (it would be 退回申请人).
    expect(spec.actions).not.toContain('return_previous')
    expect(spec.distinct_handler).toBe(false)
    expect(flows).not.toContain('gw_pre_check -[action == "return_previous"]-> submission')
    expect(flows).toContain('gw_correction -[returned_from == "pre_check"]-> pre_check')
  })

  it('inserts after the last review, sending approval on to 办结', async () => {
    const m = await open('org_info_change')
    insertReviewStep(m, el(m, 'approval'), { id: 'final_check', name: '终审', role: 'gov_supervisor', scope: 'CITY', sla_days: 3, actions: ['approve', 'reject'] })
    const flows = flowsOf(await exported(m))
    expect(flows).toContain('gw_approval -[action == "approve"]-> final_check')
    expect(flows).toContain('gw_final_check -[action == "approve"]-> end_completed')
    expect(flows).toContain('gw_final_check -[action == "reject"]-> end_rejected')
    expect(flows.filter((f) => f.startsWith('gw_final_check'))).toHaveLength(2)
  })

  it('refuses what it cannot do, in Chinese', async () => {
    const m = await open('org_info_change')
    expect(planInsertAfter(m, el(m, 'gw_first_review'))).toBe('请先选中一个办理环节（用户任务）')
    const spec = { id: 'first_review', name: '重复', role: 'gov_clerk', scope: 'CITY', sla_days: 5 }
    expect(insertReviewStep(m, el(m, 'first_review'), spec)).toBe('环节编码“first_review”已被使用')
    expect(insertReviewStep(m, el(m, 'first_review'), { ...spec, id: '2nd' })).toContain('字母、数字、下划线')
    expect(insertReviewStep(m, el(m, 'first_review'), { ...spec, id: 'ok_id', name: ' ' })).toBe('请填写环节名称')
    ;(m.get('modeling') as any).removeElements([el(m, 'flow_first_review_approve')])
    expect(planInsertAfter(m, el(m, 'first_review'))).toContain('没有“通过”分支')
  })
})

describe('renaming a step', () => {
  it('renames the returned_from conditions that name it, as one undo step', async () => {
    const m = await open('org_info_change')
    expect(renameStep(m, el(m, 'first_review'), 'approval')).toBe('编码“approval”已被使用')
    expect(renameStep(m, el(m, 'first_review'), 'city_review')).toBeNull()
    let flows = flowsOf(await exported(m))
    expect(flows).toContain('gw_correction -[returned_from == "city_review"]-> city_review')
    undo(m)
    flows = flowsOf(await exported(m))
    expect(flows).toContain('gw_correction -[returned_from == "first_review"]-> first_review')
  })

  it('picks free ids', () => {
    expect(nextId(['review'], 'review')).toBe('review_2')
    expect(nextId(['a'], 'review')).toBe('review')
  })
})

describe('整理布局', () => {
  const mid = (e: any) => ({ x: e.x + e.width / 2, y: e.y + e.height / 2 })

  it('draws the forward path in one row, returns above, rejection and correction below, with right-angled lines only', async () => {
    const m = await open('org_info_change')
    const before = flowsOf(await exported(m))
    // Shipped laid out by app/workflow/layout.py, which draws exactly this: nothing to do.
    expect(tidyLayout(m)).toBe(ALREADY_TIDY)
    const shipped = { end: el(m, 'end_rejected').x, corr: el(m, 'correction').y }
    const modeling = m.get('modeling') as any
    modeling.moveElements([el(m, 'end_rejected'), el(m, 'correction')], { x: 90, y: 70 })
    expect(tidyLayout(m)).toBeNull()
    // The model is untouched: only the drawing moved, back to where the shipped file has it.
    expect(flowsOf(await exported(m))).toEqual(before)
    expect(el(m, 'end_rejected').x).toBe(shipped.end)
    expect(el(m, 'correction').y).toBe(shipped.corr)
    const row = ['start', 'submission', 'first_review', 'gw_first_review', 'approval', 'gw_approval', 'end_completed'].map((id) => el(m, id))
    const y = mid(row[0]).y
    for (const e of row) expect(mid(e).y).toBe(y)
    for (let i = 1; i < row.length; i++) expect(row[i].x).toBeGreaterThan(row[i - 1].x + row[i - 1].width)
    const top = Math.min(...row.map((e) => e.y))
    const bottom = Math.max(...row.map((e) => e.y + e.height))
    expect(el(m, 'end_rejected').y).toBeGreaterThan(bottom)
    expect(el(m, 'correction').y).toBeGreaterThan(el(m, 'end_rejected').y + el(m, 'end_rejected').height)
    expect(mid(el(m, 'gw_correction')).y).toBe(mid(el(m, 'correction')).y)
    // 退回上一步 goes over the top, the longer span higher.
    const back = el(m, 'flow_approval_return_previous').waypoints
    expect(back[1].y).toBeLessThan(top)
    // 补正后 resumes enter the steps from below.
    const resume = el(m, 'flow_resume_approval').waypoints
    expect(resume[resume.length - 1]).toEqual({ x: mid(el(m, 'approval')).x, y: el(m, 'approval').y + el(m, 'approval').height })
    const reg = m.get('elementRegistry') as any
    for (const c of reg.filter((e: any) => e.waypoints)) {
      const w = c.waypoints
      for (let i = 1; i < w.length; i++) expect(w[i].x === w[i - 1].x || w[i].y === w[i - 1].y).toBe(true)
    }
    // One undo puts everything back where it was moved to.
    undo(m)
    expect(el(m, 'end_rejected').x).toBe(shipped.end + 90)
    expect(el(m, 'correction').y).toBe(shipped.corr + 70)
  })

  it('inserts and tidies in one step, the new review in the row between the gateway and the next step', async () => {
    const m = await open('org_info_change')
    const approvalX = el(m, 'approval').x
    const spec = { ...suggestStep(m, el(m, 'first_review')), name: '市住建复核' }
    insertReviewStep(m, el(m, 'first_review'), spec, true)
    const order = ['gw_first_review', 'review', 'gw_review', 'approval'].map((id) => el(m, id))
    for (const e of order) expect(mid(e).y).toBe(mid(el(m, 'start')).y)
    for (let i = 1; i < order.length; i++) expect(order[i].x).toBeGreaterThan(order[i - 1].x)
    undo(m)
    expect(el(m, 'review')).toBeUndefined()
    expect(el(m, 'approval').x).toBe(approvalX)
  })

  it('finds every shipped process already tidy: the server-side layout draws the same, so 整理布局 is no change', async () => {
    for (const key of readdirSync(PROCESSES).filter((f) => f.endsWith('.bpmn')).map((f) => f.replace('.bpmn', ''))) {
      const m = await open(key)
      const plan = planLayout(m)
      expect(typeof plan, key).not.toBe('string')
      expect(planIsNoop(plan as LayoutPlan), key).toBe(true)
      expect(tidyLayout(m), key).toBe(ALREADY_TIDY)
      expect((m.get('commandStack') as any).canUndo(), key).toBe(false)
      m.destroy()
      modeler = null
      document.body.innerHTML = ''
    }
  }, 120_000)
})

// The process designer's model layer: what a step may declare (app/workflow/README.md),
// reading and writing those declarations on bpmn-js elements through `modeling` (so undo
// works), and a bpmn-js module that keeps the palette to what the engine runs and adds
// the 插入审核环节 command.
import CommandInterceptor from 'diagram-js/lib/command/CommandInterceptor'
import { selfAndAllChildren } from 'diagram-js/lib/util/Elements'

export const SPIFF_NS = 'http://spiffworkflow.org/bpmn/schema/1.0/core'

/** Moddle descriptor for `spiffworkflow:properties` / `spiffworkflow:property`, so they round-trip typed. */
export const spiffModdle = {
  name: 'SpiffWorkflow',
  uri: SPIFF_NS,
  prefix: 'spiffworkflow',
  xml: { tagAlias: 'lowerCase' },
  associations: [],
  types: [
    {
      name: 'Properties',
      superClass: ['Element'],
      properties: [{ name: 'properties', type: 'Property', isMany: true }],
    },
    {
      name: 'Property',
      superClass: ['Element'],
      properties: [
        { name: 'name', type: 'String', isAttr: true },
        { name: 'value', type: 'String', isAttr: true },
      ],
    },
  ],
}

export interface Option {
  value: string
  label: string
  hint?: string
}

export const ROLE_OPTIONS: Option[] = [
  { value: 'applicant', label: '申请人/受理人', hint: '网上申请的申请人，或窗口受理的受理人员' },
  { value: 'gov_clerk', label: '住建经办', hint: '住建部门业务员' },
  { value: 'gov_supervisor', label: '住建审批', hint: '住建部门业务主管' },
  { value: 'operator_clerk', label: '运营经办', hint: '运营单位业务员' },
  { value: 'operator_supervisor', label: '运营审批', hint: '运营单位业务主管' },
  { value: 'builder_clerk', label: '建设经办', hint: '建设单位业务员' },
  { value: 'builder_supervisor', label: '建设审批', hint: '建设单位业务主管' },
]

export const SCOPE_OPTIONS: Option[] = [
  { value: 'CITY', label: '全市', hint: '仅市级住建部门' },
  { value: 'DISTRICT', label: '本区', hint: '业务件所属区的人员，市级人员也可办理' },
  { value: 'ORG', label: '本单位', hint: '业务件所属单位的人员' },
  { value: 'SELF', label: '本人', hint: '提交人本人' },
]

export const ACTION_OPTIONS: Option[] = [
  { value: 'submit', label: '提交' },
  { value: 'approve', label: '通过' },
  { value: 'reject', label: '驳回' },
  { value: 'return_previous', label: '退回上一步' },
  { value: 'return_applicant', label: '退回申请人' },
]

export const OUTCOME_OPTIONS: Option[] = [
  { value: 'completed', label: '办结' },
  { value: 'rejected', label: '驳回' },
]

export function optionLabel(options: Option[], value: string | null | undefined, empty = '-'): string {
  if (!value) return empty
  return options.find((o) => o.value === value)?.label ?? value
}

export const REVIEW_ACTIONS = ['approve', 'reject', 'return_previous', 'return_applicant']

export interface StepProps {
  role: string
  scope: string
  sla_days: number | null
  actions: string[]
  /** 须由不同人员办理: whoever handled an earlier step of the case may not handle this one. */
  distinct_handler?: boolean
}

type Bo = Record<string, any>
type El = Record<string, any>

export function bo(el: El | Bo | null | undefined): Bo | null {
  if (!el) return null
  return (el.businessObject ?? el) as Bo
}

export function isType(el: El | Bo | null | undefined, type: string): boolean {
  const b = bo(el)
  return !!b && typeof b.$instanceOf === 'function' && b.$instanceOf(type)
}

function spiffPropertiesOf(b: Bo | null): Bo | null {
  const values: Bo[] = b?.extensionElements?.values ?? []
  return values.find((v) => v.$type === 'spiffworkflow:Properties' || v.$type === 'spiffworkflow:properties') ?? null
}

function propertyList(props: Bo | null): Bo[] {
  if (!props) return []
  // Typed (our descriptor) or generic (an unknown-namespace element read without it).
  return (props.properties ?? props.$children ?? []) as Bo[]
}

/** The `spiffworkflow:property` name → value pairs of an element. */
export function readProperties(el: El | Bo | null | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of propertyList(spiffPropertiesOf(bo(el)))) {
    const name = p.name ?? p.$attrs?.name
    if (name) out[name] = String(p.value ?? p.$attrs?.value ?? '')
  }
  return out
}

export function splitActions(v: string | null | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
}

/** A userTask's step declaration; missing parts come back empty for the panel to show. */
export function readStep(el: El | Bo | null | undefined): StepProps {
  const p = readProperties(el)
  const sla = Number(p.sla_days)
  return {
    role: p.role ?? '',
    scope: p.scope ?? '',
    sla_days: p.sla_days && Number.isInteger(sla) && sla > 0 ? sla : null,
    actions: splitActions(p.actions),
    distinct_handler: p.distinct_handler === 'true',
  }
}

/** Properties in the engine's canonical form and order. */
export function stepToProperties(step: Partial<StepProps>): Record<string, string | null> {
  const order = ACTION_OPTIONS.map((o) => o.value)
  const actions = [...new Set(step.actions ?? [])].sort((a, b) => order.indexOf(a) - order.indexOf(b))
  const out: Record<string, string | null> = {}
  if (step.role !== undefined) out.role = step.role
  if (step.scope !== undefined) out.scope = step.scope
  if (step.sla_days !== undefined) out.sla_days = step.sla_days === null ? '' : String(step.sla_days)
  if (step.actions !== undefined) out.actions = actions.join(',')
  // Off is the engine's default: the property is left out rather than written as "false".
  if (step.distinct_handler !== undefined) out.distinct_handler = step.distinct_handler ? 'true' : null
  return out
}

interface Moddle {
  create(type: string, attrs?: Record<string, unknown>): Bo
}

/**
 * A fresh extensionElements for `b` with its spiffworkflow properties replaced by `merged`.
 * Other extension elements (and property order) are kept.
 */
function extensionWith(moddle: Moddle, b: Bo, patch: Record<string, string | null>): Bo {
  const current = readProperties(b)
  const merged: Record<string, string> = { ...current }
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k]
    else merged[k] = v
  }
  const names = [...Object.keys(current).filter((k) => k in merged), ...Object.keys(merged).filter((k) => !(k in current))]
  const props = moddle.create('spiffworkflow:Properties', {
    properties: names.map((name) => moddle.create('spiffworkflow:Property', { name, value: merged[name] })),
  })
  const others = (b.extensionElements?.values ?? []).filter((v: Bo) => v !== spiffPropertiesOf(b))
  const ext = moddle.create('bpmn:ExtensionElements', { values: names.length ? [...others, props] : others })
  props.$parent = ext
  for (const p of props.properties) p.$parent = props
  return ext
}

export interface ModelerLike {
  get(name: string): any
}

/** Set (or with null remove) spiffworkflow properties on an element: one undoable command. */
export function writeProperties(modeler: ModelerLike, element: El, patch: Record<string, string | null>): void {
  const modeling = modeler.get('modeling')
  const moddle = modeler.get('moddle') as Moddle
  const ext = extensionWith(moddle, element.businessObject, patch)
  ext.$parent = element.businessObject
  modeling.updateProperties(element, { extensionElements: ext.values.length ? ext : undefined })
}

export function writeStep(modeler: ModelerLike, element: El, step: Partial<StepProps>): void {
  writeProperties(modeler, element, stepToProperties(step))
}

export function readCondition(el: El | Bo | null | undefined): string {
  const c = bo(el)?.conditionExpression
  return c ? String(c.body ?? '').trim() : ''
}

/** Set a sequence flow's CEL condition (`bpmn:tFormalExpression`); empty removes it. */
export function writeCondition(modeler: ModelerLike, element: El, expression: string): void {
  const modeling = modeler.get('modeling')
  const moddle = modeler.get('moddle') as Moddle
  const body = expression.trim()
  modeling.updateProperties(element, { conditionExpression: body ? moddle.create('bpmn:FormalExpression', { body }) : undefined })
}

export function readDocumentation(el: El | Bo | null | undefined): string {
  const docs: Bo[] = bo(el)?.documentation ?? []
  return docs.map((d) => d.text ?? '').join('\n')
}

export function writeDocumentation(modeler: ModelerLike, element: El, text: string): void {
  const modeling = modeler.get('modeling')
  const moddle = modeler.get('moddle') as Moddle
  const t = text.trim()
  modeling.updateProperties(element, { documentation: t ? [moddle.create('bpmn:Documentation', { text: t })] : [] })
}

// ---------------------------------------------------------------- routing

const ACTION_COND = /^\s*action\s*==\s*["']([a-z_]+)["']\s*$/
const RETURNED_COND = /^\s*returned_from\s*==\s*["']([A-Za-z_][\w]*)["']\s*$/

/** The action a condition tests, when it is the plain `action == "…"` form. */
export function actionOfCondition(expr: string): string | null {
  return ACTION_COND.exec(expr)?.[1] ?? null
}

export function actionCondition(action: string): string {
  return `action == "${action}"`
}

export function returnedFromCondition(stepId: string): string {
  return `returned_from == "${stepId}"`
}

export const ACTION_FLOW_NAMES: Record<string, string> = {
  submit: '提交',
  approve: '通过',
  reject: '驳回',
  return_previous: '退回上一步',
  return_applicant: '退回申请人',
}

function outgoing(el: El): El[] {
  return (el.outgoing ?? []) as El[]
}

/** The exclusive gateway right after a step, when the step routes through one. */
export function gatewayAfter(step: El): El | null {
  const out = outgoing(step)
  if (out.length !== 1) return null
  const t = out[0].target
  return t && isType(t, 'bpmn:ExclusiveGateway') ? t : null
}

/**
 * What the panel warns about on a step: missing declarations, and declared actions
 * that the gateway after it cannot route. Conditions other than `action == "…"` are
 * left to the server's check.
 */
export function stepProblems(step: El): string[] {
  const p = readStep(step)
  const problems: string[] = []
  if (!p.role) problems.push('未设置办理角色')
  if (!p.scope) problems.push('未设置数据范围')
  if (!p.sla_days) problems.push('未设置办理时限')
  if (!p.actions.length) problems.push('未设置可用操作')
  const out = outgoing(step)
  if (!out.length) {
    problems.push('未连接后续节点')
    return problems
  }
  const gw = gatewayAfter(step)
  if (!gw) {
    if (p.actions.length > 1) problems.push('声明了多个操作，其后应连接排他网关并按操作分支')
    return problems
  }
  if (bo(gw)?.default) return problems
  const conds = outgoing(gw).map(readCondition)
  if (conds.some((c) => c && !actionOfCondition(c))) return problems
  const routed = new Set(conds.map(actionOfCondition))
  for (const a of p.actions) {
    if (!routed.has(a)) problems.push(`操作“${optionLabel(ACTION_OPTIONS, a)}”在其后的网关没有流转分支`)
  }
  return problems
}

// ---------------------------------------------------------------- ids

export const STEP_ID = /^[A-Za-z_][A-Za-z0-9_]*$/

export function isValidStepId(id: string): boolean {
  return STEP_ID.test(id) && id.length <= 64
}

/** `base_2`, `base_3`… the first one not taken (or `base` itself when free). */
export function nextId(taken: Iterable<string>, base: string): string {
  const set = new Set(taken)
  if (!set.has(base)) return base
  for (let i = 2; ; i++) if (!set.has(`${base}_${i}`)) return `${base}_${i}`
}

function allIds(modeler: ModelerLike): string[] {
  return (modeler.get('elementRegistry').getAll() as El[]).map((e) => e.businessObject?.id).filter(Boolean)
}

// ---------------------------------------------------------------- insert a review step

export interface NewStep {
  id: string
  name: string
  role: string
  scope: string
  sla_days: number
  actions?: string[]
  distinct_handler?: boolean
}

export interface InsertPlan {
  /** The element the new step is inserted after: the step, or its gateway. */
  anchor: El
  /** The flow that today carries approval (or submission) forward; it is redirected to the new step. */
  forward: El
  /** Where approval went before; the new step's 通过 goes there. */
  next: El
  correction: El | null
  correctionGateway: El | null
  rejectedEnd: El | null
  /** 退回上一步 flows of the next step that point back at the step: they now return to the new one. */
  returnsToStep: El[]
}

function forwardAction(step: El): string {
  return readStep(step).actions.includes('approve') ? 'approve' : 'submit'
}

/** Work out where a review step after `step` goes, or say in Chinese why it cannot. */
export function planInsertAfter(modeler: ModelerLike, step: El): InsertPlan | string {
  if (!isType(step, 'bpmn:UserTask')) return '请先选中一个办理环节（用户任务）'
  const registry = modeler.get('elementRegistry')
  const all = registry.getAll() as El[]
  const gw = gatewayAfter(step)
  let anchor: El = step
  let forward: El | undefined
  if (gw) {
    anchor = gw
    const want = forwardAction(step)
    forward = outgoing(gw).find((f) => actionOfCondition(readCondition(f)) === want)
    if (!forward) return `“${bo(step)?.name ?? bo(step)?.id}”之后的网关没有“${optionLabel(ACTION_OPTIONS, want)}”分支，无法确定新环节的位置`
  } else {
    const out = outgoing(step)
    if (out.length !== 1) return `“${bo(step)?.name ?? bo(step)?.id}”没有唯一的后续流转，无法确定新环节的位置`
    forward = out[0]
  }
  const next = forward.target as El
  const flows = all.filter((e) => isType(e, 'bpmn:SequenceFlow'))
  const corrFlow = flows.find((f) => actionOfCondition(readCondition(f)) === 'return_applicant' && isType(f.target, 'bpmn:UserTask'))
  const correction = corrFlow ? (corrFlow.target as El) : null
  const correctionGateway = correction ? gatewayAfter(correction) : null
  const rejectedEnd = all.find((e) => isType(e, 'bpmn:EndEvent') && readProperties(e).outcome === 'rejected') ?? null
  const nextGw = isType(next, 'bpmn:UserTask') ? gatewayAfter(next) : null
  const returnsToStep = nextGw
    ? outgoing(nextGw).filter((f) => f.target === step && actionOfCondition(readCondition(f)) === 'return_previous')
    : []
  return { anchor, forward, next, correction, correctionGateway, rejectedEnd, returnsToStep }
}

/** Suggested declaration for a review step inserted after `step`. */
export function suggestStep(modeler: ModelerLike, step: El): NewStep {
  const s = readStep(step)
  const plan = planInsertAfter(modeler, step)
  const reviewer = s.role && s.role !== 'applicant'
  // 退回上一步 to the applicant's own step would only repeat 退回申请人.
  const actions = reviewer ? ['approve', 'reject', 'return_previous'] : ['approve', 'reject']
  if (typeof plan !== 'string' && plan.correction) actions.push('return_applicant')
  return {
    id: nextId(allIds(modeler), 'review'),
    name: '',
    role: reviewer ? s.role.replace(/_clerk$/, '_supervisor') : 'gov_clerk',
    scope: reviewer ? s.scope : 'DISTRICT',
    sla_days: s.sla_days && reviewer ? s.sla_days : 5,
    actions,
    distinct_handler: !!reviewer,
  }
}

const GAP = 40
const GW_SIZE = 50

function mid(el: El) {
  return { x: el.x + el.width / 2, y: el.y + el.height / 2 }
}

class InsertStepHandler {
  static $inject = ['modeling', 'elementFactory', 'bpmnFactory', 'elementRegistry', 'spaceTool', 'canvas', 'moddle', 'injector']
  constructor(
    private modeling: any,
    private elementFactory: any,
    private bpmnFactory: any,
    private elementRegistry: any,
    private spaceTool: any,
    private canvas: any,
    private moddle: any,
    private injector: any,
  ) {}

  private flowBo(id: string, name: string | null, condition: string | null): Bo {
    const attrs: Record<string, unknown> = { id }
    if (name) attrs.name = name
    if (condition) attrs.conditionExpression = this.moddle.create('bpmn:FormalExpression', { body: condition })
    return this.bpmnFactory.create('bpmn:SequenceFlow', attrs)
  }

  private connect(source: El, target: El, id: string, name: string | null, condition: string | null): El {
    return this.modeling.connect(source, target, { type: 'bpmn:SequenceFlow', businessObject: this.flowBo(id, name, condition) })
  }

  preExecute(context: { step: El; plan: InsertPlan; spec: NewStep; tidy?: boolean; created?: El }) {
    const { step, plan, spec } = context
    const taken = new Set<string>((this.elementRegistry.getAll() as El[]).map((e) => e.businessObject?.id))
    const uid = (base: string) => {
      const id = nextId(taken, base)
      taken.add(id)
      return id
    }
    const parent = step.parent
    const w = step.width
    const h = step.height
    const dx = GAP + w + GAP / 2 + GW_SIZE

    // Make room right of the anchor, the way the space tool would.
    const start = plan.anchor.x + plan.anchor.width + GAP / 2
    const root = this.canvas.getRootElement()
    const adj = this.spaceTool.calculateAdjustments(selfAndAllChildren(root), 'x', dx, start)
    this.modeling.createSpace(adj.movingShapes, adj.resizingShapes, { x: dx, y: 0 }, 'e', start)

    const cy = mid(step).y
    const props = stepToProperties({ role: spec.role, scope: spec.scope, sla_days: spec.sla_days, actions: spec.actions ?? REVIEW_ACTIONS, distinct_handler: !!spec.distinct_handler })
    const ext = extensionWith(this.moddle, {}, props)
    const taskBo = this.bpmnFactory.create('bpmn:UserTask', { id: spec.id, name: spec.name, extensionElements: ext })
    ext.$parent = taskBo
    taken.add(spec.id)
    const task = this.modeling.createShape(
      this.elementFactory.createShape({ type: 'bpmn:UserTask', businessObject: taskBo, width: w, height: h }),
      { x: plan.anchor.x + plan.anchor.width + GAP + w / 2, y: cy },
      parent,
    )
    const gwBo = this.bpmnFactory.create('bpmn:ExclusiveGateway', { id: uid(`gw_${spec.id}`), name: `${spec.name}结果` })
    const gateway = this.modeling.createShape(
      this.elementFactory.createShape({ type: 'bpmn:ExclusiveGateway', businessObject: gwBo }),
      { x: task.x + task.width + GAP / 2 + GW_SIZE / 2, y: cy },
      parent,
    )

    this.modeling.reconnectEnd(plan.forward, task, mid(task))
    this.connect(task, gateway, uid(`flow_${spec.id}`), null, null)
    const actions = spec.actions ?? REVIEW_ACTIONS
    for (const action of actions) {
      let target: El | null = null
      if (action === 'approve') target = plan.next
      else if (action === 'return_previous') target = step
      else if (action === 'return_applicant') target = plan.correction
      else if (action === 'reject') target = plan.rejectedEnd ?? this.createRejectedEnd(parent, gateway, uid)
      if (!target) continue
      this.connect(gateway, target, uid(`flow_${spec.id}_${action}`), ACTION_FLOW_NAMES[action], actionCondition(action))
    }
    if (actions.includes('return_applicant') && plan.correctionGateway) {
      this.connect(plan.correctionGateway, task, uid(`flow_resume_${spec.id}`), `回到${spec.name}`, returnedFromCondition(spec.id))
    }
    for (const f of plan.returnsToStep) this.modeling.reconnectEnd(f, task, mid(task))
    if (context.tidy) {
      const layout = planLayout({ get: (name: string) => this.injector.get(name) })
      if (typeof layout !== 'string') applyLayout(this.modeling, layout)
    }
    context.created = task
  }

  private createRejectedEnd(parent: El, near: El, uid: (b: string) => string): El {
    const ext = extensionWith(this.moddle, {}, { outcome: 'rejected' })
    const endBo = this.bpmnFactory.create('bpmn:EndEvent', { id: uid('end_rejected'), name: '驳回', extensionElements: ext })
    ext.$parent = endBo
    return this.modeling.createShape(
      this.elementFactory.createShape({ type: 'bpmn:EndEvent', businessObject: endBo }),
      { x: mid(near).x, y: near.y + 200 },
      parent,
    )
  }

  execute() {
    return []
  }

  revert() {
    return []
  }
}

/** Rename a step and the `returned_from == "…"` conditions that name it, as one undo step. */
class RenameStepHandler {
  static $inject = ['modeling', 'elementRegistry', 'moddle']
  constructor(
    private modeling: any,
    private elementRegistry: any,
    private moddle: any,
  ) {}

  preExecute(context: { element: El; id: string }) {
    const old = context.element.businessObject.id
    this.modeling.updateProperties(context.element, { id: context.id })
    for (const f of this.elementRegistry.filter((e: El) => isType(e, 'bpmn:SequenceFlow')) as El[]) {
      const m = RETURNED_COND.exec(readCondition(f))
      if (m && m[1] === old) {
        this.modeling.updateProperties(f, { conditionExpression: this.moddle.create('bpmn:FormalExpression', { body: returnedFromCondition(context.id) }) })
      }
    }
  }

  execute() {
    return []
  }

  revert() {
    return []
  }
}

/**
 * Insert a review step after `step` with its gateway and standard flows, and with `tidy` redraw
 * the diagram; one undo step. Returns the new shape or a Chinese reason.
 */
export function insertReviewStep(modeler: ModelerLike, step: El, spec: NewStep, tidy = false): El | string {
  if (!isValidStepId(spec.id)) return '环节编码应由字母、数字、下划线组成，且不以数字开头'
  if (allIds(modeler).includes(spec.id)) return `环节编码“${spec.id}”已被使用`
  if (!spec.name.trim()) return '请填写环节名称'
  const plan = planInsertAfter(modeler, step)
  if (typeof plan === 'string') return plan
  const context: { step: El; plan: InsertPlan; spec: NewStep; tidy: boolean; created?: El } = { step, plan, spec: { ...spec, name: spec.name.trim() }, tidy }
  modeler.get('commandStack').execute('arh.step.insertAfter', context)
  return context.created as El
}

/** Change a step's id; returns a Chinese reason when refused. */
export function renameStep(modeler: ModelerLike, step: El, id: string): string | null {
  if (id === step.businessObject.id) return null
  if (!isValidStepId(id)) return '环节编码应由字母、数字、下划线组成，且不以数字开头'
  if (allIds(modeler).includes(id)) return `编码“${id}”已被使用`
  modeler.get('commandStack').execute('arh.step.rename', { element: step, id })
  return null
}

// ---------------------------------------------------------------- palette, context pad, defaults

const KEEP_PALETTE = new Set([
  'hand-tool',
  'lasso-tool',
  'space-tool',
  'global-connect-tool',
  'tool-separator',
  'create.start-event',
  'create.end-event',
  'create.exclusive-gateway',
])

class ArhPalette {
  static $inject = ['palette', 'create', 'elementFactory', 'translate']
  constructor(
    palette: any,
    private create: any,
    private elementFactory: any,
    private translate: (s: string) => string,
  ) {
    palette.registerProvider(500, this)
  }

  getPaletteEntries() {
    return (entries: Record<string, any>) => {
      const out: Record<string, any> = {}
      for (const [k, v] of Object.entries(entries)) {
        if (k === 'create.task') {
          const start = (event: Event) => this.create.start(event, this.elementFactory.createShape({ type: 'bpmn:UserTask' }))
          out['create.user-task'] = {
            group: 'activity',
            className: 'bpmn-icon-user-task',
            title: this.translate('Create user task'),
            action: { dragstart: start, click: start },
          }
        } else if (KEEP_PALETTE.has(k)) {
          out[k] = v
        }
      }
      return out
    }
  }
}

const KEEP_CONTEXT = new Set(['append.end-event', 'append.gateway', 'append.text-annotation', 'connect', 'delete', 'replace'])

class ArhContextPad {
  static $inject = ['contextPad', 'autoPlace', 'create', 'elementFactory', 'translate']
  constructor(
    contextPad: any,
    private autoPlace: any,
    private create: any,
    private elementFactory: any,
    private translate: (s: string) => string,
  ) {
    contextPad.registerProvider(500, this)
  }

  getContextPadEntries() {
    return (entries: Record<string, any>) => {
      const out: Record<string, any> = {}
      for (const [k, v] of Object.entries(entries)) {
        if (k === 'append.append-task') {
          const shape = () => this.elementFactory.createShape({ type: 'bpmn:UserTask' })
          out['append.user-task'] = {
            group: v.group,
            className: 'bpmn-icon-user-task',
            title: this.translate('Append user task'),
            action: {
              click: (_e: Event, el: El) => this.autoPlace.append(el, shape()),
              dragstart: (e: Event, el: El) => this.create.start(e, shape(), { source: el }),
            },
          }
        } else if (KEEP_CONTEXT.has(k)) {
          out[k] = v
        }
      }
      return out
    }
  }
}

const KEEP_REPLACE = new Set([
  'replace-with-user-task',
  'replace-with-none-start',
  'replace-with-none-end',
  'replace-with-exclusive-gateway',
  'replace-with-parallel-gateway',
  'replace-with-sequence-flow',
  'replace-with-default-flow',
  'replace-with-conditional-flow',
])

class ArhReplaceMenu {
  static $inject = ['popupMenu']
  constructor(popupMenu: any) {
    popupMenu.registerProvider('bpmn-replace', 500, this)
  }

  getPopupMenuEntries() {
    return (entries: Record<string, any>) => Object.fromEntries(Object.entries(entries).filter(([k]) => KEEP_REPLACE.has(k)))
  }

  getPopupMenuHeaderEntries() {
    return () => ({})
  }
}

/** New steps get a readable id and a usable declaration; new end events an outcome. */
class ArhDefaults extends CommandInterceptor {
  static $inject = ['eventBus', 'modeling', 'moddle', 'elementRegistry']
  constructor(eventBus: any, modeling: any, moddle: any, elementRegistry: any) {
    super(eventBus)
    this.postExecuted('shape.create', (event: any) => {
      const shape = event.context.shape as El
      if (!shape || shape.labelTarget) return
      const b = shape.businessObject
      const has = Object.keys(readProperties(b)).length > 0
      if (isType(shape, 'bpmn:UserTask')) {
        if (/^Activity_/.test(b.id)) {
          const ids = (elementRegistry.getAll() as El[]).map((e) => e.businessObject?.id)
          modeling.updateProperties(shape, { id: nextId(ids, 'step') })
        }
        if (!has) {
          const ext = extensionWith(moddle, b, stepToProperties({ role: 'gov_clerk', scope: 'DISTRICT', sla_days: 5, actions: ['approve', 'reject', 'return_previous'] }))
          ext.$parent = b
          modeling.updateProperties(shape, { extensionElements: ext })
        }
      } else if (isType(shape, 'bpmn:EndEvent') && !has) {
        const ext = extensionWith(moddle, b, { outcome: 'completed' })
        ext.$parent = b
        modeling.updateProperties(shape, { extensionElements: ext })
      }
    })
  }
}

class ArhCommands {
  static $inject = ['commandStack']
  constructor(commandStack: any) {
    commandStack.registerHandler('arh.step.insertAfter', InsertStepHandler)
    commandStack.registerHandler('arh.step.rename', RenameStepHandler)
    commandStack.registerHandler('arh.layout', LayoutHandler)
  }
}

/** bpmn-js module for the ARH designer. */
export const arhDesignerModule = {
  __init__: ['arhPalette', 'arhContextPad', 'arhReplaceMenu', 'arhDefaults', 'arhCommands'],
  arhPalette: ['type', ArhPalette],
  arhContextPad: ['type', ArhContextPad],
  arhReplaceMenu: ['type', ArhReplaceMenu],
  arhDefaults: ['type', ArhDefaults],
  arhCommands: ['type', ArhCommands],
}

// ---------------------------------------------------------------- Chinese tooltips

const ZH: Record<string, string> = {
  'Activate hand tool': '抓手工具（拖动画布）',
  'Activate lasso tool': '框选工具',
  'Activate create/remove space tool': '插入/删除空白区域',
  'Activate global connect tool': '连线工具',
  'Create start event': '开始事件',
  'Create end event': '结束事件',
  'Create gateway': '排他网关',
  'Create user task': '办理环节（用户任务）',
  'Append user task': '追加办理环节',
  'Append end event': '追加结束事件',
  'Append gateway': '追加网关',
  'Add text annotation': '添加注释',
  'Connect using sequence/message flow or association': '连线',
  'Connect to other element': '连线',
  'Connect using sequence flow': '连线',
  'Connect using association': '关联注释',
  'Change element': '更改类型',
  'Change type': '更改类型',
  Delete: '删除',
  'User task': '办理环节（用户任务）',
  'Start event': '开始事件',
  'End event': '结束事件',
  'Exclusive gateway': '排他网关',
  'Parallel gateway': '并行网关',
  'Sequence flow': '顺序流',
  'Default flow': '默认流',
  'Conditional flow': '条件流',
  'Search in diagram': '在流程图中搜索',
  'Search': '搜索',
  'No matching entries found.': '没有匹配项',
}

/** diagram-js `translate` with the tooltips this designer shows in Chinese. */
export function translateZh(template: string, replacements: Record<string, string> = {}): string {
  const t = ZH[template] ?? template
  return t.replace(/{([^}]+)}/g, (_, key) => replacements[key] ?? `{${key}}`)
}

export const translateModule = { translate: ['value', translateZh] }

// ---------------------------------------------------------------- file helpers

/** Steps in the order a case meets them: along forward flows from the start, then the rest (correction). */
export function stepsInFlowOrder(modeler: ModelerLike): { id: string; name: string; props: StepProps }[] {
  const all = (modeler.get('elementRegistry').getAll() as El[]).filter((e) => !e.labelTarget)
  const start = all.find((e) => isType(e, 'bpmn:StartEvent'))
  const order: El[] = []
  const seen = new Set<El>()
  const walk = (el: El, forwardOnly: boolean) => {
    if (seen.has(el)) return
    seen.add(el)
    if (isType(el, 'bpmn:UserTask') && !order.includes(el)) order.push(el)
    for (const f of outgoing(el)) if (f.target && (!forwardOnly || flowRank(f) === 0)) walk(f.target, forwardOnly)
  }
  if (start) {
    walk(start, true)
    seen.clear()
    walk(start, false)
  }
  for (const e of all) if (isType(e, 'bpmn:UserTask') && !order.includes(e)) order.push(e)
  return order.map((e) => ({ id: e.businessObject.id, name: e.businessObject.name ?? '', props: readStep(e) }))
}

/** 0: carries the case forward; 1: rejects; 2: goes back (return, resume after correction). */
function flowRank(f: El): number {
  const c = readCondition(f)
  if (!c) return 0
  const a = actionOfCondition(c)
  if (a === 'reject') return 1
  if (a === 'return_previous' || a === 'return_applicant' || RETURNED_COND.test(c)) return 2
  return 0
}

// ---------------------------------------------------------------- 整理布局

interface Box {
  x: number
  y: number
  width: number
  height: number
}
type Point = { x: number; y: number }

export interface LayoutPlan {
  /** New top-left corner of each shape. */
  moves: Map<El, Point>
  waypoints: Map<El, Point[]>
  /** New top-left corner of labels (of flows and gateways). */
  labels: Map<El, Point>
  /** Flows left to bpmn-js's own router. */
  relayout: El[]
}

const COL_GAP = 50
const ROW_GAP = 130
const MAIN_CY = 210
const ARC_GAP = 26
const ARC_STEP = 16

/**
 * The height the layout gives a label: 14px a line, 7 characters a line (app/workflow/layout.py
 * assumes the same). bpmn-js measures the text again on import, which depends on the fonts at hand,
 * so labels are placed by their top-left corner and this nominal height, never the measured one.
 */
export function nominalLabelHeight(text: string | null | undefined): number {
  return 14 * Math.ceil(Math.max(1, (text ?? '').length) / 7)
}

const cx = (b: Box) => b.x + b.width / 2
const cy = (b: Box) => b.y + b.height / 2

/**
 * A tidy drawing for processes written to the conventions: the forward path in one row
 * (parallel branches stacked), 退回上一步 as arcs above it, 驳回 to the rejected end below,
 * 退回申请人 along a line to the correction step underneath, and the resume flows back up.
 * Only positions change; the model is untouched.
 */
export function planLayout(modeler: ModelerLike): LayoutPlan | string {
  const registry = modeler.get('elementRegistry')
  const all = (registry.getAll() as El[]).filter((e) => !e.labelTarget)
  if (all.some((e) => isType(e, 'bpmn:Participant') || isType(e, 'bpmn:Lane'))) return '含泳道的流程不支持自动整理布局'
  const nodes = all.filter((e) => isType(e, 'bpmn:FlowNode') && !e.waypoints)
  const flows = all.filter((e) => isType(e, 'bpmn:SequenceFlow'))
  const start = nodes.find((e) => isType(e, 'bpmn:StartEvent'))
  if (!start) return '流程没有开始事件，无法整理布局'

  // Layers along forward flows (longest path, ignoring cycles).
  const layer = new Map<El, number>()
  const order: El[] = []
  const onStack = new Set<El>()
  const visit = (n: El, depth: number) => {
    if (onStack.has(n)) return
    if ((layer.get(n) ?? -1) >= depth) return
    if (!layer.has(n)) order.push(n)
    layer.set(n, depth)
    onStack.add(n)
    for (const f of outgoing(n)) if (flowRank(f) === 0 && f.target) visit(f.target, depth + 1)
    onStack.delete(n)
  }
  visit(start, 0)

  const layers: El[][] = []
  for (const n of order) (layers[layer.get(n) as number] ??= []).push(n)
  const colX: number[] = []
  const colW: number[] = []
  let x = 60
  layers.forEach((ns, i) => {
    colW[i] = Math.max(...ns.map((n) => n.width))
    colX[i] = x
    x += colW[i] + COL_GAP
  })
  const rows = Math.max(...layers.map((l) => l.length))
  const boxes = new Map<El, Box>()
  layers.forEach((ns, i) =>
    ns.forEach((n, r) => {
      const c = { x: colX[i] + colW[i] / 2, y: MAIN_CY + r * ROW_GAP }
      boxes.set(n, { x: c.x - n.width / 2, y: c.y - n.height / 2, width: n.width, height: n.height })
    }),
  )
  const mainBottom = MAIN_CY + (rows - 1) * ROW_GAP + 40
  const mainTop = MAIN_CY - 40
  const rejectY = mainBottom + 90
  const busY = rejectY + 55
  const corrCY = busY + 80

  // Rejected ends under the last column; the correction step (and its gateway) under the first step.
  const main = new Set(layer.keys())
  const lastCol = layers.length - 1
  const rejectedEnds = nodes.filter((n) => !main.has(n) && isType(n, 'bpmn:EndEvent'))
  rejectedEnds.forEach((n, i) => {
    const c = { x: colX[lastCol] + colW[lastCol] / 2 + i * (n.width + COL_GAP), y: rejectY }
    boxes.set(n, { x: c.x - n.width / 2, y: c.y - n.height / 2, width: n.width, height: n.height })
  })
  const corrections = nodes.filter(
    (n) => !main.has(n) && isType(n, 'bpmn:UserTask') && (n.incoming ?? []).some((f: El) => actionOfCondition(readCondition(f)) === 'return_applicant'),
  )
  const firstStep = order.find((n) => isType(n, 'bpmn:UserTask'))
  let corrX = firstStep ? (boxes.get(firstStep) as Box).x : 60
  const correctionGateways = new Set<El>()
  for (const c of corrections) {
    boxes.set(c, { x: corrX, y: corrCY - c.height / 2, width: c.width, height: c.height })
    corrX += c.width + COL_GAP
    const g = gatewayAfter(c)
    if (g && !main.has(g)) {
      boxes.set(g, { x: corrX, y: corrCY - g.height / 2, width: g.width, height: g.height })
      correctionGateways.add(g)
      corrX += g.width + COL_GAP
    }
  }

  const plan: LayoutPlan = { moves: new Map(), waypoints: new Map(), labels: new Map(), relayout: [] }
  for (const [n, b] of boxes) if (b.x !== n.x || b.y !== n.y) plan.moves.set(n, { x: b.x, y: b.y })

  const box = (n: El): Box => boxes.get(n) ?? { x: n.x, y: n.y, width: n.width, height: n.height }
  const labelSize = (f: El) => ({ w: f.label?.width ?? 40, h: nominalLabelHeight(bo(f)?.name) })
  const backward = flows
    .filter((f) => main.has(f.source) && main.has(f.target) && (layer.get(f.target) as number) <= (layer.get(f.source) as number))
    .sort((a, b) => cx(box(a.source)) - cx(box(a.target)) - (cx(box(b.source)) - cx(box(b.target))))
  const arcLevel = new Map<El, number>(backward.map((f, i) => [f, i]))

  for (const f of flows) {
    const S = box(f.source)
    const T = box(f.target)
    const { w, h } = labelSize(f)
    let pts: Point[] | null = null
    let label: Point | null = null
    if (main.has(f.source) && main.has(f.target) && !arcLevel.has(f)) {
      if (Math.abs(cy(S) - cy(T)) < 1) {
        pts = [{ x: S.x + S.width, y: cy(S) }, { x: T.x, y: cy(T) }]
        label = { x: (S.x + S.width + T.x) / 2, y: cy(S) - h / 2 - 4 }
      } else {
        const down = cy(T) > cy(S)
        pts = [{ x: cx(S), y: down ? S.y + S.height : S.y }, { x: cx(S), y: cy(T) }, { x: T.x, y: cy(T) }]
        label = { x: cx(S) + w / 2 + 6, y: cy(T) - h / 2 - 4 }
      }
    } else if (arcLevel.has(f)) {
      const y = mainTop - ARC_GAP - ARC_STEP * (arcLevel.get(f) as number)
      pts = [{ x: cx(S), y: S.y }, { x: cx(S), y }, { x: cx(T), y }, { x: cx(T), y: T.y }]
      label = { x: (cx(S) + cx(T)) / 2, y: y - h / 2 - 2 }
    } else if (rejectedEnds.includes(f.target)) {
      if (Math.abs(cx(S) - cx(T)) < T.width / 2) {
        pts = [{ x: cx(S), y: S.y + S.height }, { x: cx(S), y: T.y }]
      } else {
        pts = [{ x: cx(S), y: S.y + S.height }, { x: cx(S), y: cy(T) }, { x: T.x, y: cy(T) }]
      }
      label = { x: cx(S) + w / 2 + 6, y: S.y + S.height + 22 }
    } else if (corrections.includes(f.target)) {
      pts = [{ x: cx(S), y: S.y + S.height }, { x: cx(S), y: busY }, { x: cx(T), y: busY }, { x: cx(T), y: T.y }]
      label = { x: cx(S) + w / 2 + 6, y: (rejectY + busY) / 2 + 4 }
    } else if (correctionGateways.has(f.source) && main.has(f.target)) {
      if (Math.abs(cx(S) - cx(T)) < 2) {
        pts = [{ x: cx(S), y: S.y }, { x: cx(T), y: T.y + T.height }]
        label = { x: cx(T) + w / 2 + 6, y: (S.y + T.y + T.height) / 2 }
      } else {
        const side = cx(T) > cx(S) ? S.x + S.width : S.x
        pts = [{ x: side, y: cy(S) }, { x: cx(T), y: cy(S) }, { x: cx(T), y: T.y + T.height }]
        label = { x: cx(T) + w / 2 + 6, y: cy(S) - h / 2 - 4 }
      }
    } else if (corrections.includes(f.source) && correctionGateways.has(f.target)) {
      pts = [{ x: S.x + S.width, y: cy(S) }, { x: T.x, y: cy(T) }]
    }
    if (pts) plan.waypoints.set(f, pts)
    else plan.relayout.push(f)
    if (label && f.label) plan.labels.set(f.label, label)
  }

  // Gateway names below-left, clear of the lines leaving their top and bottom.
  for (const n of nodes) {
    if (!n.label || !isType(n, 'bpmn:Gateway')) continue
    const b = box(n)
    const w = n.label.width ?? 60
    const h = nominalLabelHeight(bo(n)?.name)
    plan.labels.set(n.label, correctionGateways.has(n) ? { x: cx(b), y: b.y + b.height + h / 2 + 6 } : { x: cx(b) - w / 2 - 6, y: b.y + b.height + h / 2 + 16 })
  }
  // Centres worked out above; labels are placed by their top-left corner (see nominalLabelHeight).
  for (const [label, c] of plan.labels) {
    plan.labels.set(label, { x: c.x - (label.width ?? 40) / 2, y: c.y - nominalLabelHeight(bo(label)?.name) / 2 })
  }
  return plan
}

function applyLayout(modeling: any, plan: LayoutPlan) {
  for (const [shape, to] of plan.moves) {
    modeling.moveElements([shape], { x: to.x - shape.x, y: to.y - shape.y }, null, { layout: false })
  }
  for (const [conn, pts] of plan.waypoints) modeling.updateWaypoints(conn, pts, { labelBehavior: false })
  for (const conn of plan.relayout) modeling.layoutConnection(conn)
  for (const [label, p] of plan.labels) {
    const dx = Math.round(p.x - label.x)
    const dy = Math.round(p.y - label.y)
    if (dx || dy) modeling.moveShape(label, { x: dx, y: dy })
  }
}

class LayoutHandler {
  static $inject = ['modeling']
  constructor(private modeling: any) {}

  preExecute(context: { plan: LayoutPlan }) {
    applyLayout(this.modeling, context.plan)
  }

  execute() {
    return []
  }

  revert() {
    return []
  }
}

const near = (a: number, b: number) => Math.abs(a - b) < 0.5

/** Whether a plan would leave the drawing as it is (a diagram already laid out, e.g. a shipped default). */
export function planIsNoop(plan: LayoutPlan): boolean {
  if (plan.moves.size || plan.relayout.length) return false
  for (const [conn, pts] of plan.waypoints) {
    const cur = (conn.waypoints ?? []) as Point[]
    if (cur.length !== pts.length || cur.some((p, i) => !near(p.x, pts[i].x) || !near(p.y, pts[i].y))) return false
  }
  for (const [label, p] of plan.labels) {
    if (Math.round(p.x - label.x) || Math.round(p.y - label.y)) return false
  }
  return true
}

export const ALREADY_TIDY = '布局已是整理后的样子，无需调整'

/**
 * Tidy the drawing (one undo step); returns a Chinese reason when it cannot, or ALREADY_TIDY when
 * nothing would move: then no command runs, so tidying is no unpublished change.
 */
export function tidyLayout(modeler: ModelerLike): string | null {
  const plan = planLayout(modeler)
  if (typeof plan === 'string') return plan
  if (planIsNoop(plan)) return ALREADY_TIDY
  modeler.get('commandStack').execute('arh.layout', { plan })
  return null
}

export function xmlFileName(key: string, version?: number | string | null): string {
  return version ? `${key}_v${version}.bpmn` : `${key}.bpmn`
}

// PublishDialog: the note is required, `send` gets it trimmed, the server's refusal stays in the dialog.
import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus, { ElFormItem } from 'element-plus'
import { ApiError } from '@/lib/errors'
import PublishDialog from './PublishDialog.vue'

const tests = { dialog: 'deploy-dialog', note: 'deploy-note', confirm: 'deploy-confirm' }

function mountDialog(send: (note: string) => Promise<unknown>) {
  return mount(PublishDialog, {
    props: {
      modelValue: false,
      title: '发布流程',
      noteLabel: '发布说明',
      placeholder: '如：市住建审批前增加复核环节',
      confirmText: '确认发布',
      tests,
      noNote: '请填写发布说明',
      failed: '发布失败',
      send,
    },
    slots: { tip: '发布后生成第 3 版' },
    global: { plugins: [ElementPlus] },
    attachTo: document.body,
  })
}
/** What the note's form item shows under it. */
const noteError = (w: ReturnType<typeof mountDialog>) => w.findComponent(ElFormItem).props('error')
const $ = (sel: string) => document.body.querySelector(sel) as HTMLElement | null
async function type(text: string) {
  const area = $(`textarea[data-test="${tests.note}"]`) as HTMLTextAreaElement
  area.value = text
  area.dispatchEvent(new Event('input'))
  await flushPromises()
}
async function confirm() {
  $(`[data-test="${tests.confirm}"]`)!.click()
  await flushPromises()
}

describe('PublishDialog', () => {
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('refuses a blank note without sending', async () => {
    const sent: string[] = []
    const w = mountDialog(async (n) => sent.push(n))
    await w.setProps({ modelValue: true })
    await flushPromises()
    expect($(`[data-test="${tests.dialog}"]`)!.textContent).toContain('发布后生成第 3 版')
    await type('   ')
    await confirm()
    expect(sent).toEqual([])
    expect(noteError(w)).toBe('请填写发布说明')
    w.unmount()
  })

  it('sends the trimmed note, closes, and hands on the answer', async () => {
    const sent: string[] = []
    const w = mountDialog(async (n) => {
      sent.push(n)
      return { version: 3 }
    })
    await w.setProps({ modelValue: true })
    await flushPromises()
    await type('  增加复核环节 ')
    await confirm()
    expect(sent).toEqual(['增加复核环节'])
    expect(w.emitted('update:modelValue')).toEqual([[false]])
    expect(w.emitted('done')).toEqual([[{ version: 3 }]])
    w.unmount()
  })

  it("keeps the dialog open with the server's message, or a fallback, and passes the error on", async () => {
    let fail: unknown = new ApiError(422, 'INVALID', '流程没有结束事件', { xml: '缺少结束事件' })
    const w = mountDialog(async () => {
      throw fail
    })
    await w.setProps({ modelValue: true })
    await flushPromises()
    await type('增加复核环节')
    await confirm()
    expect(w.emitted('update:modelValue')).toBeUndefined()
    expect(w.emitted('error')?.[0]?.[0]).toBe(fail)
    expect(noteError(w)).toBe('流程没有结束事件')
    fail = new Error('network')
    await confirm()
    expect(noteError(w)).toBe('发布失败')
    w.unmount()
  })

  it('starts empty each time it opens', async () => {
    const w = mountDialog(async () => {
      throw new Error('x')
    })
    await w.setProps({ modelValue: true })
    await flushPromises()
    await type('上一次的说明')
    await confirm()
    expect(noteError(w)).toBe('发布失败')
    await w.setProps({ modelValue: false })
    await w.setProps({ modelValue: true })
    await flushPromises()
    expect(($(`textarea[data-test="${tests.note}"]`) as HTMLTextAreaElement).value).toBe('')
    expect(noteError(w)).toBe('')
    w.unmount()
  })
})

// VersionsDrawer against a stand-in network: what opens → what the API is asked and shown.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { at } from '@/api/client'
import { stubApi } from '@/api/stub'
import VersionsDrawer from './VersionsDrawer.vue'

const urls: string[] = []
let items: Record<string, unknown>[] = []

function mountDrawer() {
  return mount(VersionsDrawer, {
    props: {
      modelValue: false,
      title: '版本记录',
      url: at('/processes/{key}/versions', { key: 'project_exit' }),
      test: 'versions-drawer',
      verb: '发布',
      byField: 'deployed_by_name',
      atField: 'deployed_at',
    },
    slots: {
      columns: '<el-table-column prop="note" label="发布说明" />',
      actions: '<el-table-column label="操作"><template #default="{ row }"><button data-test="version-view">查看{{ row.version }}</button></template></el-table-column>',
    },
    global: { plugins: [ElementPlus] },
    attachTo: document.body,
  })
}
const drawer = () => document.body.querySelector('[data-test="versions-drawer"]') as HTMLElement

describe('VersionsDrawer', () => {
  beforeEach(() => {
    urls.length = 0
    items = [
      { version: 2, active: true, note: '增加复核环节', deployed_by_name: '王建华', deployed_at: '2026-11-26T09:30:00+08:00' },
      { version: 1, active: false, note: null, deployed_by_name: null, deployed_at: null },
    ]
    stubApi((c) => {
      urls.push(c.path)
      return { items }
    })
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('asks nothing until opened, then lists every version with its columns in order', async () => {
    const w = mountDrawer()
    await flushPromises()
    expect(urls).toEqual([])
    await w.setProps({ modelValue: true })
    await flushPromises()
    expect(urls).toEqual(['/processes/project_exit/versions'])
    const heads = [...drawer().querySelectorAll('.el-table__header th')].map((th) => th.textContent?.trim())
    expect(heads).toEqual(['版本', '状态', '发布说明', '发布人', '发布时间', '操作'])
    const text = drawer().textContent ?? ''
    expect(text).toContain('第 2 版')
    expect(text).toContain('当前')
    expect(text).toContain('历史')
    expect(text).toContain('增加复核环节')
    expect(text).toContain('王建华')
    expect(text).toContain('系统')
    expect(drawer().querySelector('[data-version="1"]')).not.toBeNull()
    expect(drawer().querySelector('[data-test="version-view"]')?.textContent).toBe('查看2')
    w.unmount()
  })

  it('reloads only while open, and again each time it opens', async () => {
    const w = mountDrawer()
    await flushPromises()
    ;(w.vm as unknown as { reload: () => void }).reload()
    await flushPromises()
    expect(urls).toHaveLength(0)
    await w.setProps({ modelValue: true })
    await flushPromises()
    items = [{ version: 3, active: true, note: '新版本', deployed_by_name: '王建华', deployed_at: null }, ...items]
    ;(w.vm as unknown as { reload: () => void }).reload()
    await flushPromises()
    expect(urls).toHaveLength(2)
    expect(drawer().textContent).toContain('第 3 版')
    await w.setProps({ modelValue: false })
    await w.setProps({ modelValue: true })
    await flushPromises()
    expect(urls).toHaveLength(3)
    w.unmount()
  })
})

// ListPage against a stand-in network: what the user does → what the API is asked.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus, { ElPagination, ElTable } from 'element-plus'
import { stubApi, type StubCall } from '@/api/stub'
import ListPage from './ListPage.vue'
import type { FilterDef } from '@/lib/query'

const calls: Record<string, string>[] = []

const adapter = (call: StubCall) => {
  const params = call.query
  calls.push(params)
  return {
    items: [
      { id: 1, name: '江门市某建设有限公司', kind: 'BUILDER' },
      { id: 2, name: '江门市某运营有限公司', kind: 'OPERATOR' },
    ],
    total: 42,
    page: Number(params.page),
    page_size: Number(params.page_size),
  }
}

const filters: FilterDef[] = [
  { field: 'name', label: '单位名称', type: 'text', op: 'contains' },
  { field: 'kind', label: '单位类型', type: 'select', options: [{ value: 'GOV', label: '住建部门' }] },
]

function mountList() {
  return mount(ListPage, {
    props: {
      title: '单位管理',
      endpoint: '/identity/orgs' as const,
      columns: [
        { prop: 'name', label: '单位名称', sortable: true },
        { prop: 'kind', label: '单位类型', formatter: (r: Record<string, any>) => (r.kind === 'BUILDER' ? '建设单位' : '运营单位') },
      ],
      filters,
      keyword: '关键字',
      defaultSort: '-created_at',
    },
    global: { plugins: [ElementPlus] },
    attachTo: document.body,
  })
}

describe('ListPage', () => {
  beforeEach(() => {
    calls.length = 0
    stubApi(adapter)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('loads the first page with the default sort and shows rows and total', async () => {
    const w = mountList()
    await flushPromises()
    expect(calls).toEqual([{ page: '1', page_size: '20', sort: '-created_at' }])
    expect(w.text()).toContain('江门市某建设有限公司')
    expect(w.text()).toContain('建设单位')
    expect(w.text()).toContain('共 42 条')
    w.unmount()
  })

  it('single-condition search by keyword sends q and starts at page 1', async () => {
    const w = mountList()
    await flushPromises()
    w.findComponent(ElPagination).vm.$emit('current-change', 3)
    await flushPromises()
    expect(calls.at(-1)).toMatchObject({ page: '3' })
    await w.find('[data-test="single-value"] input').setValue('建设')
    await w.find('[data-test="search"]').trigger('click')
    await flushPromises()
    expect(calls.at(-1)).toEqual({ page: '1', page_size: '20', sort: '-created_at', q: '建设' })
    w.unmount()
  })

  it('combined-condition search sends every filled field, reset clears them', async () => {
    const w = mountList()
    await flushPromises()
    await w.find('[data-test="toggle-mode"]').trigger('click')
    await w.find('[data-filter="name"] input').setValue('运营')
    await w.find('[data-test="search"]').trigger('click')
    await flushPromises()
    expect(calls.at(-1)).toEqual({ page: '1', page_size: '20', sort: '-created_at', name__contains: '运营' })
    await w.find('[data-test="reset"]').trigger('click')
    await flushPromises()
    expect(calls.at(-1)).toEqual({ page: '1', page_size: '20', sort: '-created_at' })
    w.unmount()
  })

  it('table sorting and page size go to the API', async () => {
    const w = mountList()
    await flushPromises()
    w.findComponent(ElTable).vm.$emit('sort-change', { prop: 'name', order: 'ascending', column: null })
    await flushPromises()
    expect(calls.at(-1)).toEqual({ page: '1', page_size: '20', sort: 'name' })
    w.findComponent(ElPagination).vm.$emit('size-change', 50)
    await flushPromises()
    expect(calls.at(-1)).toEqual({ page: '1', page_size: '50', sort: 'name' })
    w.unmount()
  })
})

describe('ListPage, client-side', () => {
  // An endpoint that returns every row at once (one per case type), no paging.
  const all = Array.from({ length: 25 }, (_, i) => ({ key: `type_${String(i + 1).padStart(2, '0')}`, name: i % 5 === 0 ? `专项业务${i + 1}` : `业务${i + 1}`, running: i }))
  const wholeList = (call: StubCall) => {
    calls.push(call.query)
    return { items: all }
  }
  const shownKeys = (w: ReturnType<typeof mount>) => w.findAll('.el-table__body tr [data-key]').map((e) => e.attributes('data-key'))

  function mountLocal() {
    return mount(ListPage, {
      props: {
        title: '业务流程',
        endpoint: '/processes' as const,
        columns: [
          { prop: 'key', label: '流程标识' },
          { prop: 'name', label: '业务类型' },
        ],
        keyword: '业务类型名称或流程标识',
        searchFields: ['key', 'name'],
        clientSide: true,
        rowKey: 'key',
        exportable: false,
      },
      slots: {
        'cell-key': '<template #cell-key="{ row }"><span :data-key="row.key">{{ row.key }}</span></template>',
        count: '<template #count="{ rows }">，在办 {{ rows.reduce((n, r) => n + r.running, 0) }} 件</template>',
      },
      global: { plugins: [ElementPlus] },
      attachTo: document.body,
    })
  }

  beforeEach(() => {
    calls.length = 0
    stubApi(wholeList)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('asks once without paging parameters and shows the first page of all rows', async () => {
    const w = mountLocal()
    await flushPromises()
    expect(calls).toEqual([{}])
    expect(w.text()).toContain('共 25 条，在办 300 件')
    expect(shownKeys(w)).toHaveLength(20)
    expect(shownKeys(w)[0]).toBe('type_01')
    expect(w.find('[data-test="export"]').exists()).toBe(false)
    w.unmount()
  })

  it('pages and searches in the browser; reset asks the API again', async () => {
    const w = mountLocal()
    await flushPromises()
    w.findComponent(ElPagination).vm.$emit('current-change', 2)
    await flushPromises()
    expect(shownKeys(w)).toEqual(['type_21', 'type_22', 'type_23', 'type_24', 'type_25'])

    await w.find('[data-test="single-value"] input').setValue('专项')
    await w.find('[data-test="search"]').trigger('click')
    await flushPromises()
    expect(shownKeys(w)).toEqual(['type_01', 'type_06', 'type_11', 'type_16', 'type_21'])
    // The count slot still sees every row, the total only the matching ones.
    expect(w.text()).toContain('共 5 条，在办 300 件')
    expect(calls).toHaveLength(1)

    await w.find('[data-test="reset"]').trigger('click')
    await flushPromises()
    expect(calls).toHaveLength(2)
    expect(shownKeys(w)).toHaveLength(20)
    expect(w.text()).toContain('共 25 条')
    w.unmount()
  })
})

import { onMounted, ref } from 'vue'
import { get, type Page } from './api'
import type { FilterOption } from './query'

/**
 * Orgs the user may see, as select options. Users without the org list
 * permission simply get no options (the filter is then hidden).
 */
export function useOrgOptions() {
  const orgOptions = ref<FilterOption[]>([])
  onMounted(async () => {
    try {
      const res = await get<Page<{ id: number | string; name: string }>>(
        '/api/v1/identity/orgs',
        { page_size: '100', sort: 'name' },
        { quiet: true },
      )
      orgOptions.value = (res.items ?? []).map((o) => ({ value: String(o.id), label: o.name }))
    } catch {
      orgOptions.value = []
    }
  })
  return { orgOptions }
}

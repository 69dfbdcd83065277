import { computed, onMounted, ref } from 'vue'
import { get, type Page } from './api'
import type { FilterOption } from './query'

interface OrgLite {
  id: number | string
  name: string
  kind: string
}

/**
 * Orgs the user may see (their data scope), as select options. Users without
 * the org list permission simply get none, and the org filter is hidden.
 */
export function useOrgOptions() {
  const orgs = ref<OrgLite[]>([])
  onMounted(async () => {
    try {
      const res = await get<Page<OrgLite>>('/api/v1/identity/orgs', { page_size: '200', sort: 'id' }, { quiet: true })
      orgs.value = res.items ?? []
    } catch {
      orgs.value = []
    }
  })
  const orgOptions = computed<FilterOption[]>(() => orgs.value.map((o) => ({ value: String(o.id), label: o.name })))
  /** Orgs of one kind: roles and staff can only be kept for orgs of the user's own kind. */
  const orgsOfKind = (kind: string | undefined) => orgs.value.filter((o) => o.kind === kind)
  return { orgs, orgOptions, orgsOfKind }
}

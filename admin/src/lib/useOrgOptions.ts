import { computed, onMounted, ref } from 'vue'
import { type Page, get } from '@/api/client'
import type { FilterOption } from './query'
import { useSession } from '@/stores/session'

interface OrgLite {
  id: number | string
  name: string
  kind: string
}

/** Who may list orgs (GET /api/v1/identity/orgs): gov staff. */
export const ORG_LIST_PERMISSION = 'identity.org.read'

/**
 * Orgs the user may see (their data scope), as select options. A user without the org list
 * permission (builders, operators) is not sent to ask for it, which would only answer 403: they
 * see their own org, the one org they may name.
 */
export function useOrgOptions() {
  const session = useSession()
  const orgs = ref<OrgLite[]>([])
  onMounted(async () => {
    if (!session.hasPerm(ORG_LIST_PERMISSION)) {
      const own = session.me?.org
      orgs.value = own ? [{ id: own.id, name: own.name, kind: own.kind }] : []
      return
    }
    try {
      const res = await get<Page<OrgLite>>('/identity/orgs', { page_size: '200', sort: 'id' }, { quiet: true })
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

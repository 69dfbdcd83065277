import { ref } from 'vue'
import { get } from '@/api/client'
import { LAYOUTS } from '@/lib/housing/unit-list'

// The configured layouts (户型) are the server's: intake, import, REA-01 and unit changes refuse any
// other. Asked once per page load; the built-in copy stands in until the answer (or without it).
const layouts = ref<string[]>([...LAYOUTS])
let asked = false

export function useLayouts() {
  if (!asked) {
    asked = true
    get<{ layouts: string[] }>('/housing/unit-options', undefined, { quiet: true })
      .then((r) => {
        if (Array.isArray(r.layouts) && r.layouts.length) layouts.value = r.layouts
      })
      .catch(() => {
        asked = false
      })
  }
  return layouts
}

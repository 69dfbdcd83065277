// Form submit helper: shows the backend's per-field errors next to the fields.
import { reactive, ref } from 'vue'
import { ApiError } from './errors'

export function useFieldErrors() {
  const errors = reactive<Record<string, string>>({})
  const saving = ref(false)

  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
  }

  /** Run a request; on a validation error, spread its fields onto the form. Returns whether it succeeded. */
  async function submit(fn: () => Promise<unknown>): Promise<boolean> {
    clear()
    saving.value = true
    try {
      await fn()
      return true
    } catch (e) {
      if (e instanceof ApiError) Object.assign(errors, e.fields)
      return false
    } finally {
      saving.value = false
    }
  }

  return { errors, saving, clear, submit }
}

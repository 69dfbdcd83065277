// Form submit helper: shows the backend's per-field errors next to the fields.
import { reactive, ref } from 'vue'
import { ApiError } from './errors'

export function useFieldErrors() {
  const errors = reactive<Record<string, string>>({})
  const saving = ref(false)

  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
  }

  /** Show the problems a form check found (field -> message); true when there are none. */
  function check(found: Record<string, string>): boolean {
    clear()
    Object.assign(errors, found)
    return Object.keys(found).length === 0
  }

  /**
   * Run a request; on a validation error, spread its fields onto the form. Returns whether it succeeded.
   * `formMessage` also keeps the whole message as `errors.form`, for forms that show it inline
   * (requests sent `quiet`, without the global toast).
   */
  async function submit(fn: () => Promise<unknown>, opts: { formMessage?: boolean } = {}): Promise<boolean> {
    clear()
    saving.value = true
    try {
      await fn()
      return true
    } catch (e) {
      if (e instanceof ApiError) {
        Object.assign(errors, e.fields)
        if (opts.formMessage) errors.form = e.message
      }
      return false
    } finally {
      saving.value = false
    }
  }

  return { errors, saving, clear, check, submit }
}

import { describe, expect, it } from 'vitest'
import { ApiError } from './errors'
import { useFieldErrors } from './useForm'

describe('useFieldErrors', () => {
  it('check shows what a form check found and says whether it may be sent', () => {
    const f = useFieldErrors()
    expect(f.check({ name: '请填写名称' })).toBe(false)
    expect(f.errors).toEqual({ name: '请填写名称' })
    expect(f.check({})).toBe(true)
    expect(f.errors).toEqual({})
  })

  it('submit spreads the server fields onto the form, and the message when asked', async () => {
    const f = useFieldErrors()
    const refuse = () => Promise.reject(new ApiError(422, 'VALIDATION', '楼层不能为0', { floor: '不能为0' }))
    expect(await f.submit(refuse)).toBe(false)
    expect(f.errors).toEqual({ floor: '不能为0' })
    expect(await f.submit(refuse, { formMessage: true })).toBe(false)
    expect(f.errors).toEqual({ floor: '不能为0', form: '楼层不能为0' })
    expect(f.saving.value).toBe(false)
    expect(await f.submit(() => Promise.resolve())).toBe(true)
    expect(f.errors).toEqual({})
  })
})

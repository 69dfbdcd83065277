import { describe, expect, it } from 'vitest'
import { ApiError, toApiError } from './errors'

describe('toApiError', () => {
  it('reads the backend error envelope', () => {
    const e = toApiError(422, { error: { code: 'VALIDATION', message: '输入有误', fields: { phone: '手机号格式不正确', name: ['必填', '过长'] } } })
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(422)
    expect(e.code).toBe('VALIDATION')
    expect(e.message).toBe('输入有误')
    expect(e.fields).toEqual({ phone: '手机号格式不正确', name: '必填；过长' })
  })

  it('falls back to a Chinese message by status', () => {
    expect(toApiError(403, null).message).toBe('无权执行此操作')
    expect(toApiError(502, '<html>').message).toBe('服务器繁忙，请稍后再试')
    expect(toApiError(0, undefined).message).toBe('无法连接服务器，请检查网络')
    expect(toApiError(401, { error: { code: 'AUTH', message: '' } }).message).toBe('登录已失效，请重新登录')
  })
})

// The HTTP client against stand-in transports: token header, error shape, 401 handling, export download.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AxiosAdapter } from 'axios'
import { AxiosError } from 'axios'
import { download, get, http, setUnauthorizedHandler } from './api'
import { ApiError } from './errors'
import { TOKEN_KEY } from './auth-token'

const originalAdapter = http.defaults.adapter

function failing(status: number, data: unknown): AxiosAdapter {
  return async (config) => {
    throw new AxiosError('fail', 'ERR', config, null, { data, status, statusText: '', headers: {}, config })
  }
}

describe('http client', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => {
    http.defaults.adapter = originalAdapter
    setUnauthorizedHandler(() => {})
    vi.unstubAllGlobals()
  })

  it('sends the stored token as a bearer header', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok-1')
    let auth: unknown
    http.defaults.adapter = async (config) => {
      auth = config.headers.get('Authorization')
      return { data: { ok: true }, status: 200, statusText: 'OK', headers: {}, config }
    }
    await get('/api/v1/auth/me')
    expect(auth).toBe('Bearer tok-1')
  })

  it('turns an error body into an ApiError with its fields', async () => {
    http.defaults.adapter = failing(422, { error: { code: 'INVALID_INPUT', message: '输入信息有误：phone 格式有误', fields: { phone: '格式有误' } } })
    const err = (await get('/api/v1/identity/staff', {}, { quiet: true }).catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.fields).toEqual({ phone: '格式有误' })
  })

  it('on 401 clears the token and calls the session-expired handler', async () => {
    localStorage.setItem(TOKEN_KEY, 'expired')
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    http.defaults.adapter = failing(401, { error: { code: 'UNAUTHORIZED', message: '登录已失效，请重新登录', fields: {} } })
    await expect(get('/api/v1/identity/orgs', {}, { quiet: true })).rejects.toBeInstanceOf(ApiError)
    expect(handler).toHaveBeenCalledOnce()
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull()
  })

  it('a failed login is not a session expiry', async () => {
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    http.defaults.adapter = failing(401, { error: { code: 'BAD_CREDENTIALS', message: '用户名或密码错误', fields: {} } })
    const err = (await http.post('/api/v1/auth/login', {}, { quiet: true }).catch((e) => e)) as ApiError
    expect(err.message).toBe('用户名或密码错误')
    expect(handler).not.toHaveBeenCalled()
  })

  it('export fetches the query with the bearer token and saves it under the title', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok-2')
    const fetchMock = vi.fn(async () => new Response(new Blob(['xlsx']), { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    const created: string[] = []
    URL.createObjectURL = vi.fn(() => 'blob:x')
    URL.revokeObjectURL = vi.fn()
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      created.push(this.download)
    })
    await download('/api/v1/identity/orgs', { kind: 'BUILDER', format: 'xlsx' }, '单位管理.xlsx')
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/identity/orgs?kind=BUILDER&format=xlsx', { headers: { Authorization: 'Bearer tok-2' } })
    expect(created).toEqual(['单位管理.xlsx'])
    click.mockRestore()
  })

  it('export reports the backend error instead of saving it', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: { code: 'FORBIDDEN', message: '无权执行此操作', fields: {} } }), { status: 403 })))
    const err = (await download('/api/v1/audit/logs', { format: 'xlsx' }, '审计日志.xlsx').catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(403)
  })
})

// The one client against a stand-in network: paths under the base, path parameters, token
// header, error shape, 401 handling, export download, server-given URLs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { apiUrl, at, del, download, fetchServerUrl, get, post, setUnauthorizedHandler } from './client'
import { jsonResponse, stubApi } from './stub'
import { ApiError } from '@/lib/errors'
import { TOKEN_KEY } from '@/lib/auth-token'

const failing = (status: number, body: unknown) => () => jsonResponse(body, status)

describe('api client', () => {
  beforeEach(() => localStorage.clear())
  afterEach(() => {
    setUnauthorizedHandler(() => {})
    vi.unstubAllGlobals()
  })

  it('calls the path under /api/v1 with the query and the stored token as a bearer header', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok-1')
    const calls = stubApi(() => ({ items: [], total: 0 }))
    await get('/identity/orgs', { kind: 'BUILDER', q: null, page: 2 })
    expect(calls.map((c) => [c.method, c.url])).toEqual([['GET', '/api/v1/identity/orgs?kind=BUILDER&page=2']])
    expect(calls[0].headers.get('Authorization')).toBe('Bearer tok-1')
  })

  it('fills path parameters and sends the body as JSON', async () => {
    const calls = stubApi(({ body }) => ({ echoed: body }))
    const res = await post<{ echoed: unknown }>(at('/cases/{case_id}/comments', { case_id: 7 }), { opinion: '同意' })
    expect(calls[0].method).toBe('POST')
    expect(calls[0].url).toBe('/api/v1/cases/7/comments')
    expect(res).toEqual({ echoed: { opinion: '同意' } })
    await del(at('/housing/entrances/{entrance_id}', { entrance_id: 'a/b' }))
    expect(calls[1].url).toBe('/api/v1/housing/entrances/a%2Fb')
  })

  it('turns an error body into an ApiError with its fields', async () => {
    stubApi(failing(422, { error: { code: 'INVALID_INPUT', message: '输入信息有误：phone 格式有误', fields: { phone: '格式有误' } } }))
    const err = (await get('/identity/staff', {}, { quiet: true }).catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.code).toBe('INVALID_INPUT')
    expect(err.fields).toEqual({ phone: '格式有误' })
  })

  it('an unreachable server is status 0 with a Chinese message', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('network down')
    })
    const err = (await get('/auth/me', undefined, { quiet: true }).catch((e) => e)) as ApiError
    expect(err.status).toBe(0)
    expect(err.message).toBe('无法连接服务器，请检查网络')
  })

  it('on 401 clears the token and calls the session-expired handler', async () => {
    localStorage.setItem(TOKEN_KEY, 'expired')
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    stubApi(failing(401, { error: { code: 'UNAUTHORIZED', message: '登录已失效，请重新登录', fields: {} } }))
    await expect(get('/identity/orgs', {}, { quiet: true })).rejects.toBeInstanceOf(ApiError)
    expect(handler).toHaveBeenCalledOnce()
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull()
  })

  it('a failed login is not a session expiry', async () => {
    localStorage.setItem(TOKEN_KEY, 'kept')
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    stubApi(failing(401, { error: { code: 'BAD_CREDENTIALS', message: '用户名或密码错误', fields: {} } }))
    const err = (await post('/auth/login', {}, { quiet: true }).catch((e) => e)) as ApiError
    expect(err.message).toBe('用户名或密码错误')
    expect(handler).not.toHaveBeenCalled()
    expect(localStorage.getItem(TOKEN_KEY)).toBe('kept')
  })

  it('export fetches the query with the bearer token and saves it under the title', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok-2')
    const calls = stubApi(() => new Response(new Blob(['xlsx']), { status: 200 }))
    const created: string[] = []
    URL.createObjectURL = vi.fn(() => 'blob:x')
    URL.revokeObjectURL = vi.fn()
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      created.push(this.download)
    })
    await download('/identity/orgs', { kind: 'BUILDER', format: 'xlsx' }, '单位管理.xlsx')
    expect(calls[0].url).toBe('/api/v1/identity/orgs?kind=BUILDER&format=xlsx')
    expect(calls[0].headers.get('Authorization')).toBe('Bearer tok-2')
    expect(created).toEqual(['单位管理.xlsx'])
    click.mockRestore()
  })

  it('export reports the backend error instead of saving it', async () => {
    stubApi(failing(403, { error: { code: 'FORBIDDEN', message: '无权执行此操作', fields: {} } }))
    const err = (await download('/audit/logs', { format: 'xlsx' }, '审计日志.xlsx', { quiet: true }).catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(403)
  })

  it('fetches a URL the server handed out with the token', async () => {
    localStorage.setItem(TOKEN_KEY, 'tok-3')
    const calls = stubApi(() => new Response(new Blob(['%PDF']), { status: 200 }))
    const blob = await fetchServerUrl('/api/v1/documents/9/pdf')
    expect(await blob.text()).toBe('%PDF')
    expect(calls[0].headers.get('Authorization')).toBe('Bearer tok-3')
  })

  it('builds browser URLs from typed paths', () => {
    expect(apiUrl('/push/ws')).toBe('/api/v1/push/ws')
    expect(apiUrl(at('/identity/orgs/{org_id}', { org_id: 3 }), { tab: 'x' })).toBe('/api/v1/identity/orgs/3?tab=x')
  })
})

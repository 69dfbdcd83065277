// The one HTTP client of the admin, on the API's own types.
//
// `schema.d.ts` is generated from the app's OpenAPI document (`npm run gen:api`); every path
// below is a key of it, so a renamed or removed route fails `vue-tsc`, not a user. Requests go
// through openapi-fetch with: the bearer token on every call, one error shape (ApiError, from
// lib/errors), one reaction to an expired session, one toast per failure unless `quiet`.
//
//   get<Page<Org>>('/identity/orgs', { page_size: '20' })
//   post(at('/cases/{case_id}/comments', { case_id: id }), { opinion })
//   download('/audit/logs', { format: 'xlsx' }, '审计日志.xlsx')
import createClient from 'openapi-fetch'
import { ElMessage } from 'element-plus'
import type { paths } from './schema'
import { ApiError, toApiError } from '@/lib/errors'
import { clearToken, getToken } from '@/lib/auth-token'

/** Where the API lives; the generated paths are relative to it (the spec's server URL). */
export const API_BASE = '/api/v1'

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

export type ApiPath = keyof paths & string
/** The paths that answer `M`. */
export type PathWith<M extends Method> = {
  [P in ApiPath]: paths[P] extends { [K in M]: object } ? P : never
}[ApiPath]

/** `'/cases/{case_id}/materials/{material_id}'` -> `'case_id' | 'material_id'`. */
export type ParamNames<S extends string> = S extends `${string}{${infer N}}${infer R}` ? N | ParamNames<R> : never

export type PathValue = string | number

/** A path with its `{placeholders}` filled: what `at()` makes. */
export interface Route<P extends ApiPath = ApiPath> {
  readonly path: P
  readonly params: Readonly<Record<string, PathValue>>
}

/** A path without placeholders, or a filled one. */
export type Target<M extends Method> = PathWith<M> | Route<PathWith<M>>

/** Fill a path's placeholders: `at('/cases/{case_id}', { case_id: 7 })`. */
export function at<P extends ApiPath>(path: P, params: Record<ParamNames<P>, PathValue>): Route<P> {
  return { path, params: params as Record<string, PathValue> }
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface CallOptions {
  /** Do not pop up the error message (the caller shows it, or it is optional data). */
  quiet?: boolean
  /** Milliseconds before the call gives up (status 0); 30 s by default. */
  timeout?: number
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

const DEFAULT_TIMEOUT = 30000

let onUnauthorized: () => void = () => {}

/** main.ts wires this to "clear the session and go to /login". */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn
}

let lastMessage = ''
let lastMessageAt = 0

function notify(message: string) {
  // Several parallel calls failing the same way should not stack toasts.
  const now = Date.now()
  if (message === lastMessage && now - lastMessageAt < 1500) return
  lastMessage = message
  lastMessageAt = now
  ElMessage({ type: 'error', message, grouping: true })
}

const LOGIN_STEPS = new Set(['/auth/login', '/auth/login/verify', '/auth/login/resend'])

function failure(status: number, body: unknown, path: string, opts: CallOptions = {}): ApiError {
  const err = toApiError(status, body)
  // A wrong password or code on the login steps is an answer, not an expired session.
  if (status === 401 && !LOGIN_STEPS.has(path)) {
    clearToken()
    onUnauthorized()
  }
  if (!opts.quiet) notify(err.message)
  return err
}

function authHeaders(): Record<string, string> {
  const token = getToken()
  return token ? { Authorization: `Bearer ${token}` } : {}
}

/** Query values as the list endpoints read them: blanks dropped, booleans as true/false. */
export function toQueryString(query: Query = {}): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === null || v === undefined) continue
    q.append(k, typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v))
  }
  return q.toString()
}

/** openapi-fetch on the generated paths (looks `fetch` up per call, so tests can stand one in). */
export const client = createClient<paths>({
  baseUrl: API_BASE,
  fetch: (request: Request) => globalThis.fetch(request),
  querySerializer: (q) => toQueryString(q as Query),
})

client.use({
  onRequest({ request }) {
    const token = getToken()
    if (token) request.headers.set('Authorization', `Bearer ${token}`)
    return request
  },
})

function split(target: string | Route): { path: string; params: Record<string, PathValue> } {
  return typeof target === 'string' ? { path: target, params: {} } : { path: target.path, params: { ...target.params } }
}

/** The browser URL of a target, for the few places that need a string (a link, a websocket). */
export function apiUrl(target: ApiPath | Route, query?: Query): string {
  const { path, params } = split(target)
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`missing path parameter ${name} for ${path}`)
    return encodeURIComponent(String(params[name]))
  })
  const qs = toQueryString(query)
  return `${API_BASE}${filled}${qs ? `?${qs}` : ''}`
}

type ParseAs = 'json' | 'blob'

async function call<T>(
  method: Method,
  target: string | Route,
  init: { query?: Query; body?: unknown; parseAs?: ParseAs },
  opts: CallOptions = {},
): Promise<T> {
  const { path, params } = split(target)
  const fn = client[method.toUpperCase() as 'GET'] as unknown as (
    p: string,
    i: Record<string, unknown>,
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>
  let res: Awaited<ReturnType<typeof fn>>
  try {
    res = await fn(path, {
      params: { path: params, query: init.query },
      body: init.body,
      parseAs: init.parseAs ?? 'json',
      signal: AbortSignal.timeout(opts.timeout ?? DEFAULT_TIMEOUT),
    })
  } catch {
    throw failure(0, null, path, opts)
  }
  if (!res.response.ok) throw failure(res.response.status, res.error ?? null, path, opts)
  return res.data as T
}

export function get<T = unknown>(target: Target<'get'>, query?: Query, opts?: CallOptions): Promise<T> {
  return call<T>('get', target, { query }, opts)
}

export function post<T = unknown>(target: Target<'post'>, body?: unknown, opts?: CallOptions): Promise<T> {
  return call<T>('post', target, { body: body ?? {} }, opts)
}

export function put<T = unknown>(target: Target<'put'>, body?: unknown, opts?: CallOptions): Promise<T> {
  return call<T>('put', target, { body: body ?? {} }, opts)
}

export function patch<T = unknown>(target: Target<'patch'>, body?: unknown, opts?: CallOptions): Promise<T> {
  return call<T>('patch', target, { body: body ?? {} }, opts)
}

export function del<T = unknown>(target: Target<'delete'>, opts?: CallOptions): Promise<T> {
  return call<T>('delete', target, {}, opts)
}

/** A GET answered with bytes (a PDF, an image), as a Blob. */
export function getBlob(target: Target<'get'>, query?: Query, opts?: CallOptions): Promise<Blob> {
  return call<Blob>('get', target, { query, parseAs: 'blob' }, opts)
}

/** A POST answered with bytes (e.g. a rendered preview), as a Blob. */
export function postBlob(target: Target<'post'>, body?: unknown, opts?: CallOptions): Promise<Blob> {
  return call<Blob>('post', target, { body: body ?? {}, parseAs: 'blob' }, opts)
}

/**
 * Bytes at a URL the server handed out (a file's `url`, a thumbnail): those are not written in
 * the admin, so they are not typed paths; same token and error handling.
 */
export async function fetchServerUrl(url: string, opts: CallOptions = {}): Promise<Blob> {
  let res: Response
  try {
    res = await globalThis.fetch(url, { headers: authHeaders(), signal: AbortSignal.timeout(opts.timeout ?? DEFAULT_TIMEOUT) })
  } catch {
    throw failure(0, null, url, opts)
  }
  if (!res.ok) throw failure(res.status, await res.json().catch(() => null), url, opts)
  return res.blob()
}

/** Hand a Blob to the browser as a download. */
export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10000)
}

/** The server's export (xlsx) of a list or a file, with the bearer token, as a browser download. */
export async function download(target: Target<'get'>, query: Query, filename: string, opts?: CallOptions): Promise<void> {
  saveBlob(await getBlob(target, query, { timeout: 120000, ...opts }), filename)
}

export interface UploadedFile {
  id: string
  name: string
  mime: string
  size?: number
}

/**
 * Upload one file to `/files` (multipart). XMLHttpRequest, because fetch cannot report upload
 * progress; same token, error shape and session handling as every other call.
 */
export function upload(
  file: Blob,
  opts: CallOptions & { filename?: string; onProgress?: (percent: number) => void } = {},
): Promise<UploadedFile> {
  const path: PathWith<'post'> = '/files'
  const fd = new FormData()
  if (opts.filename) fd.append('file', file, opts.filename)
  else fd.append('file', file)
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `${API_BASE}${path}`)
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v)
    xhr.timeout = opts.timeout ?? 120000
    xhr.responseType = 'json'
    if (opts.onProgress) {
      const report = opts.onProgress
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) report(Math.round((e.loaded / e.total) * 100))
      }
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response as UploadedFile)
      else reject(failure(xhr.status, xhr.response, path, opts))
    }
    xhr.onerror = xhr.ontimeout = () => reject(failure(0, null, path, opts))
    xhr.send(fd)
  })
}

export { ApiError }

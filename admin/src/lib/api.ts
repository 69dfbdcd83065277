// One HTTP client for the whole portal: bearer token on every call, one error
// shape, one place that reacts to an expired session.
import axios, { AxiosError, type AxiosRequestConfig } from 'axios'
import { ElMessage } from 'element-plus'
import { ApiError, toApiError } from './errors'
import { clearToken, getToken } from './auth-token'
import { toQueryString, type Params } from './query'

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Do not pop up the error message (the caller shows it, or it is optional data). */
    quiet?: boolean
  }
}

let onUnauthorized: () => void = () => {}

/** main.ts wires this to "clear the session and go to /login". */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn
}

export const http = axios.create({ baseURL: '', timeout: 30000 })

http.interceptors.request.use((config) => {
  const token = getToken()
  if (token) config.headers.set('Authorization', `Bearer ${token}`)
  return config
})

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

function handleFailure(status: number, body: unknown, config: AxiosRequestConfig | undefined, url: string): ApiError {
  const err = toApiError(status, body)
  const isLogin = url.includes('/auth/login')
  if (status === 401 && !isLogin) {
    clearToken()
    onUnauthorized()
  }
  if (!config?.quiet) notify(err.message)
  return err
}

http.interceptors.response.use(
  (res) => res,
  (error: AxiosError) => {
    const status = error.response?.status ?? 0
    return Promise.reject(handleFailure(status, error.response?.data, error.config, error.config?.url ?? ''))
  },
)

export async function get<T = unknown>(url: string, params?: Params, config: AxiosRequestConfig = {}): Promise<T> {
  return (await http.get<T>(url, { ...config, params })).data
}

export async function post<T = unknown>(url: string, body?: unknown, config: AxiosRequestConfig = {}): Promise<T> {
  return (await http.post<T>(url, body ?? {}, config)).data
}

export async function put<T = unknown>(url: string, body?: unknown, config: AxiosRequestConfig = {}): Promise<T> {
  return (await http.put<T>(url, body ?? {}, config)).data
}

export async function del<T = unknown>(url: string, config: AxiosRequestConfig = {}): Promise<T> {
  return (await http.delete<T>(url, config)).data
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

/** Fetch a file with the bearer token and hand it to the browser as a download. */
export async function download(url: string, params: Params, filename: string): Promise<void> {
  const qs = toQueryString(params)
  const headers: Record<string, string> = {}
  const token = getToken()
  if (token) headers.Authorization = `Bearer ${token}`
  let res: Response
  try {
    res = await fetch(qs ? `${url}?${qs}` : url, { headers })
  } catch {
    throw handleFailure(0, null, undefined, url)
  }
  if (!res.ok) {
    let body: unknown = null
    try {
      body = await res.json()
    } catch {
      /* not JSON */
    }
    throw handleFailure(res.status, body, undefined, url)
  }
  const blob = await res.blob()
  const href = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 10000)
}

export { ApiError }

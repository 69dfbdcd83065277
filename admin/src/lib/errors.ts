// Every backend error is {"error":{"code","message","fields"}} with an HTTP status.

export class ApiError extends Error {
  status: number
  code: string
  fields: Record<string, string>

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
  }
}

function statusMessage(status: number): string {
  if (status === 0) return '无法连接服务器，请检查网络'
  if (status === 401) return '登录已失效，请重新登录'
  if (status === 403) return '无权执行此操作'
  if (status === 404) return '请求的数据不存在'
  if (status === 413) return '上传内容过大'
  if (status === 429) return '操作过于频繁，请稍后再试'
  if (status >= 500) return '服务器繁忙，请稍后再试'
  return `请求失败（${status}）`
}

/** Build an ApiError from a status and a (possibly non-JSON) body. */
export function toApiError(status: number, body: unknown): ApiError {
  const err = body && typeof body === 'object' ? (body as Record<string, unknown>).error : undefined
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>
    const fields: Record<string, string> = {}
    if (e.fields && typeof e.fields === 'object') {
      for (const [k, v] of Object.entries(e.fields as Record<string, unknown>)) {
        fields[k] = Array.isArray(v) ? v.join('；') : String(v)
      }
    }
    const message = typeof e.message === 'string' && e.message ? e.message : statusMessage(status)
    return new ApiError(status, typeof e.code === 'string' ? e.code : 'ERROR', message, fields)
  }
  return new ApiError(status, 'HTTP_' + status, statusMessage(status))
}

// For unit tests: a stand-in for the network under the real client (the global `fetch`), so
// a test states what the API answers and reads what it was asked. Not imported by the app.
import { vi } from 'vitest'

export interface StubCall {
  method: string
  /** Path under the API base, e.g. `/identity/orgs`. */
  path: string
  /** Full URL as sent, e.g. `/api/v1/identity/orgs?page=1`. */
  url: string
  query: Record<string, string>
  headers: Headers
  body: unknown
}

export type StubAnswer = unknown | Response

/** Answer every call with `handler(call)`: a plain value is sent as 200 JSON, a Response as is. */
export function stubApi(handler: (call: StubCall) => StubAnswer | Promise<StubAnswer>): StubCall[] {
  const calls: StubCall[] = []
  vi.stubGlobal('fetch', async (input: Request | string, init?: RequestInit) => {
    const req = typeof input === 'string' ? new Request(new URL(input, 'http://localhost'), init) : input
    const u = new URL(req.url, 'http://localhost')
    const text = req.method === 'GET' || req.method === 'HEAD' ? '' : await req.clone().text()
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      /* not JSON */
    }
    const call: StubCall = {
      method: req.method,
      path: u.pathname.replace(/^\/api\/v1/, ''),
      url: u.pathname + u.search,
      query: Object.fromEntries(u.searchParams),
      headers: req.headers,
      body,
    }
    calls.push(call)
    const answer = await handler(call)
    if (answer instanceof Response) return answer
    return jsonResponse(answer)
  })
  return calls
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body ?? null), { status, headers: { 'Content-Type': 'application/json' } })
}

// The staff push socket (GET /push/ws under the API base, see channels/push/routes.py): URL, auth, reconnect
// timing and how each frame changes the bell. Pure, unit-tested in push.test.ts.

import { apiUrl } from '@/api/client'

export const PUSH_PROTOCOL = 'arh.push'
/** The server closes with this when the session has ended: do not reconnect, the next call goes to login. */
export const CLOSE_SESSION_ENDED = 4401

export interface InboxMessage {
  id: number
  kind: string
  kind_name?: string
  title: string
  body?: string | null
  link?: string | null
  read: boolean
  created_at?: string | null
}

export type Frame =
  | { type: 'hello'; unread: number; heartbeat: number; last_id?: number }
  | { type: 'message'; message: InboxMessage }
  | { type: 'read'; ids?: number[]; all?: boolean }
  | { type: 'resync' }
  | { type: 'heartbeat' }
  | { type: 'pong' }

export function pushUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${apiUrl('/push/ws')}`
}

/** Browsers cannot set headers on a websocket: the token rides as a subprotocol, never in the URL. */
export function subprotocols(token: string): string[] {
  return [PUSH_PROTOCOL, `arh.token.${token}`]
}

/** 1 s, 2 s, 4 s … up to 30 s, with jitter so that many tabs do not reconnect in step. */
export function backoffDelay(attempt: number, rand: () => number = Math.random): number {
  const base = Math.min(30000, 1000 * 2 ** Math.max(0, Math.min(attempt, 10)))
  return Math.round(base * (0.75 + 0.5 * rand()))
}

export function shouldReconnect(code: number): boolean {
  return code !== CLOSE_SESSION_ENDED && code !== 1008
}

/** Silence longer than this means the connection is dead even if the browser has not noticed. */
export function watchdogMs(heartbeatSeconds: number): number {
  return (Math.max(5, heartbeatSeconds) * 2 + 10) * 1000
}

export function parseFrame(data: unknown): Frame | null {
  if (typeof data !== 'string') return null
  try {
    const f = JSON.parse(data)
    return f && typeof f === 'object' && typeof f.type === 'string' ? (f as Frame) : null
  } catch {
    return null
  }
}

export interface BellState {
  unread: number
  recent: InboxMessage[]
  /** The newest message id the count already includes: a push for it or an older one is not counted again. */
  lastId?: number
}

export const RECENT_MAX = 10

/** How a frame changes the bell; `notify` is set for a message worth a pop-up. `reload` asks for a refetch. */
export function applyFrame(state: BellState, frame: Frame): { state: BellState; notify?: InboxMessage; reload?: boolean } {
  switch (frame.type) {
    case 'hello': {
      const lastId = Number(frame.last_id)
      return { state: { ...state, unread: Math.max(0, Number(frame.unread) || 0), lastId: Number.isFinite(lastId) ? lastId : state.lastId }, reload: true }
    }
    case 'message': {
      const m = frame.message
      if (!m || typeof m.id !== 'number' || state.recent.some((x) => x.id === m.id)) return { state }
      // Committed before the server counted (the socket was opening): in the count already.
      const counted = state.lastId !== undefined && m.id <= state.lastId
      return {
        state: {
          unread: state.unread + (m.read || counted ? 0 : 1),
          recent: [m, ...state.recent].sort((a, b) => b.id - a.id).slice(0, RECENT_MAX),
          lastId: Math.max(state.lastId ?? 0, m.id),
        },
        notify: m,
      }
    }
    case 'read': {
      if (frame.all) return { state: { unread: 0, recent: state.recent.map((m) => ({ ...m, read: true })) } }
      const ids = new Set(frame.ids ?? [])
      // The count comes from the server: this tab may already have counted its own click.
      return { state: { ...state, recent: state.recent.map((m) => (ids.has(m.id) ? { ...m, read: true } : m)) }, reload: true }
    }
    case 'resync':
      return { state, reload: true }
    default:
      return { state }
  }
}

/**
 * The bell after a reload: the server's count (`unread`, up to `lastId`) and its latest messages,
 * plus what arrived after the server counted (pushed meanwhile, or listed by the second request),
 * so a message is neither lost nor counted twice.
 */
export function mergeFetched(current: BellState, fetched: { unread: number; lastId: number; recent: InboxMessage[] }): BellState {
  const later = new Map<number, InboxMessage>()
  for (const m of [...fetched.recent, ...current.recent]) if (m.id > fetched.lastId && !later.has(m.id)) later.set(m.id, m)
  const byId = new Map<number, InboxMessage>(fetched.recent.map((m) => [m.id, m]))
  for (const m of later.values()) if (!byId.has(m.id)) byId.set(m.id, m)
  const extra = [...later.values()].filter((m) => !m.read).length
  return {
    unread: Math.max(0, fetched.unread) + extra,
    recent: [...byId.values()].sort((a, b) => b.id - a.id).slice(0, RECENT_MAX),
    lastId: Math.max(fetched.lastId, ...later.keys()),
  }
}

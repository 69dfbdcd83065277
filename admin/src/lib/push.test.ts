import { describe, expect, it } from 'vitest'
import { applyFrame, backoffDelay, CLOSE_SESSION_ENDED, mergeFetched, parseFrame, pushUrl, shouldReconnect, subprotocols, watchdogMs, type BellState } from './push'

const msg = (id: number, read = false) => ({ id, kind: 'todo', title: `待办${id}`, link: `/cases/${id}`, read })

describe('connecting', () => {
  it('builds the socket URL without the token', () => {
    expect(pushUrl({ protocol: 'http:', host: '127.0.0.1:8000' })).toBe('ws://127.0.0.1:8000/api/v1/push/ws')
    expect(pushUrl({ protocol: 'https:', host: 'arh.jiangmen.gov.cn' })).toBe('wss://arh.jiangmen.gov.cn/api/v1/push/ws')
    expect(subprotocols('abc_-1')).toEqual(['arh.push', 'arh.token.abc_-1'])
  })

  it('backs off exponentially with jitter, up to 30 s', () => {
    expect(backoffDelay(0, () => 0.5)).toBe(1000)
    expect(backoffDelay(3, () => 0.5)).toBe(8000)
    expect(backoffDelay(20, () => 0.5)).toBe(30000)
    expect(backoffDelay(1, () => 0)).toBe(1500)
    expect(backoffDelay(1, () => 1)).toBe(2500)
  })

  it('does not reconnect once the session has ended', () => {
    expect(shouldReconnect(CLOSE_SESSION_ENDED)).toBe(false)
    expect(shouldReconnect(1006)).toBe(true)
    expect(shouldReconnect(1001)).toBe(true)
    expect(watchdogMs(25)).toBe(60000)
  })

  it('ignores frames it cannot read', () => {
    expect(parseFrame('{"type":"heartbeat"}')).toEqual({ type: 'heartbeat' })
    expect(parseFrame('nope')).toBeNull()
    expect(parseFrame('{"a":1}')).toBeNull()
    expect(parseFrame(new ArrayBuffer(2))).toBeNull()
  })
})

describe('the bell', () => {
  const empty: BellState = { unread: 0, recent: [] }

  it('takes the count from hello and asks for the list', () => {
    expect(applyFrame(empty, { type: 'hello', unread: 4, heartbeat: 25 })).toEqual({ state: { unread: 4, recent: [] }, reload: true })
  })

  it('adds a new message on top, counts it and pops it up once', () => {
    const a = applyFrame({ unread: 1, recent: [msg(1)] }, { type: 'message', message: msg(2) })
    expect(a.state.unread).toBe(2)
    expect(a.state.recent.map((m) => m.id)).toEqual([2, 1])
    expect(a.notify?.id).toBe(2)
    const again = applyFrame(a.state, { type: 'message', message: msg(2) })
    expect(again.notify).toBeUndefined()
    expect(again.state.unread).toBe(2)
  })

  it('keeps ten recent messages', () => {
    let s = empty
    for (let i = 1; i <= 12; i++) s = applyFrame(s, { type: 'message', message: msg(i) }).state
    expect(s.recent).toHaveLength(10)
    expect(s.recent[0].id).toBe(12)
    expect(s.unread).toBe(12)
  })

  it('marks messages read in other tabs and reloads the count', () => {
    const s = { unread: 2, recent: [msg(2), msg(1)] }
    const r = applyFrame(s, { type: 'read', ids: [1] })
    expect(r.state.recent.map((m) => m.read)).toEqual([false, true])
    expect(r.reload).toBe(true)
    expect(applyFrame(s, { type: 'read', all: true }).state).toEqual({ unread: 0, recent: [msg(2, true), msg(1, true)] })
    expect(applyFrame(s, { type: 'resync' }).reload).toBe(true)
    expect(applyFrame(s, { type: 'heartbeat' }).state).toBe(s)
  })
})

// Issue 10 §5: the bell's count disagreed with the messages actually unread.
describe('the bell agrees with the server', () => {
  it('does not count twice a message the hello count already holds', () => {
    const hello = applyFrame({ unread: 0, recent: [] }, { type: 'hello', unread: 3, heartbeat: 25, last_id: 7 })
    expect(hello.state).toMatchObject({ unread: 3, lastId: 7 })
    // Message 7 was committed before the server counted, and pushed after the socket opened.
    const seven = applyFrame(hello.state, { type: 'message', message: msg(7) })
    expect(seven.state.unread).toBe(3)
    expect(seven.notify?.id).toBe(7)
    const eight = applyFrame(seven.state, { type: 'message', message: msg(8) })
    expect(eight.state).toMatchObject({ unread: 4, lastId: 8 })
  })

  it('keeps a message pushed while a reload was on its way', () => {
    // The reload's count and list were taken before message 9; it arrived by push meanwhile.
    const now = { unread: 5, recent: [msg(9), msg(8)], lastId: 9 }
    const merged = mergeFetched(now, { unread: 4, lastId: 8, recent: [msg(8), msg(6, true)] })
    expect(merged.unread).toBe(5)
    expect(merged.recent.map((m) => m.id)).toEqual([9, 8, 6])
    expect(merged.lastId).toBe(9)
  })

  it('counts a message the list saw but the count did not', () => {
    // Two requests: the count first (up to 8), then the list, which already holds 9.
    const merged = mergeFetched({ unread: 0, recent: [] }, { unread: 2, lastId: 8, recent: [msg(9), msg(8), msg(7, true)] })
    expect(merged.unread).toBe(3)
    expect(merged.lastId).toBe(9)
  })

  it('takes the server count as it is otherwise, read messages included', () => {
    const merged = mergeFetched({ unread: 9, recent: [msg(3), msg(2)], lastId: 3 }, { unread: 1, lastId: 3, recent: [msg(3), msg(2, true)] })
    expect(merged).toEqual({ unread: 1, recent: [msg(3), msg(2, true)], lastId: 3 })
  })
})

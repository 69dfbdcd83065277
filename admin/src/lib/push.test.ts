import { describe, expect, it } from 'vitest'
import { applyFrame, backoffDelay, CLOSE_SESSION_ENDED, parseFrame, pushUrl, shouldReconnect, subprotocols, watchdogMs, type BellState } from './push'

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

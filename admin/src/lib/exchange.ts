// 数据交换监控: labels, status colours and the per-partner summary shown on the cards.
// Pure, so it is unit-tested.
import type { Dict } from './dicts'

export const EXCHANGE_STATUS: Dict = {
  pending: '待发送',
  sent: '已发送',
  replied: '已应答',
  failed: '失败',
  dead: '死信',
  received: '已接收',
  applied: '已处理',
  rejected: '已拒收',
  duplicate: '重复',
}

export const EXCHANGE_DIRECTION: Dict = { out: '发送', in: '接收' }

// Error codes have their Chinese labels and sentences from the API (stats.errors, row.error_text):
// one list, in exchange/monitor.py.

export type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary'

const STATUS_TAG: Record<string, TagType> = {
  pending: 'warning',
  sent: 'primary',
  replied: 'success',
  applied: 'success',
  received: 'info',
  duplicate: 'info',
  failed: 'danger',
  rejected: 'danger',
  dead: 'danger',
}

export function statusTagType(status: unknown): TagType {
  return STATUS_TAG[String(status)] ?? 'info'
}

/** `35 毫秒`, `1.2 秒`, `3 分 5 秒`; a dash when unknown. */
export function formatLatency(ms: unknown): string {
  if (ms === null || ms === undefined || ms === '') return '-'
  const n = Number(ms)
  if (!Number.isFinite(n) || n < 0) return '-'
  if (n < 1000) return `${Math.round(n)} 毫秒`
  if (n < 60_000) return `${(n / 1000).toFixed(1)} 秒`
  const s = Math.round(n / 1000)
  return `${Math.floor(s / 60)} 分 ${s % 60} 秒`
}

export interface PartnerStats {
  code: string
  name: string
  feature: string | null
  interface: string | null
  /** 查询接口, 推送接口, … */
  interface_name?: string | null
  total: number
  out: number
  in: number
  by_status: Record<string, number>
  pending: number
  dead: number
  out_p50_ms: number | null
  out_p99_ms: number | null
  in_p50_ms: number | null
  in_p99_ms: number | null
}

export type Health = 'bad' | 'warn' | 'ok' | 'idle'

export const HEALTH_TEXT: Record<Health, string> = { bad: '异常', warn: '注意', ok: '正常', idle: '无数据' }

/** Failures in the window (failed requests, rejected messages). */
export function failures(p: PartnerStats): number {
  return (p.by_status?.failed ?? 0) + (p.by_status?.rejected ?? 0)
}

/**
 * bad: dead letters wait for someone, or most of the window failed;
 * warn: some failures, or a backlog; idle: no traffic in the window.
 */
export function partnerHealth(p: PartnerStats): Health {
  const fails = failures(p)
  if (p.dead > 0 || (p.total > 0 && fails * 2 > p.total)) return 'bad'
  if (fails > 0 || p.pending > 0) return 'warn'
  if (p.total === 0) return 'idle'
  return 'ok'
}

const HEALTH_ORDER: Record<Health, number> = { bad: 0, warn: 1, ok: 2, idle: 3 }

/** Problems first, then the busiest; ties keep the catalogue order. */
export function sortPartners(list: PartnerStats[]): PartnerStats[] {
  return list
    .map((p, i) => ({ p, i }))
    .sort((a, b) => HEALTH_ORDER[partnerHealth(a.p)] - HEALTH_ORDER[partnerHealth(b.p)] || b.p.total - a.p.total || a.i - b.i)
    .map((x) => x.p)
}

/** The latency line of a card: outbound round trip, else inbound processing. */
export function latencyLine(p: PartnerStats): string {
  if (p.out_p50_ms !== null && p.out_p50_ms !== undefined) return `p50 ${formatLatency(p.out_p50_ms)} / p99 ${formatLatency(p.out_p99_ms)}`
  if (p.in_p50_ms !== null && p.in_p50_ms !== undefined) return `处理 p50 ${formatLatency(p.in_p50_ms)} / p99 ${formatLatency(p.in_p99_ms)}`
  return '暂无耗时数据'
}

// A background job as GET /jobs/{job_id} reports it (imports, alert runs): status and progress.
import type { Dict } from '@/lib/dicts'

export interface JobStatus {
  id?: string
  status?: string
  progress?: number | null
  total?: number | null
  message?: string | null
  result?: Record<string, unknown> | null
  errors?: unknown[] | null
}

export const JOB_STATUS: Dict = { queued: '排队中', running: '运行中', done: '已完成', failed: '失败' }

export function jobFinished(j: JobStatus | null | undefined): boolean {
  return !!j && (j.status === 'done' || j.status === 'failed')
}

export function jobPercent(j: JobStatus | null | undefined): number {
  if (!j) return 0
  if (j.status === 'done') return 100
  if (!j.total) return 0
  return Math.max(0, Math.min(99, Math.round(((j.progress ?? 0) / j.total) * 100)))
}

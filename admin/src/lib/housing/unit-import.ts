// The Excel unit import: the job's report and its errors by row.
import type { JobStatus } from '@/lib/jobs'

export interface ImportError {
  row: number | null
  column: string
  message: string
}

export type ImportPhase = 'queued' | 'running' | 'done' | 'failed'

/** A building the file names that the community does not have (perhaps a typo such as 99栋). */
export interface NewBuilding {
  name: string
  unitCount: number
  /** Units on rows without errors: what a valid-rows-only import would put in it. */
  validUnits: number
  firstRow: number | null
}

export interface ImportReport {
  phase: ImportPhase
  finished: boolean
  percent: number
  message: string
  /** true: rows were written; false: checked only (all-or-nothing found bad rows); null: not finished. */
  committed: boolean | null
  totalRows: number
  validRows: number
  errorRows: number
  inserted: number
  reused: number
  exampleSkipped: boolean
  canCommitValid: boolean
  /** Rows in the file (the example row not counted), known from the moment the job is queued. */
  fileRows: number
  newBuildings: NewBuilding[]
  /** Nothing was written because the new buildings wait for the clerk's confirmation. */
  needsConfirmation: boolean
  /** Confirming the new buildings imports every row (the file has no bad rows). */
  canConfirm: boolean
  errors: ImportError[]
}

function num(v: unknown): number {
  const n = Number(v)
  return Number.isFinite(n) ? n : 0
}

export function parseImportErrors(list: unknown): ImportError[] {
  if (!Array.isArray(list)) return []
  return list
    .filter((e) => e && typeof e === 'object')
    .map((e) => {
      const r = e as Record<string, unknown>
      const row = r.row === null || r.row === undefined || r.row === '' ? null : Number(r.row)
      return { row: Number.isFinite(row as number) ? (row as number) : null, column: r.column ? String(r.column) : '', message: r.message ? String(r.message) : '' }
    })
}

/** A polled `GET /jobs/{id}` as the import screen shows it. */
export function parseImportJob(job: JobStatus | null | undefined): ImportReport {
  const status = String(job?.status ?? 'queued')
  const phase: ImportPhase = status === 'done' || status === 'failed' || status === 'running' ? status : 'queued'
  const finished = phase === 'done' || phase === 'failed'
  const r = (job?.result ?? {}) as Record<string, unknown>
  const total = num(job?.total)
  const done = num(job?.progress)
  let percent = 0
  if (phase === 'done') percent = 100
  else if (total > 0) percent = Math.max(0, Math.min(99, Math.floor((done / total) * 100)))
  const committed = phase === 'done' ? r.committed === true : null
  return {
    phase,
    finished,
    percent,
    message: String(job?.message ?? '') || (phase === 'queued' ? '排队中' : phase === 'running' ? '正在处理' : phase === 'failed' ? '导入失败' : '完成'),
    committed,
    totalRows: num(r.total_rows),
    validRows: num(r.valid_rows),
    errorRows: num(r.error_rows),
    inserted: num(r.inserted),
    reused: num(r.reused),
    exampleSkipped: r.example_skipped === true,
    canCommitValid: phase === 'done' && r.committed === false && r.can_commit_valid === true && num(r.valid_rows) > 0,
    fileRows: total,
    newBuildings: (Array.isArray(r.new_buildings) ? r.new_buildings : []).map((b: any) => ({
      name: String(b?.name ?? ''),
      unitCount: num(b?.unit_count),
      validUnits: num(b?.valid_units ?? b?.unit_count),
      firstRow: b?.first_row === null || b?.first_row === undefined ? null : num(b.first_row),
    })),
    needsConfirmation: phase === 'done' && r.committed === false && r.needs_confirmation === true,
    canConfirm: phase === 'done' && r.committed === false && r.can_confirm === true,
    errors: parseImportErrors(job?.errors),
  }
}

/** Bad rows with all their problems together, in row order. */
export function errorsByRow(errors: ImportError[]): { row: number | null; columns: string[]; messages: string[] }[] {
  const by = new Map<string, { row: number | null; columns: string[]; messages: string[] }>()
  for (const e of errors) {
    const k = String(e.row)
    if (!by.has(k)) by.set(k, { row: e.row, columns: [], messages: [] })
    const g = by.get(k)!
    if (e.column && !g.columns.includes(e.column)) g.columns.push(e.column)
    g.messages.push(e.column ? `${e.column}：${e.message}` : e.message)
  }
  return [...by.values()].sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
}

// Unit states (docs/housing-stock.md): their look in the unit table, the legend and the state bar.
// The state names come from the server (lib/dicts.ts); colour, pattern and the short mark are here.
import type { TagType } from '@/lib/cases'
import { type Dict, dicts } from '@/lib/dicts'
import type { FilterOption } from '@/lib/query'

export const UNIT_STATE_ORDER = ['not_in_stock', 'available', 'allocated', 'locked', 'repairing', 'delisted'] as const

export type UnitState = (typeof UNIT_STATE_ORDER)[number]

/** The states' names, from the server. */
export const UNIT_STATES: Dict = dicts.UnitState

export type CellPattern = 'none' | 'dashed' | 'stripes' | 'dots' | 'cross'

export interface StateStyle {
  state: string
  label: string
  /** One character shown in every cell, so the state never rests on colour alone. */
  short: string
  fill: string
  text: string
  border: string
  pattern: CellPattern
}

// Fills are light enough for dark text (WCAG AA ≥ 4.5:1, checked in the tests) and
// differ in lightness as well as hue; locked, repairing and delisted also carry a
// texture, so the grid still reads for a colour-blind clerk and in greyscale print.
export const STATE_STYLES: Record<UnitState, StateStyle> = {
  not_in_stock: { state: 'not_in_stock', label: '未入库', short: '未', fill: '#EEF0F3', text: '#4B5563', border: '#A8ABB2', pattern: 'dashed' },
  available: { state: 'available', label: '可配租', short: '空', fill: '#9FDDB4', text: '#0E3B20', border: '#2F8F55', pattern: 'none' },
  allocated: { state: 'allocated', label: '已配租', short: '租', fill: '#A8C8F0', text: '#0B2E59', border: '#3A72C0', pattern: 'none' },
  locked: { state: 'locked', label: '已锁定', short: '锁', fill: '#F6A38E', text: '#5A1206', border: '#C2410C', pattern: 'stripes' },
  repairing: { state: 'repairing', label: '维修中', short: '修', fill: '#F5D76E', text: '#4A3800', border: '#B08A00', pattern: 'dots' },
  delisted: { state: 'delisted', label: '已下架', short: '下', fill: '#5B616B', text: '#FFFFFF', border: '#3C4148', pattern: 'cross' },
}

const UNKNOWN_STYLE: StateStyle = { state: '', label: '未知', short: '?', fill: '#FFFFFF', text: '#303133', border: '#C0C4CC', pattern: 'none' }

export function stateStyle(state: unknown): StateStyle {
  const s = STATE_STYLES[String(state) as UnitState]
  return s ?? { ...UNKNOWN_STYLE, state: String(state ?? ''), label: state ? String(state) : '未知' }
}

export function stateLabel(state: unknown, name?: unknown): string {
  if (typeof name === 'string' && name) return name
  if (state === null || state === undefined || state === '') return '-'
  return UNIT_STATES[String(state)] ?? String(state)
}

export function stateTagType(state: unknown): TagType {
  switch (state) {
    case 'available':
      return 'success'
    case 'allocated':
      return 'primary'
    case 'locked':
      return 'danger'
    case 'repairing':
      return 'warning'
    default:
      return 'info'
  }
}

export function stateOptions(): FilterOption[] {
  return UNIT_STATE_ORDER.map((s) => ({ value: s, label: UNIT_STATES[s] }))
}

/** CSS background of a cell: its fill plus its texture. */
export function cellBackground(style: StateStyle): string {
  switch (style.pattern) {
    case 'stripes':
      return `repeating-linear-gradient(135deg, ${style.fill} 0 8px, rgba(255,255,255,0.3) 8px 10px)`
    case 'dots':
      return `radial-gradient(rgba(0,0,0,0.16) 1px, transparent 1.5px) 0 0 / 6px 6px, ${style.fill}`
    case 'cross':
      return `repeating-linear-gradient(45deg, rgba(255,255,255,0.12) 0 2px, transparent 2px 8px), ${style.fill}`
    default:
      return style.fill
  }
}

function luminance(hex: string): number {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim())
  if (!m) return 0
  const v = [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)))
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]
}

/** WCAG contrast ratio of two `#rrggbb` colours (1 … 21). */
export function contrastRatio(a: string, b: string): number {
  const x = luminance(a)
  const y = luminance(b)
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05)
}

export interface LegendItem {
  state: string
  label: string
  count: number
  style: StateStyle
}

/** Every state with its count (zeros too, so the legend never jumps). */
export function legendItems(counts: Record<string, number> | null | undefined): LegendItem[] {
  const c = counts ?? {}
  const items: LegendItem[] = UNIT_STATE_ORDER.map((s) => ({ state: s, label: UNIT_STATES[s], count: Number(c[s]) || 0, style: STATE_STYLES[s] }))
  for (const [s, n] of Object.entries(c)) {
    if (!(s in STATE_STYLES)) items.push({ state: s, label: s, count: Number(n) || 0, style: stateStyle(s) })
  }
  return items
}

/** Segments of a stacked bar of states (for building and community cards). */
export function stateBar(counts: Record<string, number> | null | undefined): { state: string; label: string; count: number; percent: number; color: string }[] {
  const items = legendItems(counts).filter((i) => i.count > 0)
  const total = items.reduce((n, i) => n + i.count, 0)
  if (!total) return []
  return items.map((i) => ({ state: i.state, label: i.label, count: i.count, percent: Math.round((i.count / total) * 1000) / 10, color: i.style.border }))
}

export const UNIT_STATE_COLORS: Record<string, string> = {
  not_in_stock: '#c0c4cc',
  available: '#67c23a',
  allocated: '#409eff',
  locked: '#f56c6c',
  repairing: '#e6a23c',
  delisted: '#909399',
}

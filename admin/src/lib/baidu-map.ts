// Baidu Map GL JS: loading the script with the browser key, a thin wrapper over the map
// (one picked point, or many coloured markers), and coordinate handling. The platform
// stores BD-09 (what Baidu's map speaks) and WGS-84; the screens work in BD-09.
// When the script cannot load (no key, no network) callers fall back to typed coordinates.

export interface LngLat {
  lng: number
  lat: number
}

/** 江门市人民政府 area, BD-09: where an empty map opens. */
export const JIANGMEN_CENTER: LngLat = { lng: 113.088, lat: 22.585 }
/** The server refuses points outside this BD-09 box (docs/housing-projects.md). */
export const JIANGMEN_BOUNDS = { lng: [111.8, 113.5] as const, lat: [21.3, 23.0] as const }

export const MAP_UNAVAILABLE = '地图服务无法加载，可直接输入经纬度'

export type MapFailure = 'no-key' | 'load-failed' | 'timeout'

export class MapUnavailableError extends Error {
  reason: MapFailure
  constructor(reason: MapFailure) {
    super(mapFailureDetail(reason))
    this.name = 'MapUnavailableError'
    this.reason = reason
  }
}

/** Why the map is not there, for the line under the plain message. */
export function mapFailureDetail(reason: MapFailure | string | null | undefined): string {
  switch (reason) {
    case 'no-key':
      // Said to the clerk: what is missing, in their words. The build variable is in README.md.
      return '本系统尚未开通地图服务'
    case 'timeout':
      return '百度地图脚本加载超时'
    case 'load-failed':
      return '无法连接百度地图服务（网络不可用或被拦截）'
    default:
      return ''
  }
}

// ------------------------------------------------------------------ coordinates

/** A typed or pasted coordinate as a number, or null. */
export function parseCoord(v: unknown): number | null {
  if (v === null || v === undefined || typeof v === 'boolean') return null
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  const s = String(v).trim().replace(/[°\s]/g, '')
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null
  const n = Number(s)
  return Number.isFinite(n) ? n : null
}

/** Six decimals (about 0.1 m): what the server keeps. */
export function roundCoord(n: number, digits = 6): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export function inJiangmen(p: LngLat | null | undefined): boolean {
  if (!p) return false
  const [lo1, hi1] = JIANGMEN_BOUNDS.lng
  const [lo2, hi2] = JIANGMEN_BOUNDS.lat
  return p.lng >= lo1 && p.lng <= hi1 && p.lat >= lo2 && p.lat <= hi2
}

/** Why a typed point cannot be used, or null. Both blank is fine unless required. */
export function pointError(lng: unknown, lat: unknown, required = false): string | null {
  const blank = (v: unknown) => v === null || v === undefined || String(v).trim() === ''
  if (blank(lng) && blank(lat)) return required ? '请在地图上选取位置，或输入经纬度' : null
  const x = parseCoord(lng)
  const y = parseCoord(lat)
  if (x === null) return '请输入经度（数字）'
  if (y === null) return '请输入纬度（数字）'
  if (Math.abs(x) < Math.abs(y)) return '经度和纬度似乎填反了：江门的经度约 113，纬度约 22'
  if (!inJiangmen({ lng: x, lat: y })) {
    return `坐标不在江门市范围内（BD-09 经度 ${JIANGMEN_BOUNDS.lng[0]}–${JIANGMEN_BOUNDS.lng[1]}，纬度 ${JIANGMEN_BOUNDS.lat[0]}–${JIANGMEN_BOUNDS.lat[1]}）`
  }
  return null
}

/** "113.086, 22.587" (also with a full-width comma or a space) → a point. */
export function parseLngLatText(text: unknown): LngLat | null {
  const parts = String(text ?? '')
    .trim()
    .split(/[,，\s]+/)
    .filter(Boolean)
  if (parts.length !== 2) return null
  const lng = parseCoord(parts[0])
  const lat = parseCoord(parts[1])
  return lng === null || lat === null ? null : { lng, lat }
}

/** The BD-09 point of an API `location` ({bd09: {lng, lat}, wgs84: …}), or null. */
export function bd09Of(location: unknown): LngLat | null {
  const bd = location && typeof location === 'object' ? (location as Record<string, any>).bd09 : null
  if (!bd) return null
  const lng = parseCoord(bd.lng)
  const lat = parseCoord(bd.lat)
  return lng === null || lat === null ? null : { lng, lat }
}

export function formatLngLat(p: LngLat | null | undefined, empty = '-'): string {
  if (!p) return empty
  return `${p.lng.toFixed(6)}, ${p.lat.toFixed(6)}`
}

export interface ScatterPoint {
  id: string | number
  lng: number
  lat: number
}

/**
 * Screen positions for a plain SVG scatter of points (the fallback when the map
 * cannot load): equal scale on both axes (longitude shrunk by cos(latitude)),
 * north up, centred, with a margin.
 */
export function scatterLayout<T extends ScatterPoint>(points: T[], width: number, height: number, pad = 24): (T & { x: number; y: number })[] {
  if (!points.length) return []
  const lngs = points.map((p) => p.lng)
  const lats = points.map((p) => p.lat)
  const minLng = Math.min(...lngs)
  const maxLng = Math.max(...lngs)
  const minLat = Math.min(...lats)
  const maxLat = Math.max(...lats)
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180)
  const spanX = Math.max((maxLng - minLng) * k, 1e-6)
  const spanY = Math.max(maxLat - minLat, 1e-6)
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY)
  const offX = (width - spanX * scale) / 2
  const offY = (height - spanY * scale) / 2
  const single = points.length === 1 || (maxLng === minLng && maxLat === minLat)
  return points.map((p) => ({
    ...p,
    x: single ? width / 2 : offX + (p.lng - minLng) * k * scale,
    y: single ? height / 2 : height - (offY + (p.lat - minLat) * scale),
  }))
}

// ------------------------------------------------------------------ loading the script

/** The browser key. There is no server endpoint that hands it out; it is a build setting. */
export function baiduMapKey(env: Record<string, unknown> = import.meta.env): string {
  const v = env.VITE_BAIDU_MAP_AK
  return typeof v === 'string' ? v.trim() : ''
}

const CALLBACK = '__arhBaiduMapReady'

/**
 * The GL script's address. The loader script writes further script tags, which only
 * works after page load when a callback is named.
 */
export function mapScriptUrl(ak: string, callback = CALLBACK): string {
  return `https://api.map.baidu.com/api?v=1.0&type=webgl&ak=${encodeURIComponent(ak)}&callback=${encodeURIComponent(callback)}`
}

export type BMapGLNamespace = Record<string, any>

let loading: Promise<BMapGLNamespace> | null = null

/** Forget a failed or finished load (tests; a retry after the network is back). */
export function resetBaiduMapLoader(): void {
  loading = null
}

export interface LoadOptions {
  ak?: string
  timeoutMs?: number
  win?: Window & Record<string, any>
}

/**
 * BMapGL, loaded once per page. An object already on `window.BMapGL` is used as is
 * (a page that loaded it itself, or a test's stand-in).
 */
export function loadBaiduMapGL(opts: LoadOptions = {}): Promise<BMapGLNamespace> {
  const win = (opts.win ?? (window as unknown)) as Window & Record<string, any>
  if (win.BMapGL) return Promise.resolve(win.BMapGL)
  if (loading) return loading
  const ak = opts.ak ?? baiduMapKey()
  if (!ak) return Promise.reject(new MapUnavailableError('no-key'))
  const timeoutMs = opts.timeoutMs ?? 12000
  const p = new Promise<BMapGLNamespace>((resolve, reject) => {
    const doc = win.document
    const script = doc.createElement('script')
    let timer: ReturnType<typeof setTimeout> | null = null
    const fail = (reason: MapFailure) => {
      if (timer) clearTimeout(timer)
      delete win[CALLBACK]
      script.remove()
      reject(new MapUnavailableError(reason))
    }
    win[CALLBACK] = () => {
      if (timer) clearTimeout(timer)
      delete win[CALLBACK]
      if (win.BMapGL) resolve(win.BMapGL)
      else fail('load-failed')
    }
    script.src = mapScriptUrl(ak)
    script.async = true
    script.onerror = () => fail('load-failed')
    timer = setTimeout(() => fail('timeout'), timeoutMs)
    doc.head.appendChild(script)
  })
  loading = p
  p.catch(() => {
    if (loading === p) loading = null
  })
  return p
}

// ------------------------------------------------------------------ the map wrapper

export interface MapMarker extends LngLat {
  id: string | number
  title: string
  color: string
}

/** A round pin in a colour, as an SVG data URL (no image files to ship). */
export function markerIconUrl(color: string, size = 26): string {
  const h = Math.round(size * 1.3)
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${h}" viewBox="0 0 26 34">` +
    `<path d="M13 33C13 33 2 20.5 2 12.5a11 11 0 0 1 22 0C24 20.5 13 33 13 33z" fill="${color}" stroke="#fff" stroke-width="2"/>` +
    `<circle cx="13" cy="12.5" r="4.2" fill="#fff"/></svg>`
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}

function eventPoint(e: any): LngLat | null {
  const p = e?.latlng ?? e?.point ?? null
  if (!p) return null
  const lng = Number(p.lng)
  const lat = Number(p.lat)
  return Number.isFinite(lng) && Number.isFinite(lat) ? { lng: roundCoord(lng), lat: roundCoord(lat) } : null
}

/**
 * One Baidu map in a container. Picking pages use `onPick` and `setPicked`; the
 * project map uses `setMarkers`, `onMarkerClick` and `focus`.
 */
export class MapView {
  private B: BMapGLNamespace
  private map: any
  private picked: any = null
  private markers = new Map<string, any>()
  private pickHandlers: ((p: LngLat) => void)[] = []
  private markerHandlers: ((id: string | number) => void)[] = []
  private clickListener: (e: any) => void

  constructor(B: BMapGLNamespace, container: HTMLElement, opts: { center?: LngLat | null; zoom?: number } = {}) {
    this.B = B
    this.map = new B.Map(container, { enableMapClick: false })
    const c = opts.center ?? JIANGMEN_CENTER
    this.map.centerAndZoom(new B.Point(c.lng, c.lat), opts.zoom ?? 12)
    this.map.enableScrollWheelZoom?.(true)
    if (B.ZoomControl) this.map.addControl?.(new B.ZoomControl())
    if (B.ScaleControl) this.map.addControl?.(new B.ScaleControl())
    this.clickListener = (e: any) => {
      const p = eventPoint(e)
      if (p) for (const h of this.pickHandlers) h(p)
    }
    this.map.addEventListener('click', this.clickListener)
  }

  /** Clicks on the map, as BD-09 points rounded to six decimals. */
  onPick(handler: (p: LngLat) => void): () => void {
    this.pickHandlers.push(handler)
    return () => {
      this.pickHandlers = this.pickHandlers.filter((h) => h !== handler)
    }
  }

  onMarkerClick(handler: (id: string | number) => void): () => void {
    this.markerHandlers.push(handler)
    return () => {
      this.markerHandlers = this.markerHandlers.filter((h) => h !== handler)
    }
  }

  private icon(color: string): any {
    const B = this.B
    if (!B.Icon || !B.Size) return undefined
    return new B.Icon(markerIconUrl(color), new B.Size(26, 34), { anchor: new B.Size(13, 33) })
  }

  /** The one picked point (a pin), moved or removed; optionally centred. */
  setPicked(p: LngLat | null, center = false): void {
    if (!p) {
      if (this.picked) this.map.removeOverlay(this.picked)
      this.picked = null
      return
    }
    const pt = new this.B.Point(p.lng, p.lat)
    if (this.picked) this.picked.setPosition(pt)
    else {
      this.picked = new this.B.Marker(pt, { icon: this.icon('#e4393c') })
      this.map.addOverlay(this.picked)
    }
    if (center) this.map.panTo?.(pt)
  }

  /** Replace the coloured markers; `fit` zooms to show them all. */
  setMarkers(list: MapMarker[], fit = false): void {
    for (const m of this.markers.values()) this.map.removeOverlay(m)
    this.markers.clear()
    const pts: any[] = []
    for (const item of list) {
      const pt = new this.B.Point(item.lng, item.lat)
      const marker = new this.B.Marker(pt, { icon: this.icon(item.color), title: item.title })
      marker.setTitle?.(item.title)
      marker.addEventListener('click', () => {
        for (const h of this.markerHandlers) h(item.id)
      })
      this.map.addOverlay(marker)
      this.markers.set(String(item.id), marker)
      pts.push(pt)
    }
    if (fit && pts.length > 1) this.map.setViewport?.(pts, { margins: [30, 30, 30, 30] })
    else if (fit && pts.length === 1) this.map.centerAndZoom(pts[0], 15)
  }

  markerCount(): number {
    return this.markers.size
  }

  /** Centre on a point; with a title, open a small info window there. */
  focus(p: LngLat, zoom?: number, title?: string): void {
    const pt = new this.B.Point(p.lng, p.lat)
    if (zoom) this.map.centerAndZoom(pt, zoom)
    else this.map.panTo?.(pt)
    if (title && this.B.InfoWindow) {
      this.map.openInfoWindow?.(new this.B.InfoWindow(title, { width: 220, height: 0 }), pt)
    }
  }

  destroy(): void {
    this.map.removeEventListener?.('click', this.clickListener)
    this.pickHandlers = []
    this.markerHandlers = []
    this.markers.clear()
    this.picked = null
    this.map.destroy?.()
  }
}

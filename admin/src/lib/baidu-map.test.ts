import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  baiduMapKey,
  bd09Of,
  formatLngLat,
  inJiangmen,
  loadBaiduMapGL,
  MapUnavailableError,
  MapView,
  mapFailureDetail,
  mapScriptUrl,
  markerIconUrl,
  parseCoord,
  parseLngLatText,
  pointError,
  resetBaiduMapLoader,
  roundCoord,
  scatterLayout,
} from './baidu-map'

// A stand-in for Baidu's BMapGL: the same constructors and methods the wrapper uses,
// recording what it was asked to do, and able to fire events like the real map.
type Handler = (e: any) => void

class FakeEvents {
  handlers: Record<string, Handler[]> = {}
  addEventListener(name: string, h: Handler) {
    ;(this.handlers[name] ??= []).push(h)
  }
  removeEventListener(name: string, h: Handler) {
    this.handlers[name] = (this.handlers[name] ?? []).filter((x) => x !== h)
  }
  fire(name: string, e: any = {}) {
    for (const h of this.handlers[name] ?? []) h(e)
  }
}

class Point {
  constructor(
    public lng: number,
    public lat: number,
  ) {}
}
class Size {
  constructor(
    public width: number,
    public height: number,
  ) {}
}
class Icon {
  constructor(
    public url: string,
    public size: Size,
    public opts: any,
  ) {}
}
class Marker extends FakeEvents {
  title = ''
  constructor(
    public position: Point,
    public opts: any = {},
  ) {
    super()
  }
  setPosition(p: Point) {
    this.position = p
  }
  setTitle(t: string) {
    this.title = t
  }
}
class FakeMap extends FakeEvents {
  static last: FakeMap | null = null
  overlays: any[] = []
  controls: any[] = []
  center: Point | null = null
  zoom = 0
  viewport: Point[] | null = null
  destroyed = false
  infoWindows: any[] = []
  constructor(
    public container: HTMLElement,
    public opts: any,
  ) {
    super()
    FakeMap.last = this
  }
  centerAndZoom(p: Point, z: number) {
    this.center = p
    this.zoom = z
  }
  panTo(p: Point) {
    this.center = p
  }
  enableScrollWheelZoom() {}
  addControl(c: any) {
    this.controls.push(c)
  }
  addOverlay(o: any) {
    this.overlays.push(o)
  }
  removeOverlay(o: any) {
    this.overlays = this.overlays.filter((x) => x !== o)
  }
  setViewport(points: Point[]) {
    this.viewport = points
  }
  openInfoWindow(w: any, p: Point) {
    this.infoWindows.push({ w, p })
  }
  destroy() {
    this.destroyed = true
  }
}
class InfoWindow {
  constructor(
    public content: string,
    public opts: any,
  ) {}
}
class ZoomControl {}
class ScaleControl {}

const FakeBMapGL = { Map: FakeMap, Point, Marker, Icon, Size, InfoWindow, ZoomControl, ScaleControl }

describe('MapView over a stand-in BMapGL', () => {
  let el: HTMLElement
  beforeEach(() => {
    el = document.createElement('div')
  })

  it('opens on Jiangmen with zoom and scale controls', () => {
    const v = new MapView(FakeBMapGL, el)
    const map = FakeMap.last!
    expect(map.container).toBe(el)
    expect(map.center).toEqual(new Point(113.088, 22.585))
    expect(map.zoom).toBe(12)
    expect(map.controls).toHaveLength(2)
    v.destroy()
    expect(map.destroyed).toBe(true)
  })

  it('emits the clicked point, rounded to six decimals, and places the picked marker', () => {
    const v = new MapView(FakeBMapGL, el, { center: { lng: 113.1, lat: 22.6 }, zoom: 15 })
    const map = FakeMap.last!
    const picked: { lng: number; lat: number }[] = []
    v.onPick((p) => {
      picked.push(p)
      v.setPicked(p)
    })
    map.fire('click', { latlng: { lng: 113.08612345678, lat: 22.58765432101 } })
    expect(picked).toEqual([{ lng: 113.086123, lat: 22.587654 }])
    expect(map.overlays).toHaveLength(1)
    const pin = map.overlays[0] as Marker
    expect(pin.position).toEqual(new Point(113.086123, 22.587654))
    expect(pin.opts.icon.url).toMatch(/^data:image\/svg\+xml/)
    // A second click moves the same pin.
    map.fire('click', { point: { lng: 113.2, lat: 22.7 } })
    expect(map.overlays).toHaveLength(1)
    expect(pin.position).toEqual(new Point(113.2, 22.7))
    v.setPicked(null)
    expect(map.overlays).toHaveLength(0)
  })

  it('ignores clicks without a point and stops emitting after unsubscribe or destroy', () => {
    const v = new MapView(FakeBMapGL, el)
    const map = FakeMap.last!
    const seen = vi.fn()
    const off = v.onPick(seen)
    map.fire('click', {})
    expect(seen).not.toHaveBeenCalled()
    off()
    map.fire('click', { latlng: { lng: 113, lat: 22 } })
    expect(seen).not.toHaveBeenCalled()
    v.onPick(seen)
    v.destroy()
    map.fire('click', { latlng: { lng: 113, lat: 22 } })
    expect(seen).not.toHaveBeenCalled()
  })

  it('shows coloured markers, fits them, and reports which one was clicked', () => {
    const v = new MapView(FakeBMapGL, el)
    const map = FakeMap.last!
    const clicked: (string | number)[] = []
    v.onMarkerClick((id) => clicked.push(id))
    v.setMarkers(
      [
        { id: 7, lng: 113.086, lat: 22.587, title: '滨江保障公寓', color: '#1f7ae0' },
        { id: 8, lng: 113.12, lat: 22.55, title: '江海人才公寓', color: '#909399' },
      ],
      true,
    )
    expect(v.markerCount()).toBe(2)
    expect(map.overlays).toHaveLength(2)
    expect(map.viewport).toHaveLength(2)
    const [a, b] = map.overlays as Marker[]
    expect(a.title).toBe('滨江保障公寓')
    expect(decodeURIComponent(a.opts.icon.url)).toContain('fill="#1f7ae0"')
    expect(decodeURIComponent(b.opts.icon.url)).toContain('fill="#909399"')
    b.fire('click')
    expect(clicked).toEqual([8])
    // Replacing the markers removes the old ones.
    v.setMarkers([{ id: 9, lng: 113, lat: 22.5, title: '新会', color: '#e6a23c' }], true)
    expect(map.overlays).toHaveLength(1)
    expect(map.center).toEqual(new Point(113, 22.5))
    expect(map.zoom).toBe(15)
    v.focus({ lng: 113, lat: 22.5 }, 16, '新会')
    expect(map.zoom).toBe(16)
    expect(map.infoWindows[0].w.content).toBe('新会')
  })
})

describe('loading the script', () => {
  afterEach(() => {
    resetBaiduMapLoader()
    vi.useRealTimers()
  })

  function fakeWindow() {
    const appended: any[] = []
    const doc = {
      createElement: () => ({ remove: vi.fn() }) as any,
      head: { appendChild: (s: any) => appended.push(s) },
    }
    return { win: { document: doc } as any, appended }
  }

  it('uses a BMapGL that is already on the page', async () => {
    const { win } = fakeWindow()
    win.BMapGL = FakeBMapGL
    await expect(loadBaiduMapGL({ win, ak: '' })).resolves.toBe(FakeBMapGL)
  })

  it('refuses plainly without a key', async () => {
    const { win, appended } = fakeWindow()
    const err = await loadBaiduMapGL({ win, ak: '' }).catch((e) => e)
    expect(err).toBeInstanceOf(MapUnavailableError)
    expect(err.reason).toBe('no-key')
    expect(appended).toHaveLength(0)
    // A clerk reads it: no build variable names.
    expect(err.message).toBe('本系统尚未开通地图服务')
    expect(err.message).not.toMatch(/VITE_|[A-Z_]{4,}/)
  })

  it('loads the GL script with the key and resolves when Baidu calls back', async () => {
    const { win, appended } = fakeWindow()
    const p = loadBaiduMapGL({ win, ak: 'abc123' })
    expect(appended).toHaveLength(1)
    expect(appended[0].src).toBe('https://api.map.baidu.com/api?v=1.0&type=webgl&ak=abc123&callback=__arhBaiduMapReady')
    // The same load is shared.
    expect(loadBaiduMapGL({ win, ak: 'abc123' })).toBe(p)
    win.BMapGL = FakeBMapGL
    win.__arhBaiduMapReady()
    await expect(p).resolves.toBe(FakeBMapGL)
    expect(win.__arhBaiduMapReady).toBeUndefined()
  })

  it('fails on a network error, and may be tried again', async () => {
    const { win, appended } = fakeWindow()
    const p = loadBaiduMapGL({ win, ak: 'abc' })
    appended[0].onerror()
    const err = await p.catch((e) => e)
    expect(err.reason).toBe('load-failed')
    expect(appended[0].remove).toHaveBeenCalled()
    loadBaiduMapGL({ win, ak: 'abc' }).catch(() => {})
    expect(appended).toHaveLength(2)
  })

  it('gives up after the timeout', async () => {
    vi.useFakeTimers()
    const { win } = fakeWindow()
    const p = loadBaiduMapGL({ win, ak: 'abc', timeoutMs: 5000 })
    vi.advanceTimersByTime(5001)
    const err = await p.catch((e) => e)
    expect(err.reason).toBe('timeout')
    expect(mapFailureDetail(err.reason)).toBe('百度地图脚本加载超时')
  })

  it('reads the key from the build environment', () => {
    expect(baiduMapKey({ VITE_BAIDU_MAP_AK: ' k1 ' })).toBe('k1')
    expect(baiduMapKey({})).toBe('')
    expect(mapScriptUrl('a&b', 'cb')).toBe('https://api.map.baidu.com/api?v=1.0&type=webgl&ak=a%26b&callback=cb')
  })
})

describe('coordinates', () => {
  it('parses typed and pasted coordinates', () => {
    expect(parseCoord(' 113.086 ')).toBe(113.086)
    expect(parseCoord('22.587°')).toBe(22.587)
    expect(parseCoord('abc')).toBeNull()
    expect(parseCoord('')).toBeNull()
    expect(parseCoord(Number.NaN)).toBeNull()
    expect(parseLngLatText('113.086, 22.587')).toEqual({ lng: 113.086, lat: 22.587 })
    expect(parseLngLatText('113.086，22.587')).toEqual({ lng: 113.086, lat: 22.587 })
    expect(parseLngLatText('113.086')).toBeNull()
    expect(roundCoord(113.0861234567)).toBe(113.086123)
  })

  it('keeps points inside Jiangmen and says what is wrong', () => {
    expect(inJiangmen({ lng: 113.086, lat: 22.587 })).toBe(true)
    expect(inJiangmen({ lng: 116.4, lat: 39.9 })).toBe(false)
    expect(pointError('', '')).toBeNull()
    expect(pointError('', '', true)).toBe('请在地图上选取位置，或输入经纬度')
    expect(pointError('113.086', '')).toBe('请输入纬度（数字）')
    expect(pointError('22.587', '113.086')).toContain('填反了')
    expect(pointError('116.4', '39.9')).toContain('不在江门市范围内')
    expect(pointError(113.086, 22.587)).toBeNull()
  })

  it('reads the BD-09 point of an API location', () => {
    expect(bd09Of({ bd09: { lng: 113.086, lat: 22.587 }, wgs84: { lng: 113.07, lat: 22.58 } })).toEqual({ lng: 113.086, lat: 22.587 })
    expect(bd09Of(null)).toBeNull()
    expect(formatLngLat({ lng: 113.086, lat: 22.587 })).toBe('113.086000, 22.587000')
    expect(formatLngLat(null)).toBe('-')
  })

  it('lays out a scatter with north up and equal scale', () => {
    const pts = scatterLayout(
      [
        { id: 1, lng: 113.0, lat: 22.5 },
        { id: 2, lng: 113.2, lat: 22.7 },
      ],
      400,
      300,
      20,
    )
    // The northern point is higher on screen, the eastern one further right.
    expect(pts[1].y).toBeLessThan(pts[0].y)
    expect(pts[1].x).toBeGreaterThan(pts[0].x)
    for (const p of pts) {
      expect(p.x).toBeGreaterThanOrEqual(20)
      expect(p.x).toBeLessThanOrEqual(380)
      expect(p.y).toBeGreaterThanOrEqual(20)
      expect(p.y).toBeLessThanOrEqual(280)
    }
    // Equal scale: a degree of latitude is longer on screen than a degree of longitude.
    const dx = pts[1].x - pts[0].x
    const dy = pts[0].y - pts[1].y
    expect(dx / dy).toBeCloseTo(Math.cos((22.6 * Math.PI) / 180), 5)
    expect(scatterLayout([{ id: 1, lng: 113, lat: 22 }], 400, 300)[0]).toMatchObject({ x: 200, y: 150 })
    expect(scatterLayout([], 400, 300)).toEqual([])
  })

  it('makes a pin icon in the asked colour', () => {
    expect(decodeURIComponent(markerIconUrl('#67c23a'))).toContain('fill="#67c23a"')
  })
})

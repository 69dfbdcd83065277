// The map components over a stand-in BMapGL put on window (as a page that loaded Baidu's
// script would have it), and without one: what the user does → what the page is given.
import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import * as Icons from '@element-plus/icons-vue'
import { resetBaiduMapLoader } from '@/lib/baidu-map'
import BaiduMap from './BaiduMap.vue'
import MapPointPicker from './MapPointPicker.vue'

type Handler = (e: any) => void

class Events {
  handlers: Record<string, Handler[]> = {}
  addEventListener(n: string, h: Handler) {
    ;(this.handlers[n] ??= []).push(h)
  }
  removeEventListener(n: string, h: Handler) {
    this.handlers[n] = (this.handlers[n] ?? []).filter((x) => x !== h)
  }
  fire(n: string, e: any = {}) {
    for (const h of this.handlers[n] ?? []) h(e)
  }
}
class Point {
  constructor(
    public lng: number,
    public lat: number,
  ) {}
}
class Marker extends Events {
  constructor(
    public position: Point,
    public opts: any = {},
  ) {
    super()
  }
  setPosition(p: Point) {
    this.position = p
  }
}
const maps: FakeMap[] = []
class FakeMap extends Events {
  overlays: any[] = []
  destroyed = false
  constructor(public el: HTMLElement) {
    super()
    maps.push(this)
  }
  centerAndZoom() {}
  panTo() {}
  addOverlay(o: any) {
    this.overlays.push(o)
  }
  removeOverlay(o: any) {
    this.overlays = this.overlays.filter((x) => x !== o)
  }
  setViewport() {}
  destroy() {
    this.destroyed = true
  }
}
const FakeBMapGL = { Map: FakeMap, Point, Marker }
// The app registers the icons globally (main.ts); so does the test.
const g = { plugins: [ElementPlus], components: Icons as Record<string, any> }

afterEach(() => {
  delete (window as any).BMapGL
  resetBaiduMapLoader()
  maps.length = 0
})

describe('BaiduMap', () => {
  it('emits the clicked point and pins it when picking', async () => {
    ;(window as any).BMapGL = FakeBMapGL
    const w = mount(BaiduMap, { props: { pickable: true, modelValue: null, 'onUpdate:modelValue': (v: any) => w.setProps({ modelValue: v }) }, global: g })
    await flushPromises()
    expect(w.attributes('data-map-state')).toBe('ready')
    const map = maps[0]
    map.fire('click', { latlng: { lng: 113.0861234, lat: 22.5871234 } })
    await flushPromises()
    expect(w.emitted('update:modelValue')?.[0]).toEqual([{ lng: 113.086123, lat: 22.587123 }])
    expect(map.overlays).toHaveLength(1)
    expect((map.overlays[0] as Marker).position).toEqual(new Point(113.086123, 22.587123))
    w.unmount()
    expect(map.destroyed).toBe(true)
  })

  it('does not pick when only showing markers, and reports marker clicks', async () => {
    ;(window as any).BMapGL = FakeBMapGL
    const w = mount(BaiduMap, {
      props: { points: [{ id: 7, lng: 113.086, lat: 22.587, title: '滨江保障公寓', color: '#1f7ae0' }] },
      global: g,
    })
    await flushPromises()
    const map = maps[0]
    map.fire('click', { latlng: { lng: 113.1, lat: 22.6 } })
    expect(w.emitted('update:modelValue')).toBeUndefined()
    ;(map.overlays[0] as Marker).fire('click')
    expect(w.emitted('marker-click')?.[0]).toEqual([7])
  })

  it('says plainly when the map cannot load, and shows the fallback', async () => {
    const w = mount(BaiduMap, { slots: { fallback: '<div class="fb">坐标分布图</div>' }, global: g })
    await flushPromises()
    expect(w.attributes('data-map-state')).toBe('unavailable')
    expect(w.find('[data-test=map-unavailable]').text()).toContain('地图服务无法加载，可直接输入经纬度')
    expect(w.find('[data-test=map-unavailable]').text()).toContain('本系统尚未开通地图服务')
    expect(w.find('.fb').exists()).toBe(true)
  })
})

describe('MapPointPicker', () => {
  function mountPicker(required = false) {
    const w = mount(MapPointPicker, {
      props: { modelValue: null, required, showErrors: true, 'onUpdate:modelValue': (v: any) => w.setProps({ modelValue: v }) },
      global: g,
    })
    return w
  }

  it('works with typed coordinates when there is no map', async () => {
    const w = mountPicker(true)
    await flushPromises()
    expect(w.find('[data-test=map-unavailable]').exists()).toBe(true)
    expect(w.find('[data-test=map-point-error]').text()).toBe('请在地图上选取位置，或输入经纬度')
    await w.find('input[data-test=map-lng]').setValue('113.086')
    await w.find('input[data-test=map-lat]').setValue('22.587')
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([{ lng: 113.086, lat: 22.587 }])
    expect(w.find('[data-test=map-point-error]').exists()).toBe(false)
    // A point outside Jiangmen is refused: the model is cleared, the text stays for correction.
    await w.find('input[data-test=map-lat]').setValue('39.9')
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([null])
    expect(w.find('[data-test=map-point-error]').text()).toContain('不在江门市范围内')
    expect((w.find('input[data-test=map-lat]').element as HTMLInputElement).value).toBe('39.9')
  })

  it('fills both boxes from a pasted pair', async () => {
    const w = mountPicker()
    await flushPromises()
    await w.find('input[data-test=map-lng]').setValue('113.1245, 22.5608')
    expect((w.find('input[data-test=map-lat]').element as HTMLInputElement).value).toBe('22.5608')
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([{ lng: 113.1245, lat: 22.5608 }])
  })

  it('takes a map click into the boxes', async () => {
    ;(window as any).BMapGL = FakeBMapGL
    const w = mountPicker()
    await flushPromises()
    maps[0].fire('click', { latlng: { lng: 113.0748, lat: 22.5812 } })
    await flushPromises()
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([{ lng: 113.0748, lat: 22.5812 }])
    expect((w.find('input[data-test=map-lng]').element as HTMLInputElement).value).toBe('113.0748')
    expect((w.find('input[data-test=map-lat]').element as HTMLInputElement).value).toBe('22.5812')
  })
})

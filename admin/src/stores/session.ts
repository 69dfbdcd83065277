import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { get, post } from '@/api/client'
import { clearToken, getToken, setToken } from '@/lib/auth-token'
import type { MenuNode } from '@/lib/menu'

export interface Account {
  id: number | string
  kind: string
  name: string
  login_name: string
  position?: string | null
  [k: string]: unknown
}

export interface Org {
  id: number | string
  name: string
  kind: string
  district_code?: string | null
  [k: string]: unknown
}

export interface Me {
  account: Account
  org: Org | null
  permissions: string[]
  menus: MenuNode[]
  scope: string
  roles?: { id: number | string; name: string }[]
}

export const useSession = defineStore('session', () => {
  const token = ref<string | null>(getToken())
  const me = ref<Me | null>(null)

  const permissions = computed(() => new Set(me.value?.permissions ?? []))
  const menus = computed<MenuNode[]>(() => me.value?.menus ?? [])

  function hasPerm(code: string): boolean {
    return permissions.value.has(code)
  }

  async function login(username: string, password: string): Promise<void> {
    const res = await post<{ token: string }>('/auth/login', { username, password }, { quiet: true })
    setToken(res.token)
    token.value = res.token
    me.value = null
    await loadMe()
  }

  async function loadMe(): Promise<Me> {
    const data = await get<Me>('/auth/me')
    data.menus = Array.isArray(data.menus) ? data.menus : []
    data.permissions = Array.isArray(data.permissions) ? data.permissions : []
    me.value = data
    return data
  }

  /** Forget the session locally (token, cached identity). */
  function reset(): void {
    clearToken()
    token.value = null
    me.value = null
  }

  async function logout(): Promise<void> {
    try {
      if (token.value) await post('/auth/logout', {}, { quiet: true })
    } catch {
      /* the session is dropped locally whatever the server says */
    } finally {
      reset()
    }
  }

  return { token, me, permissions, menus, hasPerm, login, loadMe, logout, reset }
})

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

/** What the password step answers when the account needs a second factor. */
export interface LoginChallenge {
  second_factor: 'sms'
  challenge_token: string
  /** Printed in the SMS too, so the person can tell which login a code belongs to. */
  ref: string
  /** Masked, e.g. 138****0101. */
  phone: string
  expires_in: number
  resend_after: number
}

export const useSession = defineStore('session', () => {
  const token = ref<string | null>(getToken())
  const me = ref<Me | null>(null)

  const permissions = computed(() => new Set(me.value?.permissions ?? []))
  const menus = computed<MenuNode[]>(() => me.value?.menus ?? [])

  function hasPerm(code: string): boolean {
    return permissions.value.has(code)
  }

  /** The password step. Null when that was enough; otherwise the challenge the SMS code answers. */
  async function login(username: string, password: string): Promise<LoginChallenge | null> {
    const res = await post<{ token?: string } & Partial<LoginChallenge>>(
      '/auth/login', { username, password }, { quiet: true })
    if (!res.token) return res as LoginChallenge
    await begin(res.token)
    return null
  }

  /** The second step: the code sent to the phone on file. */
  async function verifyCode(challengeToken: string, code: string): Promise<void> {
    const res = await post<{ token: string }>(
      '/auth/login/verify', { challenge_token: challengeToken, code }, { quiet: true })
    await begin(res.token)
  }

  async function resendCode(challengeToken: string): Promise<{ ref: string; resend_after: number }> {
    return post<{ ref: string; resend_after: number }>(
      '/auth/login/resend', { challenge_token: challengeToken }, { quiet: true })
  }

  async function begin(newToken: string): Promise<void> {
    setToken(newToken)
    token.value = newToken
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

  return { token, me, permissions, menus, hasPerm, login, verifyCode, resendCode, loadMe, logout, reset }
})

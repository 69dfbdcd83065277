import { describe, expect, it } from 'vitest'
import { LOGIN_NAME_RE, passwordPolicyError } from './password'

describe('passwordPolicyError', () => {
  it('accepts the demo and clerk passwords', () => {
    expect(passwordPolicyError('Demo@2026')).toBeNull()
    expect(passwordPolicyError('Clerk@2026x')).toBeNull()
    expect(passwordPolicyError('abcdEF12')).toBeNull()
  })

  it('refuses short, long and too simple passwords', () => {
    expect(passwordPolicyError('Ab@1')).toBe('密码长度至少8位')
    expect(passwordPolicyError('Aa1!'.repeat(17))).toBe('密码长度不能超过64位')
    expect(passwordPolicyError('abcdefgh1')).toMatch('至少三类')
    expect(passwordPolicyError('ABCDEFGH!')).toMatch('至少三类')
  })

  it('refuses a password equal to the login name', () => {
    expect(passwordPolicyError('Zhang.San1', ['zhang.san1'])).toMatch('不能与用户名')
    expect(passwordPolicyError('Zhang.San1', [null, undefined])).toBeNull()
  })
})

describe('LOGIN_NAME_RE', () => {
  it('wants a letter first and 3-32 safe characters', () => {
    expect(LOGIN_NAME_RE.test('e2e_clerk_1')).toBe(true)
    expect(LOGIN_NAME_RE.test('zhang.san-2')).toBe(true)
    expect(LOGIN_NAME_RE.test('1abc')).toBe(false)
    expect(LOGIN_NAME_RE.test('ab')).toBe(false)
    expect(LOGIN_NAME_RE.test('张三abc')).toBe(false)
    expect(LOGIN_NAME_RE.test('a'.repeat(33))).toBe(false)
  })
})

// The backend's password policy (MLPS level 3), checked in the form first so
// the user learns the rule before submitting. The backend still decides.

export const PASSWORD_RULE = '8-64 位，至少包含大写字母、小写字母、数字、特殊字符中的三类'

export function passwordPolicyError(pw: string, others: (string | null | undefined)[] = []): string | null {
  if (typeof pw !== 'string' || pw.length < 8) return '密码长度至少8位'
  if (pw.length > 64) return '密码长度不能超过64位'
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(pw)).length
  if (classes < 3) return '密码需包含大写字母、小写字母、数字、特殊字符中的至少三类'
  const low = pw.toLowerCase()
  if (others.some((v) => v && v.toLowerCase() === low)) return '密码不能与用户名、身份证号或手机号相同'
  return null
}

/** Login names: a letter first, then letters, digits, `_`, `.` or `-`; 3-32 long. */
export const LOGIN_NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]{2,31}$/

// Code → Chinese label dictionaries shared by every page (GLOSSARY.md names).
// The server's enumerations come from the server: `dicts` is src/api/dicts.json, generated from
// GET /api/v1/dicts (app/api/dicts.py) by `npm run gen:api`; never copy one here.
import type { FilterOption } from './query'
import serverDicts from '@/api/dicts.json'

export interface Dict {
  [code: string]: string
}

export type DictName = keyof typeof serverDicts

/** The server's enumerations, loaded once: name → code → label, in the server's order. */
export const dicts: Readonly<Record<DictName, Readonly<Dict>>> = serverDicts

/** The codes of a value list (e.g. 朝向), in the server's order. */
export function codes(name: DictName): string[] {
  return Object.keys(dicts[name])
}

export const ORG_KINDS: Dict = dicts.OrgKind

export const DISTRICTS: Dict = dicts.District

export const POSITIONS: Dict = dicts.Position

export const ACCOUNT_KINDS: Dict = dicts.AccountKind

export const SCOPES: Dict = {
  CITY: '全市',
  DISTRICT: '本辖区',
  ORG: '本单位',
  SELF: '本人',
}

export const STAFF_STATUS: Dict = { active: '在职', left: '已离职' }

export function label(dict: Dict, code: unknown, empty = '-'): string {
  if (code === null || code === undefined || code === '') return empty
  return dict[String(code)] ?? String(code)
}

export function options(dict: Dict): FilterOption[] {
  return Object.entries(dict).map(([value, label]) => ({ value, label }))
}

export const BOOL_OPTIONS = (yes = '是', no = '否'): FilterOption[] => [
  { value: true, label: yes },
  { value: false, label: no },
]

/** Audit actions the backend records; unknown ones show their code. */
export const AUDIT_ACTIONS: Dict = {
  'auth.login': '登录',
  'auth.login_failed': '登录失败',
  'auth.lockout': '登录失败次数过多锁定',
  'auth.logout': '退出登录',
  'person.register': '个人用户注册',
  'person.password_reset': '个人用户找回密码',
  'account.password_change': '修改密码',
  'account.password_reset': '重置密码',
  'account.phone_change': '更换手机号',
  'account.phone': '设置手机号',
  'account.enable': '启用账号',
  'account.disable': '停用账号',
  'account.ca_bind': '绑定CA证书',
  'account.ca_enable': '启用CA证书',
  'account.ca_disable': '停用CA证书',
  'account.ca_unbind': '解绑CA证书',
  'staff.hire': '登记入职',
  'staff.update': '修改员工信息',
  'staff.account_open': '开通账号',
  'staff.roles': '分配角色',
  'staff.leave': '登记离职',
  'org.main_account_lock': '锁定单位主账号',
  'org.main_account_unlock': '解锁单位主账号',
  'org.main_account_roles': '设置主账号角色',
  'role.create': '新增角色',
  'role.update': '修改角色',
  'role.delete': '删除角色',
  'pii.view': '查看完整个人信息',
  'file.upload': '上传文件',
  'seed.org': '初始化单位',
  'seed.account': '初始化账号',
  'exchange.enqueue': '报文排队发送',
  'exchange.dead': '报文转入死信',
  'exchange.replay': '重新投递报文',
  'exchange.apply': '处理接收报文',
  'exchange.receive': '接收报文',
  'exchange.reject': '拒收报文',
  'house_transaction.create': '登记房屋交易',
  'house_transaction.update': '更新房屋交易',
}

export const OBJECT_TYPES: Dict = {
  account: '账号',
  org: '单位',
  role: '角色',
  session: '会话',
  login: '登录',
  file: '文件',
  exchange_message: '交换报文',
  house_transaction: '房屋交易',
}

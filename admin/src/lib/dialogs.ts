import { h } from 'vue'
import { ElMessageBox } from 'element-plus'

/** Ask before a consequential action; resolves to whether the user agreed. */
export async function confirmAction(message: string, title = '请确认', confirmText = '确定'): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, { type: 'warning', confirmButtonText: confirmText, cancelButtonText: '取消' })
    return true
  } catch {
    return false
  }
}

/** A reset password comes back once; it is shown once and never stored. */
export function showTemporaryPassword(password: string, who: string): Promise<unknown> {
  return ElMessageBox.alert(
    h('div', { class: 'temp-pwd-box' }, [
      h('p', { style: 'margin:0 0 10px' }, `${who} 的密码已重置，新的临时密码为：`),
      h(
        'div',
        {
          class: 'mono',
          'data-test': 'temporary-password',
          style: 'font-size:20px;font-weight:600;letter-spacing:1px;padding:10px 14px;background:#f4f7fc;border:1px dashed #a0b6d8;border-radius:4px;text-align:center;user-select:all',
        },
        password,
      ),
      h('p', { style: 'margin:10px 0 0;color:#e6a23c;font-size:12px' }, '临时密码只显示这一次，请通过安全渠道告知本人，并提醒其登录后立即修改密码。'),
    ]),
    '重置密码',
    { confirmButtonText: '我已记下', type: 'success', closeOnClickModal: false, closeOnPressEscape: false },
  )
}

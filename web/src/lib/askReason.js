// Asks why a record is corrected (a visit or a counselling session voided,
// a project's money line reversed): a box with the message, a text field
// that must say something within max characters, and the confirming
// button. Resolves to the trimmed reason, or null when the user cancels.
import { ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message-box/style/css'
import { charLength } from './visits.js'

export async function askReason(t, { title, message, confirm, placeholder, boxClass, okClass, max = 200, required, tooLong }) {
  try {
    const { value } = await ElMessageBox.prompt(message, title, {
      confirmButtonText: confirm,
      cancelButtonText: t('common.cancel'),
      inputPlaceholder: placeholder,
      inputValidator: (v) => {
        if (!v || !v.trim()) return required || t('visit.err_void_reason')
        return charLength(v.trim()) <= max ? true : tooLong || t('visit.err_void_long', { n: max })
      },
      customClass: boxClass,
      confirmButtonClass: okClass,
    })
    return value.trim()
  } catch {
    return null // kept
  }
}

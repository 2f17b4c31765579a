// Attachments of help requests, as the server takes them: JPEG, PNG or PDF
// files of at most 10 MiB each. Checked before sending, so that a file
// the server would refuse is said at once with the reason, not lost.
import { k } from '../i18n.js'

export const ATTACH_ACCEPT = 'image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf'
export const ATTACH_MAX_BYTES = 10 * 1024 * 1024
const TYPES = ['image/jpeg', 'image/png', 'application/pdf']

// The catalogue key of what is wrong with a file, or '' when nothing is.
export function attachProblem(file) {
  const typeOk = TYPES.includes(file.type) || (!file.type && /\.(jpe?g|png|pdf)$/i.test(file.name || ''))
  if (!typeOk) return k('req.attach_bad_type')
  if (file.size > ATTACH_MAX_BYTES) return k('req.attach_too_big')
  if (file.size === 0) return k('req.attach_empty')
  return ''
}

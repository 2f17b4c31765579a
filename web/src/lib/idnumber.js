// What a resident ID number (GB 11643) says about its holder, as the
// server derives it: the sex (the 17th digit, odd for male) and the birth
// date, once the number is whole — 18 characters with a right check
// character, or a 15-digit legacy number (converted: "19" inserted, the
// check computed) — and its date is real. null otherwise: the form then
// leaves the two fields to the server's answer.
import { k } from '../i18n.js'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

function checkChar(first17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

export function idFacts(raw) {
  let s = String(raw || '')
    .trim()
    .toUpperCase()
  if (/^\d{15}$/.test(s)) {
    const body = s.slice(0, 6) + '19' + s.slice(6)
    s = body + checkChar(body)
  }
  if (!/^\d{17}[\dX]$/.test(s) || checkChar(s.slice(0, 17)) !== s[17]) return null
  const y = Number(s.slice(6, 10))
  const m = Number(s.slice(10, 12))
  const d = Number(s.slice(12, 14))
  const day = new Date(Date.UTC(y, m - 1, d))
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return null
  return { sex: Number(s[16]) % 2 ? 'M' : 'F', birth_date: `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}` }
}

// What is wrong with a whole-looking number, as the server would say it
// (an error key of the catalogue), or '' when nothing is (or it is empty).
export function idProblem(raw) {
  const s = String(raw || '')
    .trim()
    .toUpperCase()
  if (!s) return ''
  if (s.length !== 18 && s.length !== 15) return k('err.id_length')
  if (!/^(\d{17}[\dX]|\d{15})$/.test(s)) return k('err.id_chars')
  if (s.length === 18 && checkChar(s.slice(0, 17)) !== s[17]) return k('err.id_checksum')
  return idFacts(s) ? '' : k('err.id_date')
}

// The header row of a CSV file, read in the browser before the upload so
// the user can see (and correct) how its columns will be read. UTF-8 (with
// or without BOM) or GB18030, as the importer accepts. XLSX files are read
// by the server only; for them this returns null.

const SAMPLE = 64 * 1024
// the largest list the server takes (imports and reconciliations)
export const LIST_MAX_BYTES = 64 * 1024 * 1024

/** Why a chosen list file cannot be sent ('' if it can): CSV or XLSX, not empty, not too big. */
export function listFileError(f, t) {
  if (!/\.(csv|xlsx)$/i.test(f.name)) return t('import.wrong_type')
  if (f.size === 0) return t('import.empty_file')
  if (f.size > LIST_MAX_BYTES) return t('import.too_big')
  return ''
}

export function isXlsx(bytes) {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
}

function decode(bytes) {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3)
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    // a cut in the middle of a UTF-8 character at the end of the sample
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Math.max(0, bytes.length - 3)))
    } catch {
      return new TextDecoder('gb18030').decode(bytes)
    }
  }
}

// The cells of the first record (RFC 4180 quoting).
export function firstRecord(text) {
  const cells = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"' && cell === '') quoted = true
    else if (c === ',') {
      cells.push(cell)
      cell = ''
    } else if (c === '\r' || c === '\n') break
    else cell += c
  }
  cells.push(cell)
  return cells
}

// {kind: 'csv', headers: [...]} or {kind: 'xlsx', headers: null}
// As the server reads the file: rows of empty cells (",,,") before the
// header are no rows, and a cell is read without the blanks around it.
export async function readHeaders(file) {
  const bytes = new Uint8Array(await file.slice(0, SAMPLE).arrayBuffer())
  if (isXlsx(bytes)) return { kind: 'xlsx', headers: null }
  const text = decode(bytes).replace(/^([ \t\u3000,]*\r?\n)+/, '')
  const headers = firstRecord(text).map((h) => h.replace(/^[\s\u3000]+|[\s\u3000]+$/g, ''))
  return { kind: 'csv', headers: headers.every((h) => h === '') ? [] : headers }
}

// The server keeps most free text in UTF-8 buffers of a fixed number of
// bytes, and a Chinese character takes three of them. A form's limit in
// characters is therefore the server's limit in bytes divided by three: all
// that fits in the form is kept, whatever the language typed.
export const chars = (bytes) => Math.floor(bytes / 3)

// src/store/q_loop.h: REQ_NARRATIVE_MAX, REQ_TEXT_MAX, REQ_REASON_MAX
export const NARRATIVE_MAX = chars(4000)
export const STEP_TEXT_MAX = { note: chars(2000), result: chars(2000), feedback: chars(2000), police: chars(2000), reason: chars(500) }
// a referral's ask (src/api/requests.c)
export const ASK_MAX = chars(1000)
// a child's record and guardians (src/api/children.c, src/api/registry.c)
export const CHILD_MAX = { name: chars(96), grade: chars(20), serious_illness: chars(90), notes: chars(1000), guardian_name: chars(60), work_place: chars(120) }
// an account's or a unit's display name, evidence of a category (120 bytes)
export const LABEL_MAX = chars(120)

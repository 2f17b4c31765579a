// The server keeps most free text in UTF-8 buffers of a fixed number of
// bytes, and a Chinese character takes three of them. A form's limit in
// characters is therefore the server's limit in bytes divided by three: all
// that fits in the form is kept, whatever the language typed.
export const chars = (bytes) => Math.floor(bytes / 3)

// The closed loop's texts are limited in characters (code points) by the
// server, whatever their bytes (src/store/q_loop.h: REQ_NARRATIVE_CHARS,
// REQ_TEXT_CHARS, REQ_REASON_CHARS, REQ_ASK_CHARS). A form's maxlength
// counts UTF-16 units, so a character outside the BMP counts twice there:
// never more than the server keeps.
export const NARRATIVE_MAX = 4000
export const STEP_TEXT_MAX = { note: 2000, result: 2000, feedback: 2000, police: 2000, reason: 500 }
// a referral's ask
export const ASK_MAX = 1000
// a child's record and guardians (src/api/children.c, src/api/registry.c)
export const CHILD_MAX = { name: chars(96), grade: chars(20), serious_illness: chars(90), notes: chars(1000), guardian_name: chars(60), work_place: chars(120) }
// an account's or a unit's display name, evidence of a category (120 bytes)
export const LABEL_MAX = chars(120)

// What the dialogs' forms share: an error for each field, one above the
// form (general), the busy flag while sending, and sending itself — check
// the form (the first field in error takes the focus), send, hand the
// answer on ('done') and close; a refusal shows on the field it names, or
// above the form.
import { reactive, ref } from 'vue'
import { errorText, focusFirstError } from './errors.js'

export function useDialogForm({ fields, form, t, emit }) {
  const errs = reactive(Object.fromEntries(fields.map((f) => [f, ''])))
  const general = ref('')
  const busy = ref(false)

  function clearErrors() {
    for (const f of fields) errs[f] = ''
    general.value = ''
  }
  const hasErrors = () => fields.some((f) => errs[f])

  // validate (optional): false stops; request: the call, its answer goes
  // with 'done'; refused (optional): takes a refusal of its own and says
  // true; fieldOf: the field a refusal names (by default as the server
  // names it); textOf: its words (by default errorText).
  async function send({ validate, request, refused, fieldOf = (e) => e.field, textOf = (e) => errorText(t, e) }) {
    if (busy.value) return
    if (validate && !validate()) {
      focusFirstError(form)
      return
    }
    busy.value = true
    try {
      const r = await request()
      emit('done', r)
      emit('update:open', false)
    } catch (e) {
      if (refused && refused(e)) return
      const f = fieldOf(e)
      const text = textOf(e)
      if (f && f in errs) {
        errs[f] = text
        focusFirstError(form)
      } else {
        general.value = text
      }
    } finally {
      busy.value = false
    }
  }

  return { errs, general, busy, clearErrors, hasErrors, send }
}

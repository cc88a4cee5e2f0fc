package app.onward.model

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow

/** A form: what the person typed so far ([state]), changed field by field with [edit]. */
abstract class FormModel<S>(private val blank: S) {
    protected val mutable = MutableStateFlow(blank)

    /** What the form draws. */
    val state: StateFlow<S> = mutable

    /** Changes what was typed, e.g. `form.edit { it.copy(company = text) }`. */
    fun edit(change: (S) -> S) {
        mutable.value = change(mutable.value)
    }

    /** Empties the form for the next one. */
    fun clear() {
        mutable.value = blank
    }
}

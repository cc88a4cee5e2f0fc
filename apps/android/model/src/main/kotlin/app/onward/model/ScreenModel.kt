package app.onward.model

import app.onward.JournalChange
import app.onward.RecordKind
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow

/**
 * One screen's state and actions. The UI draws [state] and calls the actions; the
 * [AppModel] calls [refresh] only when a change touches what this screen shows.
 */
abstract class ScreenModel<S>(initial: S) {
    protected val mutable = MutableStateFlow(initial)

    /** What the screen draws. */
    val state: StateFlow<S> = mutable

    /** Whether [change] touches what this screen shows. */
    abstract fun shows(change: JournalChange): Boolean

    /** Reads what the screen shows afresh from the journal. */
    abstract suspend fun refresh()
}

/** True when [change] names one of [kinds]. */
internal fun JournalChange.touches(kinds: Set<RecordKind>): Boolean = this.kinds.any { it in kinds }

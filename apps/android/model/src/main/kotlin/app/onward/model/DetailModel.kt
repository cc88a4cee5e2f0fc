package app.onward.model

import app.onward.JournalChange
import app.onward.Link
import app.onward.Record
import app.onward.RecordKind
import app.onward.Stage

/** One record with its links both ways; tapping a link opens that record. */
data class DetailState(
    val id: String? = null,
    val kind: RecordKind? = null,
    val title: String = "",
    val record: Record? = null,
    val linksTo: List<Link> = emptyList(),
    val linkedFrom: List<Link> = emptyList(),
    /** For an open application: the stages it can move on to. */
    val nextStages: List<Stage> = emptyList(),
    val problem: String? = null,
)

class DetailModel(private val store: JournalStore) : ScreenModel<DetailState>(DetailState()) {

    // A write that touches the record or one it links with (a new interview moves its
    // application's stage, so the application is among the changed ids).
    override fun shows(change: JournalChange): Boolean {
        val s = state.value
        val id = s.id ?: return false
        val shown = setOf(id) + s.linksTo.map { it.id } + s.linkedFrom.map { it.id }
        return change.ids.any { it in shown }
    }

    override suspend fun refresh() {
        state.value.id?.let { show(it) }
    }

    /** Opens a record by id (or a link's id). */
    suspend fun show(id: String) {
        store.attempt { it.record(id) }
            .onSuccess { d ->
                mutable.value = DetailState(
                    id = d.item.id,
                    kind = d.item.kind,
                    title = d.item.title,
                    record = d.item.record,
                    linksTo = d.linksTo,
                    linkedFrom = d.linkedFrom,
                    nextStages = (d.item.record as? Record.Application)?.application?.nextStages ?: emptyList(),
                )
            }.onFailure { e -> mutable.value = mutable.value.copy(problem = e.message) }
    }
}

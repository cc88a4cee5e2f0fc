package app.onward.model

import app.onward.Goal
import app.onward.GoalEdit
import app.onward.GoalKind
import app.onward.GoalStatus
import app.onward.JournalChange
import app.onward.NewGoal
import app.onward.Record
import app.onward.RecordKind
import app.onward.TimelineQuery

/** Moving forward: goals, each maybe grown from a feedback point or a reflection. */
data class GrowthState(
    val kind: GoalKind = GoalKind.SKILL,
    val title: String = "",
    /** The record the new goal grows from, and its title to show. */
    val originId: String? = null,
    val originTitle: String? = null,
    val goals: List<Goal> = emptyList(),
    val problem: String? = null,
)

class GrowthModel(private val store: JournalStore) : ScreenModel<GrowthState>(GrowthState()) {

    override fun shows(change: JournalChange) = RecordKind.GOAL in change.kinds

    override suspend fun refresh() {
        store.attempt { j ->
            j.timeline(TimelineQuery(kinds = listOf(RecordKind.GOAL), limit = 100u))
                .mapNotNull { (it.record as? Record.Goal)?.goal }
        }.onSuccess { goals -> mutable.value = mutable.value.copy(goals = goals, problem = null) }
            .onFailure { e -> mutable.value = mutable.value.copy(problem = e.message) }
    }

    fun edit(change: (GrowthState) -> GrowthState) {
        mutable.value = change(mutable.value)
    }

    /** Starts a goal from a rejection's feedback or a journal entry. */
    suspend fun from(originId: String) {
        store.attempt { it.record(originId) }
            .onSuccess { d -> edit { it.copy(originId = d.item.id, originTitle = d.item.title, problem = null) } }
            .onFailure { e -> edit { it.copy(problem = e.message) } }
    }

    suspend fun add(): Result<Goal> {
        val s = state.value
        val new = NewGoal(kind = s.kind, title = s.title.trim(), originId = s.originId)
        return store.attempt { it.addGoal(new) }
            .onSuccess { edit { it.copy(title = "", originId = null, originTitle = null, problem = null) } }
            .onFailure { e -> edit { it.copy(problem = e.message) } }
    }

    /** Moves a goal along, 0 to 100 percent; 100 marks it done. */
    suspend fun progress(id: String, percent: Int): Result<Goal> {
        val status = if (percent >= 100) GoalStatus.DONE else GoalStatus.IN_PROGRESS
        return store.attempt { it.editGoal(id, GoalEdit(progress = percent.toUByte(), status = status)) }
            .onFailure { e -> edit { it.copy(problem = e.message) } }
    }
}

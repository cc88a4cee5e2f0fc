package app.onward.model

import app.onward.Activity
import app.onward.ActivityCategory
import app.onward.JournalChange
import app.onward.NewActivity
import app.onward.Record
import app.onward.RecordKind
import app.onward.TimelineQuery
import java.time.Clock

/** Stepping back for a day: mood before, the activity, mood after. */
data class StepBackState(
    val category: ActivityCategory = ActivityCategory.SOCIAL,
    val description: String = "",
    val moodBefore: Int? = null,
    /** Started or planned, waiting for how it felt after. */
    val underway: List<Activity> = emptyList(),
    val done: List<Activity> = emptyList(),
    val problem: String? = null,
)

class StepBackModel(private val store: JournalStore, private val clock: Clock) :
    ScreenModel<StepBackState>(StepBackState()) {

    override fun shows(change: JournalChange) = RecordKind.ACTIVITY in change.kinds

    override suspend fun refresh() {
        store.attempt { j ->
            j.timeline(TimelineQuery(kinds = listOf(RecordKind.ACTIVITY), limit = 50u))
                .mapNotNull { (it.record as? Record.Activity)?.activity }
        }.onSuccess { all ->
            mutable.value = mutable.value.copy(
                underway = all.filter { it.doneAt == null },
                done = all.filter { it.doneAt != null },
                problem = null,
            )
        }.onFailure { e -> mutable.value = mutable.value.copy(problem = e.message) }
    }

    fun edit(change: (StepBackState) -> StepBackState) {
        mutable.value = change(mutable.value)
    }

    /** Starts the activity now, with the mood before it. */
    suspend fun start(): Result<Activity> {
        val s = state.value
        val new = NewActivity(
            category = s.category,
            description = s.description.trim(),
            plannedFor = clock.instant(),
            moodBefore = s.moodBefore?.toUByte(),
        )
        return store.attempt { it.logActivity(new) }
            .onSuccess { mutable.value = mutable.value.copy(description = "", moodBefore = null, problem = null) }
            .onFailure { e -> mutable.value = mutable.value.copy(problem = e.message) }
    }

    /** It's done: how do you feel now? */
    suspend fun finish(id: String, moodAfter: Int): Result<Activity> =
        store.attempt { it.completeActivity(id, moodAfter.toUByte()) }
            .onFailure { e -> mutable.value = mutable.value.copy(problem = e.message) }
}

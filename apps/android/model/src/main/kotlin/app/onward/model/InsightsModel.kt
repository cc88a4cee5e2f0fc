package app.onward.model

import app.onward.Insights
import app.onward.JournalChange
import app.onward.RecordKind
import app.onward.stageLabel

/** The big picture as simple chart data: effort first, then the funnel and mood. */
data class InsightsState(
    val loading: Boolean = true,
    /** Small steps per week, oldest first. */
    val effort: List<Bar> = emptyList(),
    /** Applications that reached each stage. */
    val funnel: List<Bar> = emptyList(),
    /** Average mood per week (1 to 5); null where there was no check-in. */
    val mood: List<Point> = emptyList(),
    val streakDays: Long = 0,
    val responseRate: Double? = null,
    val problem: String? = null,
)

/** One bar: a label, its height, and a sentence for screen readers. */
data class Bar(val label: String, val value: Long, val spoken: String)

/** One point of a line; [value] is null for a gap. */
data class Point(val label: String, val value: Double?)

/** Days and weeks are the journal's own, in the zone the store gave it. */
class InsightsModel(private val store: JournalStore, private val weeks: Int = 12) :
    ScreenModel<InsightsState>(InsightsState()) {

    override fun shows(change: JournalChange) = change.kinds.any { it != RecordKind.CONTACT }

    override suspend fun refresh() {
        store.attempt { it.insights(weeks.toUInt()) }
            .onSuccess { mutable.value = draw(it) }
            .onFailure { e -> mutable.value = mutable.value.copy(loading = false, problem = e.message) }
    }

    private fun draw(i: Insights) = InsightsState(
        loading = false,
        effort = i.weeks.map { Bar(it.week, it.total, "${it.total} small steps in the week of ${it.starts}") },
        funnel = i.funnel.map {
            val label = stageLabel(it.stage)
            Bar(label, it.reached, "${it.reached} reached ${label.lowercase()}")
        },
        mood = i.mood.map { Point(it.week, it.valence) },
        streakDays = i.currentStreakDays,
        responseRate = i.responseRate,
    )
}

package app.onward.model

import app.onward.JournalChange
import app.onward.NewMood
import app.onward.RecordKind
import app.onward.ReminderRule
import java.time.Clock
import java.time.Duration

/**
 * The first screen: what's due, the quick-log buttons, a one-tap check-in. What it
 * shows (the greeting, which reminders and how many) is the core's `today()`.
 */
data class TodayState(
    val loading: Boolean = true,
    val greeting: String = "",
    /** The few due reminders shown, oldest first. */
    val reminders: List<ReminderRow> = emptyList(),
    /** How many more are due beyond those shown. */
    val more: Int = 0,
    val recent: List<Row> = emptyList(),
    val quickLogs: List<QuickLog> = QuickLog.entries,
    val checkedInValence: Int? = null,
    val problem: String? = null,
)

/** A due reminder: [title] is the core's own words; [key] marks it done or snoozed. */
data class ReminderRow(val key: String, val rule: ReminderRule, val title: String, val snoozed: Boolean, val targetId: String?)

/** A record as lists show it. */
data class Row(val id: String, val kind: RecordKind, val title: String)

/** The quick-log buttons on Today, each one tap to its screen. */
enum class QuickLog(val label: String, val destination: Destination) {
    APPLICATION("I applied", Destination.LOG_APPLICATION),
    INTERVIEW("I had an interview", Destination.LOG_INTERVIEW),
    REJECTION("I heard no", Destination.LOG_REJECTION),
    ENTRY("Write", Destination.WRITE_ENTRY),
    STEP_BACK("Step back", Destination.STEP_BACK),
    GROWTH("Move forward", Destination.GROWTH),
}

class TodayModel(private val store: JournalStore, private val clock: Clock) : ScreenModel<TodayState>(TodayState()) {
    // Reminders follow from what was logged; contacts and goals bring none.
    private val watched = RecordKind.entries.toSet() - setOf(RecordKind.CONTACT, RecordKind.GOAL)

    override fun shows(change: JournalChange) = change.touches(watched) || change.reminders.isNotEmpty()

    override suspend fun refresh() {
        store.attempt { it.today() }.onSuccess { t ->
            mutable.value = mutable.value.copy(
                loading = false,
                greeting = t.greeting,
                reminders = t.reminders.map { ReminderRow(it.key, it.rule, it.title, it.snoozed, it.targetId) },
                more = t.more.toInt(),
                recent = t.recent.map { Row(it.id, it.kind, it.title) },
                problem = null,
            )
        }.onFailure(::show)
    }

    /** Marks a reminder done. */
    suspend fun done(key: String) {
        store.attempt { it.completeReminder(key) }.onFailure(::show)
    }

    /** Puts a reminder off for [by] (a day unless said otherwise). */
    suspend fun snooze(key: String, by: Duration = Duration.ofDays(1)) {
        store.attempt { it.snoozeReminder(key, clock.instant().plus(by)) }.onFailure(::show)
    }

    /** The one-tap check-in: a face from 1 (heavy) to 5 (bright). */
    suspend fun checkIn(valence: Int) {
        store.attempt { it.logMood(NewMood(valence = valence.toUByte())) }
            .onSuccess { mutable.value = mutable.value.copy(checkedInValence = valence, problem = null) }
            .onFailure(::show)
    }

    private fun show(e: Throwable) {
        mutable.value = mutable.value.copy(loading = false, problem = e.message)
    }
}

package app.onward.model

import app.onward.NewApplication
import app.onward.Outcome
import app.onward.PostedNotice
import app.onward.Stage
import app.onward.activityCategoryLabel
import app.onward.ActivityCategory
import app.onward.Reason
import app.onward.RecordKind
import app.onward.reasonLabel
import app.onward.recordKindLabel
import app.onward.testing.RuleCase
import app.onward.testing.RulesTable
import java.time.ZoneId
import kotlin.test.assertEquals

// The shared table of rule cases (tests/cases/rules.json) through the model, as the
// screens and the notifier see it; the CLI, Python and the Kotlin bindings read the
// same table.
val rulesTableTests: List<Pair<String, () -> Unit>> by lazy {
    val table = RulesTable.load()
    table.cases.map { case -> "rules table: ${case.name}" to { todayAndNotifier(case) } } +
        listOf("rules table: the board's next stages and titles, and labels" to { boardTitlesLabels(table) })
}

/** A posted log in memory, holding what the table says was posted. */
private class Remembered(var posted: List<PostedNotice>) : PostedLog {
    override fun load() = posted
    override fun save(posted: List<PostedNotice>) {
        this.posted = posted
    }
}

private fun todayAndNotifier(case: RuleCase) = withApp(clock = SteppingClock(case.now.atZone(ZoneId.of(case.zone)))) {
    val ids = case.applications.map {
        app.store.read { j -> j.logApplication(NewApplication(company = it.company, role = it.role, appliedAt = it.appliedAt)) }.meta.id
    }
    app.today.refresh()
    val today = app.today.state.value
    assertEquals(case.today.greeting, today.greeting)
    assertEquals(case.today.reminders, today.reminders.map { ids.indexOf(it.targetId) })
    assertEquals(case.today.more, today.more)

    val log = Remembered(case.posted.map { PostedNotice("follow_up:${ids[it.application]}", it.at) })
    val notices = mutableListOf<String>()
    val nextCheck = Notifier(app.store, log, clock).run { notices += it.key }.getOrThrow()
    assertEquals(case.notify.notices, notices.map { ids.indexOf(it.substringAfter("follow_up:")) })
    case.notify.nextCheck?.let { assertEquals(it, nextCheck) }
}

/** An application logged as [role] at [company], moved to [stage] and [outcome]; its card. */
private suspend fun Harness.cardFor(
    company: String = "Acme",
    role: String = "Dev",
    stage: Stage? = null,
    outcome: Outcome = Outcome.OPEN,
): Card {
    val logged = app.store.read { it.logApplication(NewApplication(company = company, role = role)) }
    app.store.read { j ->
        if (stage != null && stage != logged.stage) j.moveStage(logged.meta.id, stage, null)
        if (outcome != Outcome.OPEN) j.setOutcome(logged.meta.id, outcome, null)
    }
    app.pipeline.refresh()
    return app.pipeline.state.value.let { s -> (s.board.flatMap { it.cards } + s.history).single { it.id == logged.meta.id } }
}

private fun boardTitlesLabels(table: RulesTable) = withApp {
    for (row in table.stagesAfter) {
        val card = cardFor(stage = Stage.valueOf(row.stage.uppercase()), outcome = Outcome.valueOf(row.outcome.uppercase()))
        val next = row.next.map { Stage.valueOf(it.uppercase()) }
        assertEquals(next, card.nextStages, "$row")
        app.detail.show(card.id)
        assertEquals(next, app.detail.state.value.nextStages, "$row on the detail")
    }
    for (row in table.titles) assertEquals(row.title, cardFor(company = row.company, role = row.role).title)
    for (row in table.labels) {
        val value = row.value.uppercase()
        val label = when (row.vocabulary) {
            "stage" -> app.pipeline.state.value.board.single { it.stage == Stage.valueOf(value) }.label
            "outcome" -> cardFor(outcome = Outcome.valueOf(value)).outcomeLabel
            "record_kind" -> recordKindLabel(RecordKind.valueOf(value))
            "reason" -> reasonLabel(Reason.valueOf(value))
            "activity_category" -> activityCategoryLabel(ActivityCategory.valueOf(value))
            else -> error("no reader for the vocabulary ${row.vocabulary}")
        }
        assertEquals(row.label, label, "$row")
    }
}

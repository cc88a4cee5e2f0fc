// The shared table of rule cases (tests/cases/rules.json) through the Kotlin bindings,
// with the journal's clock and zone pinned; the CLI, Python and the Kotlin model read
// the same table. Run by bindings/run-tests.

import app.onward.*
import app.onward.testing.RuleCase
import app.onward.testing.RulesTable
import kotlin.test.assertEquals

val rulesTableTests: List<Pair<String, () -> Unit>> by lazy {
    val table = RulesTable.load()
    table.cases.map { case -> "rules table: ${case.name}" to { todayAndNotifications(case) } } +
        listOf("rules table: stages after a stage, titles and labels" to { stagesTitlesLabels(table) })
}

fun todayAndNotifications(case: RuleCase) {
    Journal.open(tempJournalPath().toString()).use { journal ->
        journal.setClock(StoppedClock(case.now))
        journal.setTimeZone(case.zone)
        val ids = case.applications.map {
            journal.logApplication(NewApplication(company = it.company, role = it.role, appliedAt = it.appliedAt)).meta.id
        }
        fun followUps(keys: List<String>) = keys.map { key ->
            assertEquals("follow_up", key.substringBefore(':'), key)
            ids.indexOf(key.substringAfter(':'))
        }

        val today = journal.today()
        assertEquals(case.today.greeting, today.greeting)
        assertEquals(case.today.reminders, followUps(today.reminders.map { it.key }))
        assertEquals(case.today.more, today.more.toInt())

        val posted = case.posted.map { PostedNotice("follow_up:${ids[it.application]}", it.at) }
        val decided = journal.notifications(posted)
        assertEquals(case.notify.notices, followUps(decided.notices.map { it.key }))
        case.notify.nextCheck?.let { assertEquals(it, decided.nextCheck) }
    }
}

fun stagesTitlesLabels(table: RulesTable) {
    for (row in table.stagesAfter) {
        val next = stagesAfter(Stage.valueOf(row.stage.uppercase()), Outcome.valueOf(row.outcome.uppercase()))
        assertEquals(row.next.map { Stage.valueOf(it.uppercase()) }, next, "$row")
    }
    for (row in table.titles) assertEquals(row.title, applicationTitle(row.role, row.company))
    for (row in table.labels) {
        val value = row.value.uppercase()
        val label = when (row.vocabulary) {
            "stage" -> stageLabel(Stage.valueOf(value))
            "outcome" -> outcomeLabel(Outcome.valueOf(value))
            "record_kind" -> recordKindLabel(RecordKind.valueOf(value))
            "reason" -> reasonLabel(Reason.valueOf(value))
            "activity_category" -> activityCategoryLabel(ActivityCategory.valueOf(value))
            else -> error("no reader for the vocabulary ${row.vocabulary}")
        }
        assertEquals(row.label, label, "$row")
    }
}

package app.onward.model

import app.onward.Channel
import app.onward.EntryKind
import app.onward.InterviewKind
import app.onward.JournalChange
import app.onward.JournalObserver
import app.onward.MessageKind
import app.onward.NewApplication
import app.onward.NewMood
import app.onward.Outcome
import app.onward.Reason
import app.onward.Record
import app.onward.RecordKind
import app.onward.ReminderRule
import app.onward.Source
import app.onward.Stage
import app.onward.TimelineQuery
import app.onward.ActivityCategory
import app.onward.GoalKind
import app.onward.GoalStatus
import app.onward.testing.Uncaught
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import java.util.Collections
import kotlin.io.path.readText
import kotlin.io.path.writeText
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertSame
import kotlin.test.assertTrue
import kotlin.test.fail

val flowTests: List<Pair<String, () -> Unit>> = listOf(
    "Today: the core's due reminders, done and snoozed; the latest records" to ::today,
    "Today on a Sunday evening: the weekly review is due, and done" to ::weeklyReview,
    "log an application, move its stage, log an interview, debrief in the interviewer's shoes" to ::pipelineJourney,
    "a no, then each next step: check-in in two taps, one idea, thank-you, feedback request" to ::rejectionSteps,
    "every step after a no can be skipped, and writing nothing writes nothing" to ::skipEverything,
    "step back with mood before and after" to ::stepBack,
    "a goal grown from a reflection, moved to done" to ::growth,
    "search finds it, and its detail shows links both ways" to ::searchAndDetail,
    "insights: effort per week, the funnel, mood over time" to ::insights,
    "everything is there after reopening the file" to ::reopen,
    "a change refreshes only the screens showing it, from the storage thread" to ::observerRefresh,
    "bad input is said kindly and writes nothing; a file that isn't a journal is left alone" to ::badInput,
    "the lock is kept across starts and locks again in the background" to ::lock,
    "closing while refreshes are in flight: they finish or stop, none touches the closed journal" to ::closeWhileRefreshing,
    "every flow is at most three taps from Today" to ::navigation,
)

private suspend fun Harness.logAcme(applied: Instant? = clock.instant()) =
    app.store.read { it.logApplication(NewApplication(company = "Acme", role = "Data Engineer", appliedAt = applied)) }

fun today() = withApp {
    // Applied eight days ago, and no follow-up since: the core offers one.
    logAcme(clock.instant().minus(Duration.ofDays(8)))
    app.store.read { it.logApplication(NewApplication(company = "Globex", role = "Analyst", appliedAt = clock.instant().minus(Duration.ofDays(9)))) }
    fun List<ReminderRow>.followUps() = filter { it.rule == ReminderRule.FOLLOW_UP }
    val due = app.today.state.until { it.reminders.followUps().size == 2 }.reminders.followUps()
    assertEquals(listOf(true, true), due.map { it.title.contains("a short follow-up?") })
    assertContains(due.first().title, "Globex")

    val reminders = app.store.read { it.dueReminders() }
    assertEquals(due.map { it.key }, reminders.filter { it.rule == ReminderRule.FOLLOW_UP }.map { it.key })

    app.today.done(due[0].key)
    app.today.snooze(due[1].key)
    app.today.state.until { it.reminders.followUps().isEmpty() }
    assertEquals(emptyList(), app.store.read { it.dueReminders() }.filter { it.rule == ReminderRule.FOLLOW_UP })

    app.today.checkIn(4)
    assertEquals(4, app.today.state.value.checkedInValence)
    val recent = app.today.state.until { it.recent.firstOrNull()?.kind == RecordKind.MOOD }.recent
    assertEquals(listOf(RecordKind.MOOD, RecordKind.APPLICATION, RecordKind.APPLICATION), recent.map { it.kind })
    assertEquals(QuickLog.entries.map { it.destination }, app.today.state.value.quickLogs.map { it.destination })
}

fun weeklyReview() = withApp(clock = SteppingClock(SUNDAY_EVENING)) {
    assertEquals(emptyList(), app.today.state.value.reminders, "an empty journal asks for no review")
    app.today.checkIn(3)
    val review = app.today.state.until { s -> s.reminders.any { it.rule == ReminderRule.WEEKLY_REVIEW } }
        .reminders.single { it.rule == ReminderRule.WEEKLY_REVIEW }
    assertEquals("weekly_review:2026-W48", review.key)
    app.today.done(review.key)
    app.today.state.until { s -> s.reminders.none { it.rule == ReminderRule.WEEKLY_REVIEW } }
}

fun pipelineJourney() = withApp {
    app.applicationForm.edit { it.copy(company = " Acme ", role = "Data Engineer", source = Source.REFERRAL, excitement = 4) }
    val app1 = app.applicationForm.submit().getOrThrow()
    assertEquals("Acme", app1.company)
    assertEquals(Stage.APPLIED, app1.stage)
    assertEquals(app1, app.applicationForm.state.value.saved)
    assertEquals("", app.applicationForm.state.value.company)

    val applied = app.pipeline.state.until { s -> s.board.any { it.stage == Stage.APPLIED && it.cards.isNotEmpty() } }
    val card = applied.board.single { it.stage == Stage.APPLIED }.cards.single()
    assertEquals("Data Engineer at Acme", card.title)
    assertEquals(listOf(Stage.SCREENING, Stage.INTERVIEWING, Stage.FINAL, Stage.OFFER), card.nextStages)

    app.pipeline.moveStage(card.id, Stage.SCREENING).getOrThrow()
    app.pipeline.state.until { s -> s.board.single { it.stage == Stage.SCREENING }.cards.map { it.id } == listOf(card.id) }

    app.interviewForm.forApplication(card.id)
    app.interviewForm.edit {
        it.copy(
            kind = InterviewKind.TECHNICAL,
            at = Instant.parse("2026-11-24T14:00:00Z"),
            interviewers = "Dana Lee\n",
            questions = "How would you design a pipeline for late events?\n\n",
            selfRating = 4,
        )
    }
    val interview = app.interviewForm.submit().getOrThrow()
    assertEquals(listOf("How would you design a pipeline for late events?"), interview.questions)
    assertEquals(1, interview.interviewerIds.size)
    val board = app.pipeline.state.until { s -> s.board.single { it.stage == Stage.INTERVIEWING }.cards.isNotEmpty() }
    assertEquals(emptyList(), board.board.single { it.stage == Stage.SCREENING }.cards)

    app.entryForm.debrief(interview.meta.id)
    val form = app.entryForm.state.value
    assertEquals(EntryKind.DEBRIEF, form.kind)
    assertEquals("wanted_to_see", form.prompts[1].id)
    assertEquals("What did the interviewer need to see from a candidate?", form.prompts[1].text)
    app.entryForm.answer("wanted_to_see", "Someone who can own the platform alone")
    val entry = app.entryForm.submit().getOrThrow()
    assertEquals(card.id, entry.applicationId)
    assertEquals(listOf("Someone who can own the platform alone"), entry.answers.map { it.text })

    val history = app.store.read { it.applications(false) }.single().history
    assertEquals(listOf(Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEWING), history.mapNotNull { it.stage })
}

/** Acme at the interviewing stage with Dana Lee as interviewer; returns the application id. */
private suspend fun Harness.interviewedAtAcme(at: Instant = clock.instant().minus(Duration.ofDays(2))): String {
    val app1 = logAcme()
    app.interviewForm.forApplication(app1.meta.id)
    app.interviewForm.edit { it.copy(kind = InterviewKind.PANEL, at = at, interviewers = "Dana Lee") }
    app.interviewForm.submit().getOrThrow()
    return app1.meta.id
}

fun rejectionSteps() = withApp {
    val id = interviewedAtAcme()
    app.rejection.forApplication(id)
    app.rejection.edit { it.copy(reason = Reason.INTERNAL_CANDIDATE, channel = Channel.EMAIL) }
    val rejection = app.rejection.log().getOrThrow()
    assertEquals(Stage.INTERVIEWING, rejection.stageReached)
    val offered = app.rejection.state.value
    assertEquals(NextStep.entries.associateWith { StepState.OFFERED }, offered.steps)
    assertEquals("How are you feeling right now? A face or a word is enough.", offered.offered!!.checkIn)
    assertContains(offered.thankYouText, "Dana")
    assertContains(offered.feedbackText, "Data Engineer")
    assertFalse(offered.finished)

    // The check-in: tap a face, tap save.
    app.rejection.pickMood(2)
    val mood = app.rejection.saveCheckIn().getOrThrow()
    assertEquals(2, mood.valence.toInt())
    assertEquals(rejection.meta.id, mood.rejectionId)
    assertEquals(id, mood.applicationId)

    val activity = app.rejection.planStepBack().getOrThrow()
    assertEquals(offered.offered!!.stepBack.text, activity.description)
    assertEquals(offered.offered!!.stepBack.category, activity.category)
    assertNull(activity.doneAt)

    app.rejection.edit { it.copy(thankYouText = it.thankYouText + "\nI enjoyed the talk about late events.") }
    val note = app.rejection.saveThankYou().getOrThrow()
    assertEquals(MessageKind.THANK_YOU, note.kind)
    assertTrue(note.body.endsWith("I enjoyed the talk about late events."))
    val ask = app.rejection.saveFeedbackRequest().getOrThrow()
    assertEquals(offered.feedbackText, ask.body)

    val done = app.rejection.state.value
    assertEquals(NextStep.entries.associateWith { StepState.DONE }, done.steps)
    assertTrue(done.finished)

    // The no leaves the board and stays in the history, in kind words.
    val pipeline = app.pipeline.state.until { it.history.isNotEmpty() }
    assertTrue(pipeline.board.all { it.cards.isEmpty() })
    assertEquals(listOf("Closed: a no this time"), pipeline.history.map { it.outcomeLabel })
    assertEquals(Stage.INTERVIEWING, pipeline.history.single().stage)
}

fun skipEverything() = withApp {
    val id = logAcme().meta.id
    app.rejection.forApplication(id)
    app.rejection.log().getOrThrow()
    for (step in NextStep.entries) app.rejection.skip(step)
    val s = app.rejection.state.value
    assertEquals(NextStep.entries.associateWith { StepState.SKIPPED }, s.steps)
    assertTrue(s.finished)
    val kinds = app.store.read { j -> j.timeline(TimelineQuery()).map { it.kind } }
    assertEquals(listOf(RecordKind.REJECTION, RecordKind.APPLICATION), kinds)

    // A reflection offered later, with its own prompts; an empty one is not saved.
    app.entryForm.reflect(s.rejection!!.meta.id)
    assertTrue(app.entryForm.state.value.prompts.map { it.id }.containsAll(listOf("happened", "outside", "still_true")))
    assertTrue(app.entryForm.submit().isFailure)
    assertEquals("Write a line, or answer one prompt; that's enough.", app.entryForm.state.value.problem)
    assertEquals(2, app.store.read { it.timeline(TimelineQuery()).size })
}

fun stepBack() = withApp {
    app.stepBack.edit { it.copy(category = ActivityCategory.SOCIAL, description = "Coffee with Sam", moodBefore = 2) }
    val started = app.stepBack.start().getOrThrow()
    assertEquals(2, started.moodBefore?.toInt())
    val underway = app.stepBack.state.until { it.underway.isNotEmpty() }.underway.single()
    assertEquals("Coffee with Sam", underway.description)
    assertEquals("", app.stepBack.state.value.description)

    app.stepBack.finish(underway.meta.id, 4).getOrThrow()
    val done = app.stepBack.state.until { it.done.isNotEmpty() }
    assertEquals(emptyList(), done.underway)
    assertEquals(Triple("Coffee with Sam", 2, 4), done.done.single().let { Triple(it.description, it.moodBefore?.toInt(), it.moodAfter?.toInt()) })
}

fun growth() = withApp {
    val id = logAcme().meta.id
    app.rejection.forApplication(id)
    val rejection = app.rejection.log().getOrThrow()
    app.entryForm.reflect(rejection.meta.id)
    app.entryForm.answer("still_true", "I ship pipelines that run")
    val reflection = app.entryForm.submit().getOrThrow()

    app.growth.from(reflection.meta.id.take(8))
    assertEquals(reflection.meta.id, app.growth.state.value.originId)
    assertNotNull(app.growth.state.value.originTitle)
    app.growth.edit { it.copy(kind = GoalKind.COURSE, title = "Streaming systems course") }
    val goal = app.growth.add().getOrThrow()
    assertEquals(reflection.meta.id, goal.originId)
    assertNull(app.growth.state.value.originId)

    app.growth.state.until { it.goals.size == 1 }
    app.growth.progress(goal.meta.id, 100).getOrThrow()
    val done = app.growth.state.until { it.goals.singleOrNull()?.status == GoalStatus.DONE }.goals.single()
    assertEquals(100, done.progress.toInt())
    assertEquals("Streaming systems course", done.title)
}

fun searchAndDetail() = withApp {
    val id = interviewedAtAcme()
    app.search.search("Dana")
    val hit = app.search.state.value.hits.single()
    assertEquals(RecordKind.CONTACT, hit.row.kind)
    assertContains(hit.snippet, "[Dana]")

    app.detail.show(id)
    val detail = app.detail.state.value
    assertEquals(RecordKind.APPLICATION, detail.kind)
    assertTrue(detail.record is Record.Application)
    assertEquals(listOf(RecordKind.INTERVIEW), detail.linkedFrom.map { it.kind })
    assertEquals(listOf(Stage.FINAL, Stage.OFFER), detail.nextStages)

    // A no for this application appears on its open detail by itself.
    app.rejection.forApplication(id)
    app.rejection.log().getOrThrow()
    val refreshed = app.detail.state.until { s -> s.linkedFrom.any { it.kind == RecordKind.REJECTION } }
    assertEquals(Outcome.REJECTED, (refreshed.record as Record.Application).application.outcome)
    assertEquals(emptyList(), refreshed.nextStages)

    // Open the interview through its link: it points back at the application.
    app.detail.show(refreshed.linkedFrom.first { it.kind == RecordKind.INTERVIEW }.id)
    assertTrue(app.detail.state.value.linksTo.any { it.rel == "application" && it.id == id })

    // An open search follows new writes.
    app.search.search("Globex")
    assertEquals(emptyList(), app.search.state.value.hits)
    app.store.read { it.logApplication(NewApplication(company = "Globex", role = "Analyst")) }
    assertContains(app.search.state.until { it.hits.isNotEmpty() }.hits.single().row.title, "Globex")
}

fun insights() = withApp {
    interviewedAtAcme(at = clock.instant())
    app.applicationForm.edit { it.copy(company = "Globex", role = "Analyst") }
    app.applicationForm.submit().getOrThrow()
    app.today.checkIn(2)
    app.today.checkIn(4)
    val s = app.insights.state.until { st -> st.mood.lastOrNull()?.value == 3.0 }
    assertEquals(12, s.effort.size)
    // This week: two applications and the interview (check-ins are not effort).
    assertEquals(3L, s.effort.last().value)
    val funnel = s.funnel.associate { it.label to it.value }
    assertEquals(2L, funnel["Applied"])
    assertEquals(1L, funnel["Interviewing"])
    assertEquals(0L, funnel["Offer"])
    assertEquals("2 reached applied", s.funnel.first { it.label == "Applied" }.spoken)
    assertTrue(s.mood.dropLast(1).all { it.value == null })
}

fun reopen() {
    val dir = scratchDir("onward-reopen")
    var id = ""
    withApp(dir) {
        id = interviewedAtAcme()
        app.growth.edit { it.copy(title = "Talk to two people a week", kind = GoalKind.NETWORKING) }
        app.growth.add().getOrThrow()
    }
    assertTrue(Files.exists(dir.resolve(AppModel.JOURNAL_FILE)))
    withApp(dir) {
        val card = app.pipeline.state.value.board.single { it.stage == Stage.INTERVIEWING }.cards.single()
        assertEquals(id, card.id)
        assertEquals("Talk to two people a week", app.growth.state.value.goals.single().title)
        val kinds = app.store.read { j -> j.timeline(TimelineQuery()).map { it.kind } }
        assertEquals(setOf(RecordKind.APPLICATION, RecordKind.CONTACT, RecordKind.GOAL, RecordKind.INTERVIEW), kinds.toSet())
        assertEquals(4, kinds.size)
    }
}

fun observerRefresh() = withApp {
    val threads = Collections.synchronizedList(mutableListOf<String>())
    val handle = app.store.read {
        it.observe(object : JournalObserver {
            override fun onChange(change: JournalChange) {
                threads.add(Thread.currentThread().name)
            }
        })
    }
    logAcme()
    app.pipeline.state.until { s -> s.board.any { it.cards.isNotEmpty() } }
    val pipelineBefore = app.pipeline.state.value
    val growthBefore = app.growth.state.value

    // A check-in touches Today and the insights, not the pipeline or the goals.
    app.today.checkIn(3)
    app.insights.state.until { s -> s.mood.last().value == 3.0 }
    app.today.state.until { s -> s.recent.first().kind == RecordKind.MOOD }
    assertSame(pipelineBefore, app.pipeline.state.value)
    assertSame(growthBefore, app.growth.state.value)

    // A merge from another device is news like any write: the board shows it unasked.
    val other = Harness()
    other.use {
        kotlinx.coroutines.runBlocking {
            other.app.store.read { it.logApplication(NewApplication(company = "Initech", role = "Platform Engineer")) }
        }
        val bytes = kotlinx.coroutines.runBlocking { other.app.store.read { it.documentBytes() } }
        app.store.read { it.mergeBytes(bytes) }
    }
    val board = app.pipeline.state.until { s -> s.board.sumOf { it.cards.size } == 2 }
    assertEquals(listOf("Platform Engineer at Initech"), board.board.single { it.stage == Stage.SAVED }.cards.map { it.title })

    handle.close()
    assertEquals(3, threads.size)
    assertEquals(setOf(STORAGE_THREAD), threads.toSet())
}

fun badInput() {
    withApp {
        app.applicationForm.edit { it.copy(company = "  ", role = "") }
        assertTrue(app.applicationForm.submit().isFailure)
        assertEquals(
            "That didn't fit (company: give at least a company or a role). Change it and try again.",
            app.applicationForm.state.value.problem,
        )
        app.interviewForm.edit { it.copy(at = clock.instant()) }
        assertTrue(app.interviewForm.submit().isFailure)
        assertEquals("Pick the application this interview was for.", app.interviewForm.state.value.problem)
        app.today.checkIn(9)
        assertContains(app.today.state.value.problem!!, "9 is outside 1 to 5")
        app.detail.show("ffffffff")
        assertEquals("That one isn't in your journal any more. Pull to refresh and pick again.", app.detail.state.value.problem)
        assertEquals(0, app.store.read { it.timeline(TimelineQuery()).size })
    }
    val dir = scratchDir("onward-notes")
    val notes = dir.resolve(AppModel.JOURNAL_FILE)
    notes.writeText("my notes, not a journal")
    try {
        Harness(dir).close()
        fail("a text file opened as a journal")
    } catch (e: Problem) {
        assertEquals(
            "This journal file can't be opened, and it was left exactly as it is. Keep it, and start a new journal for now.",
            e.shown,
        )
    }
    assertEquals("my notes, not a journal", notes.readText())
}

fun lock() {
    val dir = scratchDir("onward-lock")
    withApp(dir) {
        assertEquals(LockState(enabled = false, locked = false), app.lock.state.value)
        app.lock.backgrounded()
        assertFalse(app.lock.state.value.locked)
        app.lock.setEnabled(true)
    }
    withApp(dir) {
        // Locked from the start; a failed check keeps it locked and says so gently.
        assertEquals(LockState(enabled = true, locked = true), app.lock.state.value)
        app.lock.notUnlocked()
        assertEquals("Still locked. Try again when you're ready.", app.lock.state.value.note)
        assertTrue(app.lock.state.value.locked)
        app.lock.unlocked()
        assertFalse(app.lock.state.value.locked)
        app.lock.backgrounded()
        assertTrue(app.lock.state.value.locked)
        app.lock.setEnabled(false)
    }
    withApp(dir) { assertEquals(LockState(enabled = false, locked = false), app.lock.state.value) }
}

fun closeWhileRefreshing() {
    val h = Harness()
    val uncaught = Uncaught.total
    runBlocking {
        h.app.store.read { it.logMood(NewMood(valence = 3u)) }
        // Refreshes under way on the app's scope, as screens launch them; then close at once.
        repeat(50) {
            h.scope.launch { for (screen in listOf(h.app.today, h.app.pipeline, h.app.insights)) screen.refresh() }
        }
    }
    h.app.close()
    val late = runBlocking { h.app.store.attempt { it.path() } }
    assertTrue(late.exceptionOrNull() is Closed, "$late")
    runBlocking { h.app.today.refresh() }
    assertEquals(Closed().shown, h.app.today.state.value.problem)
    h.close()
    assertEquals(uncaught, Uncaught.total, "uncaught exceptions while closing")
}

/** A person on [nav], counting each navigation action as one tap. */
private class Taps(val nav: Navigator) {
    var count = 0
        private set

    fun tab(d: Destination) = nav.tab(d).also { count += 1 }
    fun open(d: Destination, id: String? = null) = nav.open(d, id).also { count += 1 }
}

fun navigation() {
    val nav = Navigator()
    // The way to each screen from Today, as the screens offer it: the tabs, Today's
    // quick-log buttons, a card on the board, the settings on the devices tab.
    fun walkTo(d: Destination, taps: Taps) {
        when {
            d == Destination.TODAY -> {}
            d in Navigator.TABS -> taps.tab(d)
            QuickLog.entries.any { it.destination == d } -> taps.open(QuickLog.entries.first { it.destination == d }.destination)
            d == Destination.DETAIL -> { taps.tab(Destination.PIPELINE); taps.open(Destination.DETAIL, "id") }
            d == Destination.SETTINGS -> { taps.tab(Destination.SYNC); taps.open(Destination.SETTINGS) }
            else -> fail("no way to $d")
        }
    }
    for (d in Destination.entries) {
        nav.tab(Destination.TODAY)
        val taps = Taps(nav)
        walkTo(d, taps)
        assertEquals(d, nav.current.destination)
        // The screen's own action (save, a stage button) is one tap more.
        assertTrue(taps.count + 1 <= 3, "$d takes ${taps.count} taps to reach, and one to act")
    }
    assertTrue(nav.back())
    assertFalse(nav.back())
}

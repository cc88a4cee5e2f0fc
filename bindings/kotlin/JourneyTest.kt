// The Onward journey through the Kotlin bindings, as an Android app would walk it.
// Run by bindings/run-tests (kotlinc, then a plain JVM with JNA).

import app.onward.*
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.util.Collections
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.io.path.createTempDirectory
import kotlin.io.path.readText
import kotlin.io.path.writeText
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

val journeyTests: List<Pair<String, () -> Unit>> = listOf(
    "the whole journey is there after reopening" to ::wholeJourney,
    "bad input is a clear error that changes nothing" to ::badInput,
    "delete, restore and edit" to ::deleteRestoreEdit,
    "merges are heard and a closed handle hears nothing" to ::mergesAndClosing,
    "one journal handle serves eight threads" to ::threads,
)

/** Keeps every change it is told about. */
class Recorder : JournalObserver {
    val changes: MutableList<JournalChange> = Collections.synchronizedList(mutableListOf())
    override fun onChange(change: JournalChange) {
        changes.add(change)
    }
}

fun tempJournalPath(): Path = createTempDirectory("onward-kotlin").resolve("journal.onward")

fun logAcme(journal: Journal, appliedAt: Instant?): Application =
    journal.logApplication(
        NewApplication(
            company = "Acme",
            role = "Data Engineer",
            appliedAt = appliedAt,
            source = Source.REFERRAL,
            excitement = 4u,
        ),
    )

fun wholeJourney() {
    val path = tempJournalPath()
    val recorder = Recorder()
    val applied = Instant.parse("2026-11-16T09:30:15.250Z")
    val interviewAt = Instant.parse("2026-11-24T14:00:00Z")

    lateinit var interview: Interview
    lateinit var app: Application
    lateinit var entry: Entry
    Journal.open(path.toString()).use { journal ->
        journal.observe(recorder).use {
            app = logAcme(journal, applied)
            assertEquals(Stage.APPLIED, app.stage)
            assertEquals(applied, app.appliedAt)

            interview = journal.logInterview(
                NewInterview(
                    applicationId = app.meta.id.take(8),
                    kind = InterviewKind.TECHNICAL,
                    scheduledAt = interviewAt,
                    interviewers = listOf("Dana Lee"),
                    questions = listOf("How would you design a pipeline for late events?"),
                    selfRating = 4u,
                ),
            )
            assertEquals(app.meta.id, interview.applicationId)
            assertEquals(1u, interview.round)

            val logged = journal.logRejection(
                NewRejection(
                    applicationId = app.meta.id,
                    reason = Reason.INTERNAL_CANDIDATE,
                    contextFactors = listOf(ContextFactor.INTERNAL_HIRE),
                ),
            )
            assertEquals(Stage.INTERVIEWING, logged.rejection.stageReached)
            assertEquals("How are you feeling right now? A face or a word is enough.", logged.nextSteps.checkIn)
            assertContains(logged.nextSteps.thankYouDraft, "Dana")
            assertEquals(interview.interviewerIds.first(), logged.nextSteps.contactId)

            val mood = journal.logMood(
                NewMood(valence = 2u, energy = 3u, words = listOf("tired"), rejectionId = logged.rejection.meta.id),
            )
            assertEquals(app.meta.id, mood.applicationId)

            val prompts = prompts(EntryKind.DEBRIEF)
            assertEquals("wanted_to_see", prompts.prompts[1].id)
            entry = journal.writeEntry(
                NewEntry(
                    kind = EntryKind.DEBRIEF,
                    answers = mapOf("wanted_to_see" to "Someone who can own the platform alone"),
                    interviewId = interview.meta.id,
                ),
            )
            assertEquals(app.meta.id, entry.applicationId)
            assertEquals("What did the interviewer need to see from a candidate?", entry.answers.single().prompt)

            val reflection = journal.writeEntry(
                NewEntry(
                    kind = EntryKind.REJECTION_REFLECTION,
                    answers = mapOf(
                        "outside" to "They hired from within",
                        "still_true" to "I ship pipelines that run",
                    ),
                    rejectionId = logged.rejection.meta.id,
                ),
            )
            assertEquals(listOf("outside", "still_true"), reflection.answers.map { it.promptId })
            assertEquals("rejection_reflection@1", reflection.promptSet)

            val hits = journal.search("platform alone", 10u)
            assertEquals(listOf(entry.meta.id), hits.map { it.item.id })
            assertContains(hits.single().snippet, "[platform]")

            val detail = journal.record(interview.meta.id.take(6))
            assertTrue(detail.linkedFrom.any { it.kind == RecordKind.ENTRY && it.id == entry.meta.id })
            assertTrue(detail.linksTo.any { it.rel == "application" && it.id == app.meta.id })
        }
    }
    // Application; interview and its contact; rejection; mood; debrief; reflection.
    assertEquals(6, recorder.changes.size)
    assertEquals(listOf(RecordKind.APPLICATION), recorder.changes[0].kinds)
    assertTrue(RecordKind.CONTACT in recorder.changes[1].kinds)

    Journal.open(path.toString()).use { reopened ->
        val timeline = reopened.timeline(TimelineQuery())
        assertEquals(7, timeline.size)
        assertEquals(setOf(RecordKind.ENTRY), timeline.take(2).map { it.kind }.toSet())
        assertEquals(entry.meta.id, reopened.search("platform", 5u).single().item.id)
        val apps = reopened.applications(false)
        assertEquals(listOf(Triple("Acme", Stage.INTERVIEWING, Outcome.REJECTED)), apps.map { Triple(it.company, it.stage, it.outcome) })
        assertEquals(emptyList(), reopened.applications(true))
        val first = reopened.timeline(TimelineQuery(kinds = listOf(RecordKind.INTERVIEW))).single().record
        assertTrue(first is Record.Interview)
        assertEquals(interviewAt, first.interview.scheduledAt)
        assertEquals(interview.meta.id, reopened.search("late events", 5u).single().item.id)
    }
}

fun badInput() {
    Journal.open(tempJournalPath().toString()).use { journal ->
        val bad = assertFailsWith<OnwardException.InvalidInput> { journal.logMood(NewMood(valence = 9u)) }
        assertEquals("valence", bad.field)
        assertEquals("9 is outside 1 to 5", bad.reason)

        val missing = assertFailsWith<OnwardException.NotFound> { journal.record("ffffffff") }
        assertEquals("ffffffff", missing.id)
        assertEquals("nothing in this journal has the id ffffffff", missing.detail)

        val unknownPrompt = assertFailsWith<OnwardException.InvalidInput> {
            journal.writeEntry(NewEntry(kind = EntryKind.GRATITUDE, answers = mapOf("mood" to "fine")))
        }
        assertEquals("answer", unknownPrompt.field)
        assertContains(unknownPrompt.reason, "three, person")
        assertEquals(0, journal.timeline(TimelineQuery()).size)
    }
    val notes = Files.createTempFile("notes", ".txt")
    notes.writeText("my notes, not a journal")
    val corrupt = assertFailsWith<OnwardException.CorruptJournal> { Journal.open(notes.toString()) }
    assertTrue(corrupt.path.endsWith(".txt"))
    assertEquals("my notes, not a journal", notes.readText())
}

fun deleteRestoreEdit() {
    Journal.open(tempJournalPath().toString()).use { journal ->
        val app = logAcme(journal, null)
        assertEquals(Stage.SAVED, app.stage)
        journal.delete(app.meta.id)
        assertEquals(0, journal.applications(false).size)
        assertEquals(listOf(app.meta.id), journal.timeline(TimelineQuery(onlyDeleted = true)).map { it.id })
        journal.restore(app.meta.id)
        val edited = journal.editApplication(app.meta.id, ApplicationEdit(notes = "Met them at the meetup"))
        assertEquals("Met them at the meetup", edited.notes)
        assertEquals("Acme", edited.company)
        val ended = journal.setOutcome(app.meta.id, Outcome.WITHDRAWN, null)
        assertEquals(Outcome.WITHDRAWN, ended.outcome)
        assertEquals(Outcome.WITHDRAWN, ended.history.last().outcome)
    }
}

fun mergesAndClosing() {
    Journal.open(tempJournalPath().toString()).use { laptop ->
        Journal.open(tempJournalPath().toString()).use { phone ->
            val theirs = phone.logApplication(NewApplication(company = "Globex", role = "Analyst"))
            val recorder = Recorder()
            val handle = laptop.observe(recorder)
            assertEquals(listOf(theirs.meta.id), laptop.mergeBytes(phone.documentBytes()))
            assertEquals(listOf(listOf(theirs.meta.id)), recorder.changes.map { it.ids })
            handle.close()
            logAcme(laptop, null)
            assertEquals(1, recorder.changes.size)
            assertEquals(2, laptop.applications(false).size)
        }
    }
}

fun threads() {
    Journal.open(tempJournalPath().toString()).use { journal ->
        val recorder = Recorder()
        journal.observe(recorder).use {
            val pool = Executors.newFixedThreadPool(8)
            val work = (0 until 8).map { worker ->
                pool.submit {
                    repeat(20) { i ->
                        journal.logApplication(NewApplication(company = "Company $worker-$i", role = "Dev"))
                        assertTrue(journal.timeline(TimelineQuery(limit = 5u)).isNotEmpty())
                        assertNotNull(journal.search("Company $worker", 3u).firstOrNull())
                    }
                }
            }
            work.forEach { it.get(120, TimeUnit.SECONDS) }
            pool.shutdown()
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS))
            assertEquals(160, journal.applications(false).size)
            assertEquals(160, recorder.changes.size)
            assertEquals(160, recorder.changes.flatMap { it.ids }.toSet().size)
        }
    }
}


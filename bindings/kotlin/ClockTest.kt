// The journal's clock and time zone, given by the app (bindings/src/clock.rs).
// Run by bindings/run-tests.

import app.onward.*
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

val clockTests: List<Pair<String, () -> Unit>> = listOf(
    "the journal reads now from the app's clock and keeps its zone" to ::fixedClockAndZone,
    "a clock that throws gives way to the system clock" to ::throwingClock,
)

/** A clock stopped at [at]. */
class StoppedClock(private val at: Instant) : JournalClock {
    override fun now(): Instant = at
}

fun fixedClockAndZone() {
    // Sunday 2026-11-29, 18:30 in Berlin.
    val sundayEvening = Instant.parse("2026-11-29T17:30:00Z")
    Journal.open(tempJournalPath().toString()).use { journal ->
        journal.setClock(StoppedClock(sundayEvening))
        journal.setTimeZone("Europe/Berlin")
        assertEquals(sundayEvening, journal.logMood(NewMood(valence = 3u)).feltAt)

        val unknown = assertFailsWith<OnwardException.InvalidInput> { journal.setTimeZone("Mars/Olympus") }
        assertEquals("time_zone", unknown.field)
        assertTrue("Mars/Olympus" in unknown.reason, unknown.reason)
        assertEquals("Europe/Berlin", journal.timeZone())
    }
}

fun throwingClock() {
    Journal.open(tempJournalPath().toString()).use { journal ->
        journal.setClock(object : JournalClock {
            override fun now(): Instant = throw IllegalStateException("the clock broke")
        })
        val before = Instant.now()
        val felt = journal.logMood(NewMood(valence = 3u)).feltAt
        assertTrue(felt >= before && felt <= Instant.now(), "felt at $felt")
    }
}

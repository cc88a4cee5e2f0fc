package app.onward.model

import app.onward.NewApplication
import app.onward.Notice
import java.nio.file.Files
import java.time.Duration
import java.time.ZoneId
import java.time.ZonedDateTime
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

val notifierTests: List<Pair<String, () -> Unit>> = listOf(
    "notifications: none in quiet hours, at most the daily cap per local day across runs, each reminder once" to ::notifications,
)

private val BERLIN: ZoneId = ZoneId.of("Europe/Berlin")

private fun berlin(day: Int, hour: Int): ZonedDateTime = ZonedDateTime.of(2026, 12, day, hour, 0, 0, 0, BERLIN)

fun notifications() {
    val dir = scratchDir("onward-notify")
    // Monday 30 November, 22:00 in Berlin: quiet hours.
    val clock = SteppingClock(ZonedDateTime.of(2026, 11, 30, 22, 0, 0, 0, BERLIN))
    val posted = mutableListOf<Pair<Notice, ZonedDateTime>>()
    /** One run of the notifier, as the worker makes it: a fresh app over the same files. */
    fun runAt(at: ZonedDateTime): List<Notice> {
        clock.moveTo(at)
        var now = emptyList<Notice>()
        withApp(dir, clock) {
            val notices = mutableListOf<Notice>()
            app.notifier.run { notices += it }.getOrThrow()
            now = notices
        }
        posted += now.map { it to at }
        return now
    }

    val companies = listOf("Acme", "Globex", "Initech", "Umbrella", "Hooli")
    withApp(dir, clock) {
        for ((i, company) in companies.withIndex()) {
            val applied = clock.instant().minus(Duration.ofDays(8L + i))
            app.store.read { it.logApplication(NewApplication(company = company, role = "Data Engineer", appliedAt = applied)) }
        }
        assertEquals(5, app.store.read { it.dueReminders() }.size)
    }

    assertEquals(emptyList(), runAt(ZonedDateTime.of(2026, 11, 30, 22, 0, 0, 0, BERLIN)), "quiet at 22:00")
    assertEquals(emptyList(), runAt(berlin(1, 7)), "quiet until 08:00")
    assertEquals(3, runAt(berlin(1, 9)).size, "the daily cap, at 09:00")
    assertEquals(emptyList(), runAt(berlin(1, 12)), "nothing more that day")
    assertEquals(emptyList(), runAt(berlin(1, 20)), "nothing more that day, in another run")
    assertEquals(2, runAt(berlin(2, 9)).size, "the next day: the two not posted yet")
    assertEquals(emptyList(), runAt(berlin(2, 10)), "each reminder once")
    assertEquals(emptyList(), runAt(berlin(3, 9)), "each reminder once, days later")

    val keys = posted.map { it.first.key }
    assertEquals(keys.distinct(), keys, "a reminder posted twice")
    assertTrue(posted.groupBy { it.second.toLocalDate() }.values.all { it.size <= 3 })
    for ((notice, _) in posted) {
        for (name in companies + "Data Engineer") {
            assertFalse(name in notice.title || name in notice.text, "a notice names $name: $notice")
        }
    }
    assertTrue(Files.readString(dir.resolve("settings.properties")).contains("notices.posted"))
}

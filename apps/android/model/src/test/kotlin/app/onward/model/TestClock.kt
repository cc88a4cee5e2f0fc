package app.onward.model

import java.time.Clock
import java.time.Instant
import java.time.ZoneId
import java.time.ZonedDateTime
import java.util.concurrent.atomic.AtomicLong

/**
 * Sunday 2026-11-29, 18:30 in Berlin: the weekly review is due then, the case that once
 * made these tests fail every Sunday evening.
 */
val SUNDAY_EVENING: ZonedDateTime = ZonedDateTime.of(2026, 11, 29, 18, 30, 0, 0, ZoneId.of("Europe/Berlin"))

/**
 * When the model tests run: `ONWARD_MODEL_CLOCK` (an ISO zoned date-time such as
 * `2026-12-01T09:00+01:00[Europe/Berlin]`) when set, else [SUNDAY_EVENING]; never the
 * day the tests happen to run.
 */
fun testStart(): ZonedDateTime = System.getenv("ONWARD_MODEL_CLOCK")?.let(ZonedDateTime::parse) ?: SUNDAY_EVENING

/**
 * A clock that starts at [start] and moves on a millisecond each time it is read: every
 * run sees the same times, yet no two records share one (lists sort by time).
 */
class SteppingClock(start: ZonedDateTime = testStart()) : Clock() {
    private val zone: ZoneId = start.zone
    private val millis = AtomicLong(start.toInstant().toEpochMilli())

    /** Moves the clock to [at] (in this clock's zone), as time passing between runs. */
    fun moveTo(at: ZonedDateTime) = millis.set(at.toInstant().toEpochMilli())

    override fun getZone(): ZoneId = zone
    override fun withZone(zone: ZoneId): Clock = SteppingClock(Instant.ofEpochMilli(millis.get()).atZone(zone))
    override fun instant(): Instant = Instant.ofEpochMilli(millis.getAndIncrement())
}

/**
 * The relay keeps real time (it checks an invitation's expiry against its own clock), so
 * the sync tests' devices do too; they assert nothing that depends on the day.
 */
val RELAY_TIME: Clock = Clock.systemUTC()

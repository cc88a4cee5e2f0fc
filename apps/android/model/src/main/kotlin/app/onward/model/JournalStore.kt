package app.onward.model

import app.onward.Journal
import app.onward.JournalChange
import app.onward.JournalClock
import app.onward.JournalObserver
import app.onward.ObserverHandle
import app.onward.OnwardException
import app.onward.SecretStore
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.receiveAsFlow
import kotlinx.coroutines.withContext
import java.time.Clock
import java.time.Instant
import java.util.concurrent.locks.ReentrantReadWriteLock
import kotlin.concurrent.read
import kotlin.concurrent.write

/**
 * The journal file, opened, with every storage call run on [storage] (never the UI
 * thread: the bindings' calls block on SQLite). The core's observer news arrives on
 * [changes] for the [AppModel] to route to the screens that show the changed records.
 * The journal reads "now" from the app's clock and days follow the clock's zone.
 */
class JournalStore private constructor(
    private val journal: Journal,
    private val storage: CoroutineDispatcher,
) : AutoCloseable {
    private val news = Channel<JournalChange>(Channel.UNLIMITED)
    private val observer: ObserverHandle = journal.observe(
        object : JournalObserver {
            // Called on the storage thread that wrote; the channel hands it on.
            override fun onChange(change: JournalChange) {
                news.trySend(change)
            }
        },
    )

    // Calls share the gate; close takes it alone, so it waits for the calls in flight,
    // and no call touches the journal once it is closed.
    private val gate = ReentrantReadWriteLock()
    private var closed = false

    /** What each write changed, in order; collected by one router. */
    val changes: Flow<JournalChange> = news.receiveAsFlow()

    /**
     * Runs [block] against the journal on the storage dispatcher. Once the store is
     * closed it raises [Closed] instead.
     */
    suspend fun <T> read(block: (Journal) -> T): T = withContext(storage) {
        gate.read {
            if (closed) throw Closed()
            block(journal)
        }
    }

    /**
     * Runs [block] on the storage dispatcher; a journal error comes back as a failure
     * with a message in our words ([Words.problem]), and nothing was written.
     */
    suspend fun <T> attempt(block: (Journal) -> T): Result<T> =
        try {
            Result.success(read(block))
        } catch (e: OnwardException) {
            Result.failure(Problem(Words.problem(e), e))
        } catch (e: Closed) {
            Result.failure(e)
        }

    /** Waits for the calls in flight, then closes the journal. Closing twice is harmless. */
    override fun close() {
        gate.write {
            if (closed) return
            closed = true
        }
        observer.close()
        news.close()
        journal.close()
    }

    companion object {
        /**
         * Opens (or creates) the journal at [path], on [storage], with this device's
         * sync keys kept in [secrets] (never in the journal file), reading the time
         * from [clock] and taking days in its zone. A file that is not a journal raises
         * [Problem] and is left untouched.
         */
        suspend fun open(path: String, storage: CoroutineDispatcher, secrets: SecretStore, clock: Clock): JournalStore =
            withContext(storage) {
                try {
                    val journal = Journal.open(path, secrets)
                    journal.setClock(AppClock(clock))
                    // A zone the core has no name for (an odd fixed offset) leaves the journal
                    // on UTC rather than keep the app from opening.
                    zoneName(clock)?.let { name -> runCatching { journal.setTimeZone(name) } }
                    JournalStore(journal, storage)
                } catch (e: OnwardException) {
                    throw Problem(Words.problem(e), e)
                }
            }

        /**
         * The IANA name of [clock]'s zone, which the core takes: region ids as they are
         * ("Europe/Berlin"), UTC and whole-hour offsets as the Etc zones; null for an
         * offset no IANA zone names.
         */
        internal fun zoneName(clock: Clock): String? {
            val offset = clock.zone.normalized() as? java.time.ZoneOffset ?: return clock.zone.id
            val hours = offset.totalSeconds / 3600
            return when {
                offset.totalSeconds == 0 -> "UTC"
                offset.totalSeconds % 3600 == 0 -> "Etc/GMT" + (if (hours > 0) "-" else "+") + Math.abs(hours)
                else -> null
            }
        }
    }
}

/** The app's clock, as the journal reads it. */
private class AppClock(private val clock: Clock) : JournalClock {
    override fun now(): Instant = clock.instant()
}

/** A failed action, with what to show the person. */
open class Problem(val shown: String, cause: Throwable? = null) : Exception(shown, cause)

/** The journal was closed (the app is going away): the action was not done. */
class Closed : Problem("Onward is closing; this wasn't saved. Open it again to carry on.")

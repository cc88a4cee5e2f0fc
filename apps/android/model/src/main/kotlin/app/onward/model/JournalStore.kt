package app.onward.model

import app.onward.Journal
import app.onward.JournalChange
import app.onward.JournalObserver
import app.onward.ObserverHandle
import app.onward.OnwardException
import app.onward.SecretStore
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.receiveAsFlow
import kotlinx.coroutines.withContext

/**
 * The journal file, opened, with every storage call run on [storage] (never the UI
 * thread: the bindings' calls block on SQLite). The core's observer news arrives on
 * [changes] for the [AppModel] to route to the screens that show the changed records.
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

    /** What each write changed, in order; collected by one router. */
    val changes: Flow<JournalChange> = news.receiveAsFlow()

    /** Runs [block] against the journal on the storage dispatcher. */
    suspend fun <T> read(block: (Journal) -> T): T = withContext(storage) { block(journal) }

    /**
     * Runs [block] on the storage dispatcher; a journal error comes back as a failure
     * with a message in our words ([Words.problem]), and nothing was written.
     */
    suspend fun <T> attempt(block: (Journal) -> T): Result<T> =
        try {
            Result.success(read(block))
        } catch (e: OnwardException) {
            Result.failure(Problem(Words.problem(e), e))
        }

    override fun close() {
        observer.close()
        news.close()
        journal.close()
    }

    companion object {
        /**
         * Opens (or creates) the journal at [path], on [storage], with this device's
         * sync keys kept in [secrets] (never in the journal file). A file that is not a
         * journal raises [Problem] and is left untouched.
         */
        suspend fun open(path: String, storage: CoroutineDispatcher, secrets: SecretStore): JournalStore =
            withContext(storage) {
                try {
                    JournalStore(Journal.open(path, secrets), storage)
                } catch (e: OnwardException) {
                    throw Problem(Words.problem(e), e)
                }
            }
    }
}

/** A failed action, with what to show the person. */
class Problem(val shown: String, cause: Throwable? = null) : Exception(shown, cause)

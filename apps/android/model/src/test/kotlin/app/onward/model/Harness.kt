package app.onward.model

import app.onward.testing.Uncaught
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.job
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.nio.file.Path
import java.time.Clock
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.io.path.createTempDirectory

/** The thread every storage call of the tests runs on. */
const val STORAGE_THREAD = "onward-storage"

/** Reports a coroutine's uncaught exception to the runner, which fails the test. */
val reportUncaught = CoroutineExceptionHandler { context, e -> Uncaught.record("coroutine $context", e) }

/**
 * A real app over a real journal file in a fresh directory, with storage on its own
 * thread (as on a phone, where the UI thread never touches SQLite), at the time
 * [clock] says (by default [SteppingClock] from [testStart], never the real day).
 */
class Harness(
    val dir: Path = scratchDir("onward-model"),
    /** This device's sync keys: in memory, kept across reopening when given again. */
    val secrets: MemorySecretStore = MemorySecretStore(),
    val clock: Clock = SteppingClock(),
) : AutoCloseable {
    private val executor = Executors.newSingleThreadExecutor { Thread(it, STORAGE_THREAD) }
    val storage = executor.asCoroutineDispatcher()
    val scope = CoroutineScope(SupervisorJob() + reportUncaught)
    val app: AppModel = runBlocking { AppModel.open(dir, storage, scope, clock, secrets).also { it.load() } }

    /** Closes the app, then waits until its coroutines and storage thread are done. */
    override fun close() {
        app.close()
        runBlocking { scope.coroutineContext.job.cancelAndJoin() }
        executor.shutdown()
        executor.awaitTermination(10, TimeUnit.SECONDS)
    }
}

/** Runs [test] with a fresh app (in [dir] when given, at [clock]'s time); closes it after. */
fun withApp(dir: Path? = null, clock: Clock = SteppingClock(), test: suspend Harness.() -> Unit) {
    val h = Harness(dir ?: scratchDir("onward-model"), clock = clock)
    h.use { runBlocking { withTimeout(60_000) { h.test() } } }
}

/** Waits (at most 10 s) until the observer-driven refresh brings [flow] to a state [ok] accepts. */
suspend fun <S> StateFlow<S>.until(ok: (S) -> Boolean): S = withTimeout(10_000) { first(ok) }

private val scratch: MutableList<Path> = java.util.Collections.synchronizedList(mutableListOf())

/** A fresh temporary directory, removed by [removeScratch] when the tests end. */
fun scratchDir(prefix: String): Path = createTempDirectory(prefix).also { scratch.add(it) }

/** Removes every directory [scratchDir] made. */
fun removeScratch() {
    synchronized(scratch) { scratch.forEach { it.toFile().deleteRecursively() } }
}

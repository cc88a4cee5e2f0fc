package app.onward.model

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.nio.file.Path
import java.time.Clock
import java.util.concurrent.Executors
import kotlin.io.path.createTempDirectory

/** The thread every storage call of the tests runs on. */
const val STORAGE_THREAD = "onward-storage"

/**
 * A real app over a real journal file in a fresh directory, with storage on its own
 * thread (as on a phone, where the UI thread never touches SQLite).
 */
class Harness(
    val dir: Path = scratchDir("onward-model"),
    /** This device's sync keys: in memory, kept across reopening when given again. */
    val secrets: MemorySecretStore = MemorySecretStore(),
) : AutoCloseable {
    private val executor = Executors.newSingleThreadExecutor { Thread(it, STORAGE_THREAD) }
    val storage = executor.asCoroutineDispatcher()
    val scope = CoroutineScope(SupervisorJob())
    val clock: Clock = Clock.systemDefaultZone()
    val app: AppModel = runBlocking { AppModel.open(dir, storage, scope, clock, secrets).also { it.load() } }

    override fun close() {
        app.close()
        scope.cancel()
        executor.shutdown()
    }
}

/** Runs [test] with a fresh app; closes it after. */
fun withApp(dir: Path? = null, test: suspend Harness.() -> Unit) {
    val h = if (dir == null) Harness() else Harness(dir)
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

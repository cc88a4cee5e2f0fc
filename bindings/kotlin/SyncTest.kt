// Sync through the Kotlin bindings, as an Android app's sync screen uses it, against a
// real onward-relay process on 127.0.0.1 (bindings/run-tests builds it and names it in
// ONWARD_RELAY). Every wait is bounded; the relay is stopped at the end of each test.

import app.onward.*
import java.nio.file.Path
import java.util.concurrent.CompletableFuture
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.io.path.createTempDirectory
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlin.test.fail

val syncTests: List<Pair<String, () -> Unit>> = listOf(
    "two devices pair, sync now and follow each other in the background" to ::twoDevices,
    "a mangled pairing code is a clear error that changes nothing" to ::mangledCode,
    "with the relay down, sync fails clearly and logging goes on" to ::relayDown,
)

/** The longest a state or a change may take to show up, in seconds. */
const val WAIT_SECONDS = 30L

/** A real onward-relay on a free loopback port, with its database in [dir]. */
class RelayProcess(dir: Path) : AutoCloseable {
    private val process: Process
    val url: String

    init {
        val binary = System.getenv("ONWARD_RELAY")
            ?: error("ONWARD_RELAY names no relay binary: run the tests with bindings/run-tests")
        process = ProcessBuilder(binary, "--listen", "127.0.0.1:0", "--db", dir.resolve("relay.db").toString())
            .redirectError(dir.resolve("relay.log").toFile())
            .start()
        val firstLine = CompletableFuture.supplyAsync { process.inputStream.bufferedReader().readLine() }
        val line = try {
            firstLine.get(WAIT_SECONDS, TimeUnit.SECONDS)
        } catch (e: Exception) {
            process.destroyForcibly()
            throw IllegalStateException("the relay did not say where it listens: ${dir.resolve("relay.log").toFile().readText()}", e)
        }
        url = line?.substringAfter("listening on ", "")?.takeIf { it.startsWith("http://") }
            ?: error("unexpected first line from the relay: $line")
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}

/** Queues what it hears, for bounded waits. */
class Heard : SyncObserver, JournalObserver {
    val states = LinkedBlockingQueue<SyncState>()
    val changes = LinkedBlockingQueue<JournalChange>()
    override fun onState(state: SyncState) {
        states.add(state)
    }
    override fun onChange(change: JournalChange) {
        changes.add(change)
    }
}

/** Waits (bounded) for an item [wanted] accepts; fails naming what came instead. */
fun <T> LinkedBlockingQueue<T>.waitFor(what: String, wanted: (T) -> Boolean): T {
    val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS)
    val seen = mutableListOf<T>()
    while (true) {
        val left = deadline - System.nanoTime()
        if (left <= 0) break
        val item = poll(left, TimeUnit.NANOSECONDS) ?: break
        if (wanted(item)) return item
        seen.add(item)
    }
    fail("no $what within $WAIT_SECONDS s; saw $seen")
}

fun isInSync(state: SyncState) = state is SyncState.Checked && state.status.inSync

fun logRejection(journal: Journal): String {
    val app = journal.logApplication(NewApplication(company = "Acme", role = "Data Engineer"))
    return journal.logRejection(
        NewRejection(applicationId = app.meta.id, reason = Reason.INTERNAL_CANDIDATE),
    ).rejection.meta.id
}

fun writeEntry(journal: Journal, body: String): String =
    journal.writeEntry(NewEntry(kind = EntryKind.FREE, body = body)).meta.id

fun twoDevices() {
    val dir = createTempDirectory("onward-kotlin-sync")
    RelayProcess(dir).use { relay ->
        Journal.open(dir.resolve("phone.onward").toString()).use { phone ->
            Journal.open(dir.resolve("laptop.onward").toString()).use { laptop ->
                assertFalse(phone.isSyncEnabled())
                val code = phone.enableSync(relay.url)
                assertEquals(code, phone.pairingCode())
                val rejection = logRejection(phone)
                val sent = phone.syncNow()
                assertTrue(sent.sentChanges >= 2uL, "$sent")
                assertTrue(sent.inSync, "$sent")

                // The laptop's own entry stays; the phone's rejection arrives.
                val own = writeEntry(laptop, "Notes from before sync")
                val joined = laptop.joinSync(code)
                assertContains(joined.changedIds, rejection)
                assertEquals(RecordKind.REJECTION, laptop.record(rejection).item.kind)
                assertEquals(own, laptop.record(own).item.id)

                // The phone syncs in the background and hears the laptop's reflection.
                val heard = Heard()
                phone.observe(heard).use {
                    phone.startBackgroundSync(heard).use { background ->
                        heard.states.waitFor("the phone in sync", ::isInSync)
                        val reflection = writeEntry(laptop, "They liked my pipeline design; ask for feedback.")
                        laptop.syncNow()
                        val arrived = heard.changes.waitFor("the reflection on the phone") { reflection in it.ids }
                        assertEquals(listOf(RecordKind.ENTRY), arrived.kinds)
                        assertEquals(RecordKind.ENTRY, phone.record(reflection).item.kind)

                        // A write on the phone goes out by itself (the loop is nudged).
                        heard.states.waitFor("the phone in sync again", ::isInSync)
                        val fromPhone = writeEntry(phone, "Walked by the river after the call.")
                        var reached = false
                        repeat(3) {
                            if (!reached) {
                                heard.states.waitFor("the phone's round after its write", ::isInSync)
                                reached = fromPhone in laptop.syncNow().changedIds
                            }
                        }
                        assertTrue(reached, "the phone's entry never reached the laptop")
                        background.stop()
                    }
                }
                val phoneStatus = phone.syncStatus()
                val laptopStatus = laptop.syncStatus()
                assertTrue(phoneStatus.inSync, "$phoneStatus")
                assertTrue(laptopStatus.inSync, "$laptopStatus")
                assertEquals("In sync.", laptopStatus.summary)
                assertNotNull(phoneStatus.lastSuccessAt)
            }
        }
    }
}

fun mangledCode() {
    val dir = createTempDirectory("onward-kotlin-sync")
    RelayProcess(dir).use { relay ->
        Journal.open(dir.resolve("phone.onward").toString()).use { phone ->
            Journal.open(dir.resolve("laptop.onward").toString()).use { laptop ->
                val code = phone.enableSync(relay.url)
                val own = writeEntry(laptop, "Mine alone")
                val mid = code.length / 2
                val mangled = code.substring(0, mid) + (if (code[mid] == 'A') 'B' else 'A') + code.substring(mid + 1)
                for (bad in listOf(mangled, "not a code")) {
                    val e = assertFailsWith<OnwardException.InvalidInput>(bad) { laptop.joinSync(bad) }
                    assertEquals("pairing_code", e.field)
                }
                assertFalse(laptop.isSyncEnabled())
                assertFailsWith<OnwardException.Sync> { laptop.pairingCode() }
                assertEquals(listOf(own), laptop.timeline(TimelineQuery()).map { it.id })
                laptop.joinSync(code)
                assertTrue(laptop.isSyncEnabled())
            }
        }
    }
}

fun relayDown() {
    val dir = createTempDirectory("onward-kotlin-sync")
    Journal.open(dir.resolve("phone.onward").toString()).use { phone ->
        RelayProcess(dir).use { relay -> phone.enableSync(relay.url) }
        // The relay has stopped.
        val rejection = logRejection(phone)
        val e = assertFailsWith<OnwardException.Sync> { phone.syncNow() }
        assertContains(e.detail, "relay")
        assertEquals(rejection, phone.record(rejection).item.id)
        val status = phone.syncStatus()
        assertFalse(status.inSync)
        assertNotNull(status.unreachable)

        val heard = Heard()
        phone.startBackgroundSync(heard).use {
            val offline = heard.states.waitFor("offline") { it is SyncState.Offline } as SyncState.Offline
            assertContains(offline.message, "relay")
            assertNotNull(offline.retryIn)
            writeEntry(phone, "Still writing while offline")
        }
        assertTrue(phone.disableSync())
        assertFalse(phone.isSyncEnabled())
        assertEquals(3, phone.timeline(TimelineQuery()).size)
    }
}

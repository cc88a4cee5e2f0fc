// Sync through the Kotlin bindings, as an Android app's sync screen uses it, against a
// real onward-relay process on 127.0.0.1 (bindings/run-tests builds it and names it in
// ONWARD_RELAY): invitations, devices, removal, the recovery kit and the app's
// SecretStore. Every wait is bounded; the relay is stopped at the end of each test.

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
    "an invitation, previewed then joined: two devices sync now and follow each other in the background" to ::twoDevices,
    "an invitation works once; a mangled one is a clear error that changes nothing" to ::invitationOnce,
    "the keys live in the app's SecretStore, never in the journal file" to ::keysStayInTheStore,
    "a removed (lost) device is told so on its next sync" to ::lostDevice,
    "a recovery kit brings the journal back on an empty new device" to ::recoveryKit,
    "a device leaves, then the last one deletes the relay's copy and brings it back" to ::leaveDeleteRestore,
    "plain http:// to another machine is refused" to ::plainHttpRefused,
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

/** The app's secret store, in memory (the Keychain or a Keystore-wrapped file on a phone). */
class MapStore : SecretStore {
    val secrets = java.util.concurrent.ConcurrentHashMap<String, ByteArray>()
    override fun load(name: String): ByteArray? = secrets[name]
    override fun save(name: String, secret: ByteArray) {
        secrets[name] = secret
    }
    override fun delete(name: String) {
        secrets.remove(name)
    }
}

/** A journal in [dir] whose keys live in [store], as on a phone. */
fun openJournal(dir: Path, name: String, store: SecretStore = MapStore()): Journal =
    Journal.open(dir.resolve(name).toString(), store)

/** Has [other] join [first]'s journal by an invitation, as [name]. */
fun pair(first: Journal, other: Journal, name: String) {
    other.joinSync(first.inviteDevice(10u).code, name)
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
        openJournal(dir, "phone.onward").use { phone ->
            openJournal(dir, "laptop.onward").use { laptop ->
                assertFalse(phone.isSyncEnabled())
                phone.enableSync(relay.url, "Phone")
                val rejection = logRejection(phone)
                val sent = phone.syncNow()
                assertTrue(sent.sentChanges >= 2uL, "$sent")
                assertTrue(sent.inSync, "$sent")

                // The laptop sees what it would join, then joins: its own entry stays
                // and the phone's rejection arrives.
                val invitation = phone.inviteDevice(10u)
                assertTrue(invitation.expiresAt.isAfter(java.time.Instant.now()))
                val preview = laptop.previewInvitation(invitation.code)
                assertEquals(relay.url, preview.relayUrl)
                assertEquals(listOf("Phone"), preview.devices)
                assertFalse(laptop.isSyncEnabled(), "a preview changes nothing")
                val own = writeEntry(laptop, "Notes from before sync")
                val joined = laptop.joinSync(invitation.code, "Laptop")
                assertContains(joined.changedIds, rejection)
                assertEquals(RecordKind.REJECTION, laptop.record(rejection).item.kind)
                assertEquals(own, laptop.record(own).item.id)
                phone.syncNow()
                for ((journal, me) in listOf(phone to "Phone", laptop to "Laptop")) {
                    val devices = journal.devices()
                    assertEquals(setOf("Phone", "Laptop"), devices.map { it.name }.toSet())
                    assertEquals(me, devices.single { it.thisDevice }.name)
                }

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

fun invitationOnce() {
    val dir = createTempDirectory("onward-kotlin-sync")
    RelayProcess(dir).use { relay ->
        openJournal(dir, "phone.onward").use { phone ->
            openJournal(dir, "laptop.onward").use { laptop ->
                openJournal(dir, "tablet.onward").use { tablet ->
                    phone.enableSync(relay.url, "Phone")
                    val code = phone.inviteDevice(10u).code
                    val own = writeEntry(laptop, "Mine alone")
                    val mid = code.length / 2
                    val mangled = code.substring(0, mid) + (if (code[mid] == 'A') 'B' else 'A') + code.substring(mid + 1)
                    for (bad in listOf(mangled, "not a code")) {
                        val e = assertFailsWith<OnwardException.InvalidInput>(bad) { laptop.joinSync(bad, "Laptop") }
                        assertEquals("invitation", e.field)
                    }
                    assertFalse(laptop.isSyncEnabled())
                    assertEquals(listOf(own), laptop.timeline(TimelineQuery()).map { it.id })

                    laptop.joinSync(code, "Laptop")
                    assertTrue(laptop.isSyncEnabled())
                    // Used once: neither a preview nor a join works with it again.
                    val seen = assertFailsWith<OnwardException.InvalidInput> { tablet.previewInvitation(code) }
                    assertEquals("invitation", seen.field)
                    val again = assertFailsWith<OnwardException.InvalidInput> { tablet.joinSync(code, "Tablet") }
                    assertContains(again.reason, "already used")
                    assertFalse(tablet.isSyncEnabled())
                }
            }
        }
    }
}

/** Whether [file] holds a piece of [secret]: 32 bytes of it as stored, or a key in it (64 hex) as raw bytes. */
fun holdsAnyOf(file: ByteArray, secret: ByteArray): Boolean {
    fun contains(needle: ByteArray) =
        (0..file.size - needle.size).any { at -> needle.indices.all { file[at + it] == needle[it] } }
    val pieces = (0..secret.size - 32).map { secret.copyOfRange(it, it + 32) }
    val keys = Regex("[0-9a-f]{64}").findAll(String(secret, Charsets.UTF_8))
        .map { m -> ByteArray(32) { m.value.substring(2 * it, 2 * it + 2).toInt(16).toByte() } }
    return pieces.any(::contains) || keys.any(::contains)
}

fun keysStayInTheStore() {
    val dir = createTempDirectory("onward-kotlin-sync")
    val store = MapStore()
    RelayProcess(dir).use { relay ->
        openJournal(dir, "phone.onward", store).use { phone ->
            phone.enableSync(relay.url, "Phone")
            logRejection(phone)
            assertTrue(phone.syncNow().inSync)
            assertTrue(phone.inviteDevice(10u).code.startsWith("ONWARD2-"))
            assertTrue(store.secrets.isNotEmpty(), "no keys in the store")
            for (secret in store.secrets.values) {
                for (file in listOf("phone.onward", "phone.onward-wal")) {
                    val bytes = dir.resolve(file).toFile().takeIf { it.exists() }?.readBytes() ?: ByteArray(0)
                    assertFalse(holdsAnyOf(bytes, secret), "$file holds a secret")
                }
            }
        }
        // Opened again with the same store, it still syncs.
        openJournal(dir, "phone.onward", store).use { phone -> assertTrue(phone.syncNow().inSync) }
    }
}

fun lostDevice() {
    val dir = createTempDirectory("onward-kotlin-sync")
    RelayProcess(dir).use { relay ->
        openJournal(dir, "laptop.onward").use { laptop ->
            openJournal(dir, "phone.onward").use { phone ->
                laptop.enableSync(relay.url, "Laptop")
                pair(laptop, phone, "Phone")
                laptop.syncNow()
                val removed = laptop.removeDevice("Phone")
                assertEquals("Phone", removed.device.name)
                assertEquals(listOf("Laptop"), laptop.devices().map { it.name })
                val e = assertFailsWith<OnwardException.Sync> { phone.syncNow() }
                assertContains(e.detail, "removed")
                assertFailsWith<OnwardException.NotFound> { laptop.removeDevice("Phone") }
                assertTrue(laptop.syncNow().inSync)
            }
        }
    }
}

fun leaveDeleteRestore() {
    val dir = createTempDirectory("onward-kotlin-sync")
    RelayProcess(dir).use { relay ->
        val store = MapStore()
        openJournal(dir, "laptop.onward", store).use { laptop ->
            openJournal(dir, "tablet.onward").use { tablet ->
                laptop.enableSync(relay.url, "Laptop")
                pair(laptop, tablet, "Tablet")
                laptop.syncNow()
                val notLast = assertFailsWith<OnwardException.InvalidInput> { laptop.deleteRelayCopy() }
                assertEquals("device", notLast.field)
                tablet.leaveSync()
                assertFalse(tablet.isSyncEnabled())
                laptop.syncNow()
                assertEquals(listOf("Laptop"), laptop.devices().map { it.name })
            }
            val rejection = logRejection(laptop)
            laptop.syncNow()
            val deleted = laptop.deleteRelayCopy()
            assertTrue(deleted.purgeAfter.isAfter(java.time.Instant.now()), "${deleted.purgeAfter}")
            assertFalse(laptop.isSyncEnabled())
            assertEquals(1, store.secrets.size, "the keys for the restore")
            assertTrue(laptop.restoreRelayCopy().inSync)
            assertTrue(laptop.isSyncEnabled())
            openJournal(dir, "phone.onward").use { phone ->
                pair(laptop, phone, "Phone")
                assertEquals(RecordKind.REJECTION, phone.record(rejection).item.kind)
            }
        }
    }
}

fun recoveryKit() {
    val dir = createTempDirectory("onward-kotlin-sync")
    RelayProcess(dir).use { relay ->
        val rejection = openJournal(dir, "laptop.onward").use { laptop ->
            laptop.enableSync(relay.url, "Laptop")
            val rejection = logRejection(laptop)
            laptop.syncNow()
            val kit = laptop.recoveryKit()
            assertTrue(kit.startsWith("ONWARDKIT1-"), kit)
            dir.resolve("kit.txt").toFile().writeText(kit)
            rejection
        }
        // Every device is gone; an empty new one has the kit.
        openJournal(dir, "new-phone.onward").use { newPhone ->
            val bad = assertFailsWith<OnwardException.InvalidInput> { newPhone.recoverFromKit("ONWARDKIT1-AAAA", "New phone") }
            assertEquals("recovery_kit", bad.field)
            val back = newPhone.recoverFromKit(dir.resolve("kit.txt").toFile().readText(), "New phone")
            assertContains(back.changedIds, rejection)
            assertEquals(RecordKind.REJECTION, newPhone.record(rejection).item.kind)
            assertEquals("New phone", newPhone.devices().single { it.thisDevice }.name)
        }
    }
}

fun plainHttpRefused() {
    val dir = createTempDirectory("onward-kotlin-sync")
    openJournal(dir, "phone.onward").use { phone ->
        val e = assertFailsWith<OnwardException.InvalidInput> { phone.enableSync("http://relay.example.org", "Phone") }
        assertEquals("relay", e.field)
        assertContains(e.reason, "https://")
        assertFalse(phone.isSyncEnabled())
    }
}

fun relayDown() {
    val dir = createTempDirectory("onward-kotlin-sync")
    openJournal(dir, "phone.onward").use { phone ->
        RelayProcess(dir).use { relay -> phone.enableSync(relay.url, "Phone") }
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

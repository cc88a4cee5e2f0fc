package app.onward.model

import app.onward.JournalChange
import app.onward.SyncHandle
import app.onward.SyncObserver
import app.onward.SyncReport
import app.onward.SyncState
import app.onward.SyncStatus
import kotlinx.coroutines.flow.update

/**
 * Syncing this phone with the person's other devices through a relay: turn it on with
 * the relay's address (the pairing code then shows as a QR code and as text), join from
 * another device's code (scanned or pasted), sync now, or let it run in the background.
 * "In sync" shows only after the relay was asked and holds exactly what this device
 * holds; any change since makes it ask again.
 */
data class SyncScreenState(
    /** Null until read from the journal. */
    val enabled: Boolean? = null,
    val relayAddress: String = "",
    /** The code to show (QR and text) to add another device. */
    val pairingCode: String? = null,
    /** What was pasted or scanned on the joining device. */
    val joinCode: String = "",
    val working: Boolean = false,
    val inSync: Boolean = false,
    /** One line: the core's checked summary, or what is going on. */
    val statusLine: String = "",
    /** What the last round did, in a few words. */
    val lastRound: String? = null,
    val background: Boolean = false,
    val problem: String? = null,
)

class SyncModel(private val store: JournalStore) : ScreenModel<SyncScreenState>(SyncScreenState()) {
    @Volatile private var handle: SyncHandle? = null

    // A change here (or merged in) may not be on the relay yet: ask again. The
    // background loop asks by itself and reports through its observer.
    override fun shows(change: JournalChange) = state.value.enabled == true && handle == null

    override suspend fun refresh() {
        val enabled = store.attempt { it.isSyncEnabled() }.getOrElse {
            trouble(it)
            return
        }
        if (!enabled) {
            mutable.value = SyncScreenState(enabled = false, relayAddress = mutable.value.relayAddress, statusLine = NOT_ON)
            return
        }
        val code = store.attempt { it.pairingCode() }.getOrNull()
        edit { it.copy(enabled = true, pairingCode = code) }
        check()
    }

    // Atomic: the background sync's thread and the UI's coroutines both change the state.
    fun edit(change: (SyncScreenState) -> SyncScreenState) = mutable.update(change)

    /** Turns sync on with the relay typed in; the pairing code appears. */
    suspend fun enable(): Result<String> {
        val address = state.value.relayAddress.trim()
        if (address.isEmpty()) return fail("Type your relay's address first, e.g. https://relay.example.org.")
        working(CHECKING)
        return store.attempt { it.enableSync(address) }
            .onSuccess { code ->
                edit { it.copy(enabled = true, pairingCode = code, working = false, inSync = false, statusLine = NOT_YET, problem = null) }
            }
            .onFailure(::trouble)
    }

    /** Joins the journal of the code scanned or pasted; both sides' records are kept. */
    suspend fun join(): Result<SyncReport> {
        val code = state.value.joinCode.trim()
        if (code.isEmpty()) return fail("Scan the code on your other device, or paste it here.")
        working("Joining…")
        return store.attempt { it.joinSync(code) }
            .onSuccess { report ->
                val pairing = store.attempt { it.pairingCode() }.getOrNull()
                edit { it.copy(enabled = true, pairingCode = pairing, joinCode = "") }
                checked(report)
            }
            .onFailure(::trouble)
    }

    /** One round now: send, receive, then check with the relay. */
    suspend fun syncNow(): Result<SyncReport> {
        working("Syncing…")
        return store.attempt { it.syncNow() }.onSuccess(::checked).onFailure(::trouble)
    }

    /** Asks the relay where things stand (no sending or receiving). */
    suspend fun check(): Result<SyncStatus> {
        working(CHECKING)
        return store.attempt { it.syncStatus() }.onSuccess(::checked).onFailure(::trouble)
    }

    /** Syncs in the background, after each change and whenever another device sends. */
    suspend fun startBackground(): Result<Unit> {
        val observer = object : SyncObserver {
            override fun onState(state: SyncState) = heard(state)
        }
        return store.attempt { it.startBackgroundSync(observer) }
            .map { started ->
                handle?.close()
                handle = started
                edit { it.copy(background = true, problem = null) }
            }.onFailure(::trouble)
    }

    /** Stops the background sync (what it did stays). */
    fun stopBackground() {
        handle?.close()
        handle = null
        edit { it.copy(background = false) }
    }

    /** Turns sync off on this device; every record stays here. */
    suspend fun disable(): Result<Boolean> {
        stopBackground()
        return store.attempt { it.disableSync() }
            .onSuccess { mutable.value = SyncScreenState(enabled = false, relayAddress = state.value.relayAddress, statusLine = NOT_ON) }
            .onFailure(::trouble)
    }

    // Called on the sync's own thread; the state flow is safe to set from there.
    private fun heard(s: SyncState) = when (s) {
        is SyncState.Syncing -> working("Syncing…")
        is SyncState.Checked -> checked(s.status)
        is SyncState.Offline -> edit { it.copy(working = false, inSync = false, statusLine = s.message) }
        is SyncState.Refused -> edit {
            it.copy(working = false, inSync = false, lastRound = "${s.batches.size} changes from another device couldn't be read and were set aside.")
        }
    }

    private fun checked(report: SyncReport) {
        checked(report.status)
        edit { it.copy(lastRound = "Sent ${report.sentChanges}, received ${report.receivedChanges}.") }
    }

    private fun checked(status: SyncStatus) = edit {
        it.copy(
            working = false,
            inSync = status.inSync,
            statusLine = status.summary,
            relayAddress = status.relayUrl,
            problem = null,
        )
    }

    private fun working(line: String) = edit { it.copy(working = true, statusLine = line) }

    private fun trouble(e: Throwable) = edit { it.copy(working = false, inSync = false, problem = e.message) }

    private fun <T> fail(words: String): Result<T> {
        val problem = Problem(words)
        trouble(problem)
        return Result.failure(problem)
    }

    private companion object {
        const val NOT_ON = "Sync is off: this journal lives on this phone only."
        const val NOT_YET = "On, not synced yet."
        const val CHECKING = "Checking with the relay…"
    }
}

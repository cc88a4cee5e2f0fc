package app.onward.model

import app.onward.DeviceInfo
import app.onward.Invitation
import app.onward.InvitationPreview
import app.onward.JournalChange
import app.onward.RemovedDevice
import app.onward.SyncHandle
import app.onward.SyncObserver
import app.onward.SyncReport
import app.onward.SyncState
import app.onward.SyncStatus
import kotlinx.coroutines.flow.update
import java.time.Clock
import java.time.Instant

/**
 * Syncing this phone with the person's other devices through a relay. Each device has
 * keys of its own: turn sync on with the relay's address, then add a device by showing
 * it a one-time invitation (QR code and text); a joining phone first shows what the
 * code joins (the relay, the devices there) and joins only once the person confirms.
 * The device list shows who syncs; a lost phone is removed from another device. The
 * recovery kit shows only when asked for. "In sync" shows only after the relay was
 * asked and holds exactly what this device holds.
 */
data class SyncScreenState(
    /** Null until read from the journal. */
    val enabled: Boolean? = null,
    val relayAddress: String = "",
    /** How the other devices list this one; the app fills in the phone's model name. */
    val deviceName: String = "",
    /** The invitation on screen; gone once used or expired (never kept longer). */
    val invitation: Invitation? = null,
    /** What was pasted or scanned on the joining device. */
    val joinCode: String = "",
    /** What [joinCode] would join, shown for the person to confirm or cancel. */
    val joinPreview: InvitationPreview? = null,
    /** The journal's devices (and recovery kit), as this device last checked them. */
    val devices: List<DeviceInfo> = emptyList(),
    /** The recovery kit, only while the person asked to see it. */
    val recoveryKit: String? = null,
    val working: Boolean = false,
    val inSync: Boolean = false,
    /** One line: the core's checked summary, or what is going on. */
    val statusLine: String = "",
    /** What the last round did, in a few words. */
    val lastRound: String? = null,
    /** What the person's last step did (a device removed), until dismissed. */
    val notice: String? = null,
    val background: Boolean = false,
    val problem: String? = null,
)

class SyncModel(
    private val store: JournalStore,
    private val clock: Clock,
) : ScreenModel<SyncScreenState>(SyncScreenState()) {
    @Volatile private var handle: SyncHandle? = null

    /** How many devices there were when the invitation on screen was made. */
    @Volatile private var devicesWhenInvited = 0

    // A change here (or merged in) may not be on the relay yet: ask again. The
    // background loop asks by itself and reports through its observer.
    override fun shows(change: JournalChange) = state.value.enabled == true && handle == null

    override suspend fun refresh() {
        val enabled = store.attempt { it.isSyncEnabled() }.getOrElse {
            trouble(it)
            return
        }
        if (!enabled) {
            off()
            return
        }
        edit { it.copy(enabled = true) }
        check()
    }

    // Atomic: the background sync's thread and the UI's coroutines both change the state.
    fun edit(change: (SyncScreenState) -> SyncScreenState) = mutable.update(change)

    /** Turns sync on with the relay typed in; then [showInvitation] adds a device. */
    suspend fun enable(): Result<Unit> {
        val address = state.value.relayAddress.trim()
        if (address.isEmpty()) return fail("Type your relay's address first, e.g. https://relay.example.org.")
        working(CHECKING)
        return store.attempt { it.enableSync(address, name()) }
            .onSuccess {
                // The background check may have answered already: its line is newer.
                edit {
                    val line = if (it.statusLine == CHECKING) NOT_YET else it.statusLine
                    it.copy(enabled = true, working = false, inSync = false, statusLine = line, problem = null)
                }
                loadDevices()
            }
            .onFailure(::trouble)
    }

    /**
     * Makes a one-time invitation for another device and shows it (the QR code's text
     * is [Invitation.code]). It is put away once a new device shows up in the list or it
     * expires; the screen keeps it out of screenshots and offers no copy button.
     */
    suspend fun showInvitation(): Result<Invitation> {
        working("Making an invitation…")
        val before = store.attempt { it.devices() }.getOrNull() ?: state.value.devices
        return store.attempt { it.inviteDevice(INVITATION_MINUTES) }
            .onSuccess { invitation ->
                devicesWhenInvited = before.count { !it.recoveryKit }
                edit { it.copy(invitation = invitation, working = false, statusLine = SHOW_IT, problem = null) }
            }
            .onFailure(::trouble)
    }

    /** Puts the invitation away (the person closed it); it still works until it expires. */
    fun hideInvitation() = edit { it.copy(invitation = null) }

    /**
     * Reads the device list again and puts the invitation away once a device joined by
     * it (this device learns so when it syncs) or it expired at [now]. The UI calls it
     * every few seconds while an invitation shows.
     */
    suspend fun putAwayIfDone(now: Instant = clock.instant()) = loadDevices(now)

    /** Reads the code scanned or pasted and shows what it would join; nothing changes yet. */
    suspend fun previewJoin(): Result<InvitationPreview> {
        val code = state.value.joinCode.trim()
        if (code.isEmpty()) return fail("Scan the invitation on your other device, or type it here.")
        working("Reading the invitation…")
        return store.attempt { it.previewInvitation(code) }
            .onSuccess { preview -> edit { it.copy(joinPreview = preview, working = false, problem = null) } }
            .onFailure(::trouble)
    }

    /** Joins what the preview showed, once the person said yes; both sides' records are kept. */
    suspend fun confirmJoin(): Result<SyncReport> {
        if (state.value.joinPreview == null) return fail("Read the invitation first, to see what you're joining.")
        val code = state.value.joinCode.trim()
        working("Joining…")
        return store.attempt { it.joinSync(code, name()) }
            .onSuccess { report ->
                edit { it.copy(enabled = true, joinCode = "", joinPreview = null) }
                checked(report)
                loadDevices()
            }
            .onFailure(::trouble)
    }

    /** Not this journal after all: the preview goes, and nothing was joined. */
    fun cancelJoin() = edit { it.copy(joinCode = "", joinPreview = null, problem = null) }

    /**
     * Removes another device, say a lost phone: from now on the relay refuses it, and
     * nothing written afterwards can be read on it.
     */
    suspend fun removeDevice(device: DeviceInfo): Result<RemovedDevice> {
        working("Removing ${device.name}…")
        return store.attempt { it.removeDevice(device.id) }
            .onSuccess { removed ->
                // Not the status line: a refresh after the removal's own write replaces that.
                edit { it.copy(working = false, notice = "${removed.device.name} was removed; it can't sync any more.", problem = null) }
                loadDevices()
            }
            .onFailure(::trouble)
    }

    fun dismissNotice() = edit { it.copy(notice = null) }

    /** Takes this phone off the journal's devices and turns sync off here; every record stays. */
    suspend fun leave(): Result<Unit> {
        stopBackground()
        working("Leaving…")
        return store.attempt { it.leaveSync() }.onSuccess { off() }.onFailure(::trouble)
    }

    /**
     * Makes a new recovery kit and shows it: the only moment it is shown. A kit made
     * before stops working. Shown with [KIT_WARNING], kept out of screenshots and off
     * the clipboard.
     */
    suspend fun showRecoveryKit(): Result<String> {
        working("Making a recovery kit…")
        return store.attempt { it.recoveryKit() }
            .onSuccess { kit ->
                edit { it.copy(recoveryKit = kit, working = false, problem = null) }
                loadDevices()
            }
            .onFailure(::trouble)
    }

    /** The person has put the kit somewhere safe: it leaves the screen (and memory here). */
    fun hideRecoveryKit() = edit { it.copy(recoveryKit = null) }

    /** On a new phone: brings the journal back from a recovery kit typed or scanned into [joinCode]. */
    suspend fun recover(): Result<SyncReport> {
        val kit = state.value.joinCode.trim()
        if (kit.isEmpty()) return fail("Type or scan your recovery kit first.")
        working("Bringing your journal back…")
        return store.attempt { it.recoverFromKit(kit, name()) }
            .onSuccess { report ->
                edit { it.copy(enabled = true, joinCode = "") }
                checked(report)
                loadDevices()
            }
            .onFailure(::trouble)
    }

    /** One round now: send, receive, then check with the relay. */
    suspend fun syncNow(): Result<SyncReport> {
        working("Syncing…")
        return store.attempt { it.syncNow() }
            .onSuccess { report ->
                checked(report)
                loadDevices()
            }
            .onFailure(::trouble)
    }

    /** Asks the relay where things stand (no sending or receiving). */
    suspend fun check(): Result<SyncStatus> {
        working(CHECKING)
        return store.attempt { it.syncStatus() }
            .onSuccess { status ->
                checked(status)
                loadDevices()
            }
            .onFailure(::trouble)
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

    /** Turns sync off on this device without telling the others; every record stays here. */
    suspend fun disable(): Result<Boolean> {
        stopBackground()
        return store.attempt { it.disableSync() }.onSuccess { off() }.onFailure(::trouble)
    }

    /**
     * Reads the device list this device last checked, and puts the invitation away
     * once a new device has joined by it.
     */
    private suspend fun loadDevices(now: Instant = clock.instant()) {
        val devices = store.attempt { it.devices() }.getOrNull()
        edit { s ->
            val used = devices != null && devices.count { !it.recoveryKit } > devicesWhenInvited
            val expired = s.invitation != null && !now.isBefore(s.invitation.expiresAt)
            s.copy(devices = devices ?: s.devices, invitation = s.invitation.takeUnless { used || expired })
        }
    }

    private fun off() {
        mutable.value = SyncScreenState(
            enabled = false,
            relayAddress = state.value.relayAddress,
            deviceName = state.value.deviceName,
            statusLine = NOT_ON,
        )
    }

    private fun name(): String? = state.value.deviceName.trim().ifEmpty { null }

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

    companion object {
        /** Said beside the recovery kit, every time it shows. */
        const val KIT_WARNING =
            "Anyone with this kit can open your journal. Keep it like a house key: print it or " +
                "write it down and put it somewhere safe, not in a photo, a chat or a shared note. " +
                "Making a new kit stops this one from working."

        /** How long an invitation lasts: long enough to fetch the other device. */
        const val INVITATION_MINUTES: UInt = 10u

        private const val NOT_ON = "Sync is off: this journal lives on this phone only."
        private const val NOT_YET = "On, not synced yet."
        private const val CHECKING = "Checking with the relay…"
        private val SHOW_IT = "Scan this on your other device, or type it there. It works once, for $INVITATION_MINUTES minutes."
    }
}

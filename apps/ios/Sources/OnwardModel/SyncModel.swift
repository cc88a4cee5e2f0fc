import Foundation
import Observation

/// Syncing with the person's other devices, each with keys of its own (mirrors the
/// Kotlin model's `SyncModel`): turn sync on with a relay address, add a device by
/// showing it a one-time invitation (QR code and text), join by an invitation after
/// seeing what it joins and confirming, the device list (remove a lost phone), leave,
/// and the recovery kit shown only when asked for. "In sync" shows only after the relay
/// was asked and holds exactly what this device holds.
@MainActor @Observable
public final class SyncModel: RefreshingScreen {
    public private(set) var enabled: Bool?
    public var relayAddress = ""
    /// How the other devices list this one; the app fills in the phone's name.
    public var deviceName = ""
    /// The invitation on screen; gone once used or expired (never kept longer).
    public private(set) var invitation: Invitation?
    public var joinCode = ""
    /// What `joinCode` would join, shown for the person to confirm or cancel.
    public private(set) var joinPreview: InvitationPreview?
    public private(set) var devices: [DeviceInfo] = []
    /// The recovery kit, only while the person asked to see it.
    public private(set) var recoveryKit: String?
    public private(set) var working = false
    public private(set) var inSync = false
    public private(set) var statusLine = ""
    public private(set) var lastRound: String?
    /// What the person's last step did (a device removed), until dismissed.
    public private(set) var notice: String?
    public private(set) var background = false
    public private(set) var problem: String?
    private var handle: SyncHandle?
    private var devicesWhenInvited = 0
    private let store: JournalStore

    /// Said beside the recovery kit, every time it shows.
    public static let kitWarning = "Anyone with this kit can open your journal. Keep it like a house key: print it or write it down and put it somewhere safe, not in a photo, a chat or a shared note. Making a new kit stops this one from working."
    static let invitationMinutes: UInt32 = 10

    init(store: JournalStore) { self.store = store }

    public func shows(_ change: JournalChange) -> Bool { enabled == true && handle == nil }

    public func refresh() async {
        guard case let .success(on) = await store.attempt({ try $0.isSyncEnabled() }) else { return }
        enabled = on
        guard on else { off(); return }
        await check()
    }

    private var name: String? {
        let trimmed = deviceName.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    public func enable() async {
        let address = relayAddress.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !address.isEmpty else { problem = "Type your relay's address first, e.g. https://relay.example.org."; return }
        working = true
        let name = name
        switch await store.attempt({ try $0.enableSync(relayUrl: address, deviceName: name) }) {
        case .success:
            (enabled, inSync, statusLine, problem) = (true, false, "On, not synced yet.", nil)
            await loadDevices()
        case let .failure(p): problem = p.shown
        }
        working = false
    }

    /// Makes a one-time invitation and shows it; put away once used or expired. The view
    /// hides it from screenshots and offers no copy button.
    public func showInvitation() async {
        working = true
        if case let .success(now) = await store.attempt({ try $0.devices() }) { devices = now }
        switch await store.attempt({ try $0.inviteDevice(lifetimeMinutes: Self.invitationMinutes) }) {
        case let .success(made):
            devicesWhenInvited = devices.filter { !$0.recoveryKit }.count
            (invitation, statusLine, problem) = (made, "Scan this on your other device, or type it there. It works once, for \(Self.invitationMinutes) minutes.", nil)
        case let .failure(p): problem = p.shown
        }
        working = false
    }

    public func hideInvitation() { invitation = nil }

    /// Reads the device list again; puts the invitation away once a device joined by it
    /// or it expired. The view calls it every few seconds while an invitation shows.
    public func putAwayIfDone(now: Date = Date()) async { await loadDevices(now: now) }

    /// Reads the code scanned or typed and shows what it would join; nothing changes yet.
    public func previewJoin() async {
        let code = joinCode.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !code.isEmpty else { problem = "Scan the invitation on your other device, or type it here."; return }
        working = true
        switch await store.attempt({ try $0.previewInvitation(code: code) }) {
        case let .success(preview): (joinPreview, problem) = (preview, nil)
        case let .failure(p): problem = p.shown
        }
        working = false
    }

    /// Joins what the preview showed, once the person said yes; both sides' records stay.
    public func confirmJoin() async {
        guard joinPreview != nil else { problem = "Read the invitation first, to see what you're joining."; return }
        let code = joinCode.trimmingCharacters(in: .whitespacesAndNewlines)
        let name = name
        working = true
        switch await store.attempt({ try $0.joinSync(code: code, deviceName: name) }) {
        case let .success(report):
            (enabled, joinCode, joinPreview) = (true, "", nil)
            checked(report)
            await loadDevices()
        case let .failure(p): (problem, inSync) = (p.shown, false)
        }
        working = false
    }

    public func cancelJoin() { (joinCode, joinPreview, problem) = ("", nil, nil) }

    /// Removes another device, say a lost phone: the relay refuses it from now on.
    public func removeDevice(_ device: DeviceInfo) async {
        working = true
        switch await store.attempt({ try $0.removeDevice(name: device.id) }) {
        case let .success(removed):
            // Not the status line: a refresh after the removal's own write replaces that.
            (notice, problem) = ("\(removed.device.name) was removed; it can't sync any more.", nil)
            await loadDevices()
        case let .failure(p): problem = p.shown
        }
        working = false
    }

    public func dismissNotice() { notice = nil }

    /// Takes this phone off the journal's devices and turns sync off here; entries stay.
    public func leave() async {
        stopBackground()
        switch await store.attempt({ try $0.leaveSync() }) {
        case .success: off()
        case let .failure(p): problem = p.shown
        }
    }

    /// Makes a new recovery kit and shows it, with `kitWarning`: the only time it shows.
    public func showRecoveryKit() async {
        working = true
        switch await store.attempt({ try $0.recoveryKit() }) {
        case let .success(kit):
            (recoveryKit, problem) = (kit, nil)
            await loadDevices()
        case let .failure(p): problem = p.shown
        }
        working = false
    }

    public func hideRecoveryKit() { recoveryKit = nil }

    /// On a new phone: brings the journal back from a recovery kit typed into `joinCode`.
    public func recover() async {
        let kit = joinCode.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !kit.isEmpty else { problem = "Type or scan your recovery kit first."; return }
        let name = name
        working = true
        switch await store.attempt({ try $0.recoverFromKit(kit: kit, deviceName: name) }) {
        case let .success(report):
            (enabled, joinCode) = (true, "")
            checked(report)
            await loadDevices()
        case let .failure(p): (problem, inSync) = (p.shown, false)
        }
        working = false
    }

    public func syncNow() async {
        working = true
        switch await store.attempt({ try $0.syncNow() }) {
        case let .success(report):
            checked(report)
            await loadDevices()
        case let .failure(p): (problem, inSync) = (p.shown, false)
        }
        working = false
    }

    public func check() async {
        switch await store.attempt({ try $0.syncStatus() }) {
        case let .success(status):
            checked(status)
            await loadDevices()
        case let .failure(p): (problem, inSync) = (p.shown, false)
        }
    }

    public func startBackground() async {
        let observer = StateForwarder { [weak self] state in Task { @MainActor in self?.heard(state) } }
        switch await store.attempt({ try $0.startBackgroundSync(observer: observer) }) {
        case let .success(started): (handle, background, problem) = (started, true, nil)
        case let .failure(p): problem = p.shown
        }
    }

    public func stopBackground() {
        handle?.stop()
        (handle, background) = (nil, false)
    }

    /// Turns sync off on this device without telling the others; every record stays.
    public func disable() async {
        stopBackground()
        if case let .failure(p) = await store.attempt({ try $0.disableSync() }) { problem = p.shown; return }
        off()
    }

    /// The device list as this device last checked it; the invitation goes once used or expired.
    private func loadDevices(now: Date = Date()) async {
        guard case let .success(list) = await store.attempt({ try $0.devices() }) else { return }
        devices = list
        let used = list.filter { !$0.recoveryKit }.count > devicesWhenInvited
        if let shown = invitation, used || now >= shown.expiresAt { invitation = nil }
    }

    private func off() {
        (enabled, invitation, joinPreview, devices, recoveryKit, inSync) = (false, nil, nil, [], nil, false)
        statusLine = "Sync is off: this journal lives on this phone only."
    }

    private func heard(_ state: SyncState) {
        switch state {
        case .syncing: working = true
        case let .checked(status): checked(status)
        case let .offline(message, _): (working, inSync, statusLine) = (false, false, message)
        case let .refused(batches):
            lastRound = "\(batches.count) changes from another device couldn't be read and were set aside."
        }
    }

    private func checked(_ report: SyncReport) {
        checked(report.status)
        lastRound = "Sent \(report.sentChanges), received \(report.receivedChanges)."
    }

    private func checked(_ status: SyncStatus) {
        (working, inSync, statusLine, relayAddress, problem) = (false, status.inSync, status.summary, status.relayUrl, nil)
    }
}

/// The background sync's news, told on its own thread, handed to the main actor.
private final class StateForwarder: SyncObserver, @unchecked Sendable {
    private let forward: (SyncState) -> Void
    init(_ forward: @escaping (SyncState) -> Void) { self.forward = forward }
    func onState(state: SyncState) { forward(state) }
}

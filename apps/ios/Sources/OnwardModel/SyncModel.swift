import Foundation
import Observation

/// Syncing with the person's other devices: turn it on with a relay address (the pairing
/// code then shows as a QR code and as text), join by scanning or pasting another
/// device's code, sync now or in the background. "In sync" shows only after the relay
/// was asked and holds exactly what this device holds; any change since asks again.
@MainActor @Observable
public final class SyncModel: RefreshingScreen {
    public private(set) var enabled: Bool?
    public var relayAddress = ""
    public private(set) var pairingCode: String?
    public var joinCode = ""
    public private(set) var working = false
    public private(set) var inSync = false
    public private(set) var statusLine = ""
    public private(set) var lastRound: String?
    public private(set) var background = false
    public private(set) var problem: String?
    private var handle: SyncHandle?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func shows(_ change: JournalChange) -> Bool { enabled == true && handle == nil }

    public func refresh() async {
        guard case let .success(on) = await store.attempt({ try $0.isSyncEnabled() }) else { return }
        enabled = on
        guard on else { statusLine = "Sync is off: this journal lives on this phone only."; return }
        if case let .success(code) = await store.attempt({ try $0.pairingCode() }) { pairingCode = code }
        await check()
    }

    public func enable() async {
        let address = relayAddress.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !address.isEmpty else { problem = "Type your relay's address first, e.g. https://relay.example.org."; return }
        working = true
        switch await store.attempt({ try $0.enableSync(relayUrl: address) }) {
        case let .success(code): (enabled, pairingCode, inSync, statusLine, problem) = (true, code, false, "On, not synced yet.", nil)
        case let .failure(p): problem = p.shown
        }
        working = false
    }

    public func join() async {
        let code = joinCode.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !code.isEmpty else { problem = "Scan the code on your other device, or paste it here."; return }
        working = true
        switch await store.attempt({ try $0.joinSync(code: code) }) {
        case let .success(report):
            enabled = true
            joinCode = ""
            if case let .success(pairing) = await store.attempt({ try $0.pairingCode() }) { pairingCode = pairing }
            checked(report)
        case let .failure(p): (problem, inSync) = (p.shown, false)
        }
        working = false
    }

    public func syncNow() async {
        working = true
        switch await store.attempt({ try $0.syncNow() }) {
        case let .success(report): checked(report)
        case let .failure(p): (problem, inSync) = (p.shown, false)
        }
        working = false
    }

    public func check() async {
        switch await store.attempt({ try $0.syncStatus() }) {
        case let .success(status): checked(status)
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

    /// Turns sync off on this device; every record stays.
    public func disable() async {
        stopBackground()
        if case let .failure(p) = await store.attempt({ try $0.disableSync() }) { problem = p.shown; return }
        (enabled, pairingCode, inSync, statusLine) = (false, nil, false, "Sync is off: this journal lives on this phone only.")
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

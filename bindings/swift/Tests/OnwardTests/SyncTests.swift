// Sync through the Swift bindings, as the iOS app's sync screen uses it, against a real
// onward-relay process on 127.0.0.1 (bindings/run-tests builds it and names it in
// ONWARD_RELAY). The same steps as bindings/kotlin/SyncTest.kt and
// bindings/python/test_sync.py. Every wait is bounded; each relay is stopped at the end.

import Foundation
import XCTest

@testable import Onward

/// The longest a state or a change may take to show up.
private let wait: TimeInterval = 30

/// A real onward-relay on a free loopback port, with its database in `dir`.
final class RelayProcess {
    private let process = Process()
    let url: String

    init(dir: URL) throws {
        guard let binary = ProcessInfo.processInfo.environment["ONWARD_RELAY"] else {
            throw XCTSkip("ONWARD_RELAY names no relay binary: run the tests with bindings/run-tests")
        }
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--listen", "127.0.0.1:0", "--db", dir.appendingPathComponent("relay.db").path]
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says where it listens; read it off the test's thread, bounded.
        var firstLine = ""
        let read = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var bytes = Data()
            while let byte = try? out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
                bytes.append(byte)
            }
            firstLine = String(decoding: bytes, as: UTF8.self)
            read.signal()
        }
        guard read.wait(timeout: .now() + wait) == .success,
              let range = firstLine.range(of: "listening on ") else {
            process.terminate()
            throw NSError(domain: "RelayProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "the relay did not say where it listens: \(firstLine)"])
        }
        url = String(firstLine[range.upperBound...])
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// Queues what it hears, for bounded waits.
final class Heard: SyncObserver, JournalObserver, @unchecked Sendable {
    private let lock = NSCondition()
    private var states: [SyncState] = []
    private var changes: [JournalChange] = []

    func onState(state: SyncState) {
        lock.lock(); states.append(state); lock.broadcast(); lock.unlock()
    }

    func onChange(change: JournalChange) {
        lock.lock(); changes.append(change); lock.broadcast(); lock.unlock()
    }

    /// Waits (bounded) for a state `wanted` accepts, taking the states before it.
    func state(_ what: String, _ wanted: (SyncState) -> Bool) throws -> SyncState {
        try take(what, from: \.states, wanted)
    }

    func change(_ what: String, _ wanted: (JournalChange) -> Bool) throws -> JournalChange {
        try take(what, from: \.changes, wanted)
    }

    private func take<T>(_ what: String, from list: ReferenceWritableKeyPath<Heard, [T]>, _ wanted: (T) -> Bool) throws -> T {
        let deadline = Date().addingTimeInterval(wait)
        lock.lock()
        defer { lock.unlock() }
        var seen: [T] = []
        while true {
            while !self[keyPath: list].isEmpty {
                let item = self[keyPath: list].removeFirst()
                if wanted(item) { return item }
                seen.append(item)
            }
            if !lock.wait(until: deadline) {
                throw NSError(domain: "Heard", code: 1, userInfo: [NSLocalizedDescriptionKey: "no \(what) within \(wait) s; saw \(seen)"])
            }
        }
    }
}

private func isInSync(_ state: SyncState) -> Bool {
    if case .checked(let status) = state { return status.inSync }
    return false
}

/// The app's secret store, in memory (the Keychain in the app).
final class MapStore: SecretStore, @unchecked Sendable {
    private var secrets: [String: Data] = [:]
    private let lock = NSLock()
    var count: Int { lock.withLock { secrets.count } }
    func load(name: String) throws -> Data? { lock.withLock { secrets[name] } }
    func save(name: String, secret: Data) throws { lock.withLock { secrets[name] = secret } }
    func delete(name: String) throws { lock.withLock { secrets[name] = nil } }
}

final class SyncTests: XCTestCase {
    private func open(_ dir: URL, _ name: String, _ store: SecretStore = MapStore()) throws -> Journal {
        try Journal.open(path: dir.appendingPathComponent(name).path, secrets: store)
    }

    private func invalidField(_ error: Error) -> String? {
        guard case OnwardError.InvalidInput(let field, _) = error else { return nil }
        return field
    }

    private func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("onward-swift-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    private func logRejection(_ journal: Journal) throws -> String {
        let app = try journal.logApplication(new: NewApplication(company: "Acme", role: "Data Engineer"))
        return try journal.logRejection(new: NewRejection(
            applicationId: app.meta.id, reason: .internalCandidate)).rejection.meta.id
    }

    private func writeEntry(_ journal: Journal, _ body: String) throws -> String {
        try journal.writeEntry(new: NewEntry(kind: .free, body: body)).meta.id
    }

    func testAnInvitationPreviewedThenJoinedAndBothFollowEachOtherInTheBackground() throws {
        let dir = try tempDir()
        let relay = try RelayProcess(dir: dir)
        defer { relay.stop() }
        let phone = try open(dir, "phone.onward")
        let laptop = try open(dir, "laptop.onward")

        XCTAssertFalse(try phone.isSyncEnabled())
        try phone.enableSync(relayUrl: relay.url, deviceName: "Phone")
        let rejection = try logRejection(phone)
        let sent = try phone.syncNow()
        XCTAssertGreaterThanOrEqual(sent.sentChanges, 2)
        XCTAssertTrue(sent.inSync)

        let invitation = try phone.inviteDevice(lifetimeMinutes: 10)
        let preview = try laptop.previewInvitation(code: invitation.code)
        XCTAssertEqual(preview.relayUrl, relay.url)
        XCTAssertEqual(preview.devices, ["Phone"])
        XCTAssertFalse(try laptop.isSyncEnabled())
        let own = try writeEntry(laptop, "Notes from before sync")
        let joined = try laptop.joinSync(code: invitation.code, deviceName: "Laptop")
        XCTAssertTrue(joined.changedIds.contains(rejection))
        XCTAssertEqual(try laptop.record(id: rejection).item.kind, .rejection)
        XCTAssertEqual(try laptop.record(id: own).item.id, own)
        _ = try phone.syncNow()
        XCTAssertEqual(Set(try phone.devices().map(\.name)), ["Phone", "Laptop"])
        XCTAssertEqual(try laptop.devices().first { $0.thisDevice }?.name, "Laptop")

        let heard = Heard()
        let watching = phone.observe(observer: heard)
        let background = try phone.startBackgroundSync(observer: heard)
        _ = try heard.state("the phone in sync", isInSync)
        let reflection = try writeEntry(laptop, "They liked my pipeline design; ask for feedback.")
        _ = try laptop.syncNow()
        let arrived = try heard.change("the reflection on the phone") { $0.ids.contains(reflection) }
        XCTAssertEqual(arrived.kinds, [.entry])
        XCTAssertEqual(try phone.record(id: reflection).item.kind, .entry)

        // A write on the phone goes out by itself: the loop is nudged.
        _ = try heard.state("the phone in sync again", isInSync)
        let fromPhone = try writeEntry(phone, "Walked by the river after the call.")
        var reached = false
        for _ in 0..<3 where !reached {
            _ = try heard.state("the phone's round after its write", isInSync)
            reached = try laptop.syncNow().changedIds.contains(fromPhone)
        }
        XCTAssertTrue(reached, "the phone's entry never reached the laptop")
        background.stop()
        watching.stop()

        let phoneStatus = try phone.syncStatus()
        let laptopStatus = try laptop.syncStatus()
        XCTAssertTrue(phoneStatus.inSync)
        XCTAssertTrue(laptopStatus.inSync)
        XCTAssertEqual(laptopStatus.summary, "In sync.")
        XCTAssertNotNil(phoneStatus.lastSuccessAt)
    }

    func testAnInvitationWorksOnceAndAMangledOneChangesNothing() throws {
        let dir = try tempDir()
        let relay = try RelayProcess(dir: dir)
        defer { relay.stop() }
        let phone = try open(dir, "phone.onward")
        let laptop = try open(dir, "laptop.onward")
        let tablet = try open(dir, "tablet.onward")
        try phone.enableSync(relayUrl: relay.url, deviceName: "Phone")
        let code = try phone.inviteDevice(lifetimeMinutes: 10).code
        let own = try writeEntry(laptop, "Mine alone")

        var chars = Array(code)
        let mid = chars.count / 2
        chars[mid] = chars[mid] == "A" ? "B" : "A"
        for bad in [String(chars), "not a code"] {
            XCTAssertThrowsError(try laptop.joinSync(code: bad, deviceName: "Laptop")) { error in
                XCTAssertEqual(self.invalidField(error), "invitation", "\(error)")
            }
        }
        XCTAssertFalse(try laptop.isSyncEnabled())
        XCTAssertEqual(try laptop.timeline(query: TimelineQuery()).map(\.id), [own])
        _ = try laptop.joinSync(code: code, deviceName: "Laptop")
        XCTAssertTrue(try laptop.isSyncEnabled())
        XCTAssertThrowsError(try tablet.joinSync(code: code, deviceName: "Tablet")) { error in
            XCTAssertEqual(self.invalidField(error), "invitation", "\(error)")
        }
    }

    func testARemovedDeviceIsToldSoAndAKitBringsTheJournalBack() throws {
        let dir = try tempDir()
        let relay = try RelayProcess(dir: dir)
        defer { relay.stop() }
        let store = MapStore()
        let laptop = try open(dir, "laptop.onward", store)
        let phone = try open(dir, "phone.onward")
        try laptop.enableSync(relayUrl: relay.url, deviceName: "Laptop")
        let rejection = try logRejection(laptop)
        _ = try phone.joinSync(code: try laptop.inviteDevice(lifetimeMinutes: 10).code, deviceName: "Phone")
        _ = try laptop.syncNow()
        XCTAssertGreaterThan(store.count, 0)

        XCTAssertEqual(try laptop.removeDevice(name: "Phone").device.name, "Phone")
        XCTAssertThrowsError(try phone.syncNow()) { error in
            guard case OnwardError.Sync(let detail) = error else { return XCTFail("expected Sync, got \(error)") }
            XCTAssertTrue(detail.contains("removed"), detail)
        }

        let kit = try laptop.recoveryKit()
        XCTAssertTrue(kit.hasPrefix("ONWARDKIT1-"))
        let newPhone = try open(dir, "new-phone.onward")
        let back = try newPhone.recoverFromKit(kit: kit, deviceName: "New phone")
        XCTAssertTrue(back.changedIds.contains(rejection))
        XCTAssertEqual(try newPhone.devices().first { $0.thisDevice }?.name, "New phone")
    }

    func testPlainHttpToAnotherMachineIsRefused() throws {
        let phone = try open(try tempDir(), "phone.onward")
        XCTAssertThrowsError(try phone.enableSync(relayUrl: "http://relay.example.org", deviceName: "Phone")) { error in
            XCTAssertEqual(self.invalidField(error), "relay", "\(error)")
        }
        XCTAssertFalse(try phone.isSyncEnabled())
    }

    func testWithTheRelayDownSyncFailsClearlyAndLoggingGoesOn() throws {
        let dir = try tempDir()
        let phone = try open(dir, "phone.onward")
        let relay = try RelayProcess(dir: dir)
        try phone.enableSync(relayUrl: relay.url, deviceName: "Phone")
        relay.stop()

        let rejection = try logRejection(phone)
        XCTAssertThrowsError(try phone.syncNow()) { error in
            guard case OnwardError.Sync(let detail) = error else {
                return XCTFail("expected Sync, got \(error)")
            }
            XCTAssertTrue(detail.contains("relay"), detail)
        }
        XCTAssertEqual(try phone.record(id: rejection).item.id, rejection)
        let status = try phone.syncStatus()
        XCTAssertFalse(status.inSync)
        XCTAssertNotNil(status.unreachable)

        let heard = Heard()
        let background = try phone.startBackgroundSync(observer: heard)
        let offline = try heard.state("offline") {
            if case .offline = $0 { return true }
            return false
        }
        guard case .offline(let message, let retryIn) = offline else { return XCTFail() }
        XCTAssertTrue(message.contains("relay"), message)
        XCTAssertNotNil(retryIn)
        _ = try writeEntry(phone, "Still writing while offline")
        background.stop()

        XCTAssertTrue(try phone.disableSync())
        XCTAssertFalse(try phone.isSyncEnabled())
        XCTAssertEqual(try phone.timeline(query: TimelineQuery()).count, 3)
    }
}

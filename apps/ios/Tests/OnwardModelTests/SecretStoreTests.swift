import Foundation
import XCTest
@testable import OnwardModel

/// This device's keys stay in the store the app gives (the Keychain on a phone), never in
/// the journal file; the sync model walks invite, preview and confirm, the device list and
/// a lost phone's removal. Mirrors the Kotlin model's SyncTests and keysStayInTheStore.
/// Compiled and run on macOS only (Xcode, an iOS simulator): no Swift toolchain on Linux.
/// The sync tests need a relay: start one on the Mac (`cargo run -p onward-relay --
/// --listen 127.0.0.1:8787 --db /tmp/relay.db`) and set ONWARD_TEST_RELAY in the scheme.
final class SecretStoreTests: XCTestCase {
    func testTheKeychainKeepsReplacesAndForgetsAKey() throws {
        let store = KeychainSecretStore(service: "app.onward.tests.\(UUID().uuidString)")
        XCTAssertNil(try store.load(name: "device"))
        try store.save(name: "device", secret: Data([1, 2, 3]))
        XCTAssertEqual(try store.load(name: "device"), Data([1, 2, 3]))
        try store.save(name: "device", secret: Data([4, 5]))
        XCTAssertEqual(try store.load(name: "device"), Data([4, 5]))
        try store.delete(name: "device")
        XCTAssertNil(try store.load(name: "device"))
        try store.delete(name: "device") // forgetting twice is not an error
    }

    @MainActor
    func testKeysStayInTheStoreAndALostPhoneIsShutOut() async throws {
        guard let relay = ProcessInfo.processInfo.environment["ONWARD_TEST_RELAY"] else {
            throw XCTSkip("set ONWARD_TEST_RELAY to a relay's address to run the sync tests")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let laptopKeys = MemorySecretStore()
        let laptopPath = folder.appendingPathComponent("laptop.onward").path
        let laptop = SyncModel(store: try await JournalStore.open(path: laptopPath, secrets: laptopKeys))
        laptop.relayAddress = relay
        laptop.deviceName = "Laptop"
        await laptop.enable()
        XCTAssertNil(laptop.problem)
        XCTAssertEqual(laptop.enabled, true)

        // Every key the store holds is absent from the journal file and its WAL.
        let secrets = laptopKeys.all()
        XCTAssertFalse(secrets.isEmpty, "sync keeps this device's keys in the store")
        for file in [laptopPath, laptopPath + "-wal"] {
            guard let bytes = FileManager.default.contents(atPath: file) else { continue }
            for secret in secrets { XCTAssertNil(bytes.range(of: secret), "a key is in \(file)") }
        }

        await laptop.showInvitation()
        let invitation = try XCTUnwrap(laptop.invitation)
        XCTAssertTrue(invitation.code.hasPrefix("ONWARD2-"))

        let phonePath = folder.appendingPathComponent("phone.onward").path
        let phone = SyncModel(store: try await JournalStore.open(path: phonePath, secrets: MemorySecretStore()))
        phone.joinCode = invitation.code + "\n"
        phone.deviceName = "Phone"
        await phone.confirmJoin()
        XCTAssertEqual(phone.problem, "Read the invitation first, to see what you're joining.")
        await phone.previewJoin()
        let preview = try XCTUnwrap(phone.joinPreview)
        XCTAssertEqual(preview.devices, ["Laptop"])
        await phone.confirmJoin()
        XCTAssertNil(phone.problem)
        XCTAssertTrue(phone.inSync)

        await laptop.syncNow()
        XCTAssertEqual(Set(laptop.devices.filter { !$0.recoveryKit }.map(\.name)), ["Laptop", "Phone"])
        XCTAssertNil(laptop.invitation, "a used invitation is put away")

        // The phone is lost: the laptop removes it, and the phone is told on its next sync.
        let lost = try XCTUnwrap(laptop.devices.first { $0.name == "Phone" })
        await laptop.removeDevice(lost)
        XCTAssertEqual(laptop.notice, "Phone was removed; it can't sync any more.")
        XCTAssertEqual(laptop.devices.filter { !$0.recoveryKit }.map(\.name), ["Laptop"])
        await phone.syncNow()
        XCTAssertNotNil(phone.problem)
        XCTAssertFalse(phone.inSync)
    }
}

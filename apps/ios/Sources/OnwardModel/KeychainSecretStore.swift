import Foundation
import Security

/// This device's sync keys in the iOS Keychain: readable only by this app, only on this
/// device (never in a backup or iCloud Keychain), and only after the first unlock since
/// a restart, so the background sync can use them while the phone is locked. The
/// journal file never holds them.
public final class KeychainSecretStore: SecretStore, @unchecked Sendable {
    private let service: String

    public init(service: String = "app.onward.sync") { self.service = service }

    public func load(name: String) throws -> Data? {
        var query = base(name)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var found: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &found)
        if status == errSecItemNotFound { return nil }
        try check(status, "read")
        return found as? Data
    }

    public func save(name: String, secret: Data) throws {
        let update = [kSecValueData as String: secret]
        let status = SecItemUpdate(base(name) as CFDictionary, update as CFDictionary)
        if status != errSecItemNotFound { return try check(status, "update") }
        var add = base(name)
        add[kSecValueData as String] = secret
        add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        try check(SecItemAdd(add as CFDictionary, nil), "store")
    }

    public func delete(name: String) throws {
        let status = SecItemDelete(base(name) as CFDictionary)
        if status == errSecItemNotFound { return }
        try check(status, "delete")
    }

    private func base(_ name: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: name,
        ]
    }

    private func check(_ status: OSStatus, _ what: String) throws {
        guard status != errSecSuccess else { return }
        let words = SecCopyErrorMessageString(status, nil) as String? ?? "status \(status)"
        throw SecretStoreError.Failed(detail: "the Keychain couldn't \(what) this device's key (\(words))")
    }
}

/// This device's sync keys in memory only: for previews and tests, where a journal lives
/// as long as the process. The app uses `KeychainSecretStore`.
public final class MemorySecretStore: SecretStore, @unchecked Sendable {
    private var secrets: [String: Data] = [:]
    private let lock = NSLock()

    public init() {}

    public func load(name: String) throws -> Data? { lock.withLock { secrets[name] } }
    public func save(name: String, secret: Data) throws { lock.withLock { secrets[name] = secret } }
    public func delete(name: String) throws { lock.withLock { secrets[name] = nil } }
    /// Every secret held, for tests that look for them elsewhere (the journal file).
    public func all() -> [Data] { lock.withLock { Array(secrets.values) } }
}

import Foundation
import LocalAuthentication
import Observation

/// The optional lock: with it on, the journal stays hidden until Face ID, Touch ID or
/// the passcode say it's you. The choice is kept in the app's defaults.
@MainActor @Observable
public final class LockModel {
    public private(set) var enabled: Bool
    public private(set) var locked: Bool
    public private(set) var note: String?
    private let defaults: UserDefaults

    init(defaults: UserDefaults = .standard) {
        self.defaults = defaults
        enabled = defaults.bool(forKey: "lock")
        locked = enabled
    }

    public func setEnabled(_ on: Bool) {
        defaults.set(on, forKey: "lock")
        (enabled, locked) = (on, false)
    }

    /// The app went to the background: lock again if the lock is on.
    public func backgrounded() { if enabled { locked = true; note = nil } }

    /// Asks the device (biometrics, or the passcode when they're not set up).
    public func unlock() async {
        let context = LAContext()
        do {
            let ok = try await context.evaluatePolicy(.deviceOwnerAuthentication, localizedReason: "Unlock your journal")
            (locked, note) = (!ok, ok ? nil : "Still locked. Try again when you're ready.")
        } catch {
            note = "Still locked. Try again when you're ready."
        }
    }
}

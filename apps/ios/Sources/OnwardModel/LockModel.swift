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

/// A system notification's text for a reminder: lock screens show it, so it never names
/// a company or a role. The core's full title shows inside the app.
public enum ReminderNotice {
    public static func of(_ r: Reminder) -> (title: String, body: String) {
        switch r.rule {
        case .followUp: ("A gentle follow-up", "One of your applications could use a short hello.")
        case .nextAction: ("A next step you planned", "It's the day you picked. Open Onward when it suits you.")
        case .debrief: ("A debrief while it's fresh", "A few lines about today's interview help later.")
        case .thankYou: ("A thank-you note?", "A short thanks leaves a good memory. A draft is waiting.")
        case .checkIn: ("How are you doing?", "One tap is enough for a check-in.")
        case .stepBack: ("Time to step back", "Something restorative today? Anything counts.")
        case .weeklyReview: ("Your week, in a few lines", "A quick look back at the small steps you took.")
        }
    }
}

import Foundation

/// The words the app shows that are not the core's own: our way of saying something did
/// not work. Everything else (prompts, reminder titles and notices, next steps, drafts,
/// titles, the names of stages, kinds and reasons, the mood faces) comes from the core
/// through the bindings. Mirrors the Kotlin model's `Words`.
public enum Words {
    /// A journal error as a short, kind sentence that says what to do next.
    public static func problem(_ error: Error) -> String {
        if let problem = error as? Problem { return problem.shown }
        guard let e = error as? OnwardError else {
            return "Something went wrong on our side; your journal is fine. Try again, and tell us if it repeats."
        }
        switch e {
        // The core's words about a code or a kit are whole sentences that say what to do.
        case let .InvalidInput(field, reason) where field == "invitation" || field == "recovery_kit":
            return reason.prefix(1).uppercased() + reason.dropFirst()
        case let .InvalidInput(field, reason): return "That didn't fit (\(field): \(reason)). Change it and try again."
        case .NotFound: return "That one isn't in your journal any more. Pull to refresh and pick again."
        case .CorruptJournal:
            return "This journal file can't be opened, and it was left exactly as it is. Keep it, and start a new journal for now."
        case .Storage: return "Saving didn't work just now; nothing was half-saved. Try again in a moment."
        case let .Sync(detail): return detail
        case .Internal: return "Something went wrong on our side; your journal is fine. Try again, and tell us if it repeats."
        }
    }
}

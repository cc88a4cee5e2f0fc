import Foundation

/// The words the app shows that are not the core's own (prompts, reminder titles, next
/// steps and drafts come through the bindings). Mirrors the Kotlin model's `Words`.
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

    public static func stage(_ s: Stage) -> String {
        switch s {
        case .saved: "Saved"
        case .applied: "Applied"
        case .screening: "Screening"
        case .interviewing: "Interviewing"
        case .final: "Final round"
        case .offer: "Offer"
        }
    }

    /// How an application ended; never "failed".
    public static func outcome(_ o: Outcome) -> String {
        switch o {
        case .open: "Still open"
        case .rejected: "Closed: a no this time"
        case .withdrawn: "You stepped away"
        case .noResponse: "No answer came"
        case .offerDeclined: "You said no to an offer"
        case .hired: "Hired"
        }
    }

    public static func entryKind(_ k: EntryKind) -> String {
        switch k {
        case .free: "Free writing"
        case .rejectionReflection: "After a no"
        case .debrief: "Interview debrief"
        case .expressive: "Let it out"
        case .gratitude: "Gratitude"
        case .weeklyReview: "Weekly review"
        case .learningLog: "Learning log"
        }
    }

    public static func kind(_ k: RecordKind) -> String {
        switch k {
        case .application: "Application"
        case .interview: "Interview"
        case .contact: "Person"
        case .rejection: "A no"
        case .message: "Note"
        case .entry: "Journal entry"
        case .mood: "Check-in"
        case .activity: "Stepping back"
        case .goal: "Goal"
        }
    }

    public static func interviewKind(_ k: InterviewKind) -> String {
        switch k {
        case .recruiterScreen: "Recruiter screen"
        case .phone: "Phone"
        case .technical: "Technical"
        case .takeHome: "Take-home"
        case .panel: "Panel"
        case .hiringManager: "Hiring manager"
        case .final: "Final"
        }
    }

    public static func activity(_ c: ActivityCategory) -> String {
        switch c {
        case .social: "With someone"
        case .leisure: "Something fun"
        case .creative: "Make something"
        case .physical: "Move"
        case .rest: "Rest"
        case .learning: "Learn something"
        }
    }

    public static func goalKind(_ k: GoalKind) -> String {
        switch k {
        case .course: "Course"
        case .skill: "Skill"
        case .networking: "People"
        case .project: "Project"
        case .certification: "Certificate"
        case .opportunity: "Opportunity"
        }
    }

    /// The reason a company gave; most give none, and that is normal.
    public static func reason(_ r: Reason) -> String {
        switch r {
        case .none: "No reason given"
        case .strongerCandidate: "Someone else fit closer"
        case .internalCandidate: "An internal candidate"
        case .roleClosed: "The role closed"
        case .experienceLevel: "Experience level"
        case .skillsGap: "A skills gap"
        case .locationVisa: "Location or visa"
        case .compensation: "Compensation"
        case .other: "Something else"
        }
    }

    /// The five faces of a check-in, 1 (heavy) to 5 (bright).
    public static let moods = ["Heavy", "Low", "Okay", "Good", "Bright"]
}

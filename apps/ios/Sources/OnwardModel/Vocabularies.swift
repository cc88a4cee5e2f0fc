// The generated enums are Equatable and Hashable only; pickers need their cases (in the
// order of the core's definitions). Stages are not here: their order is a rule, asked of
// the core (`stages()`, `Application.nextStages`).

extension RecordKind: CaseIterable {
    public static var allCases: [RecordKind] {
        [.application, .interview, .contact, .rejection, .message, .entry, .mood, .activity, .goal]
    }
}

extension EntryKind: CaseIterable {
    public static var allCases: [EntryKind] {
        [.free, .rejectionReflection, .debrief, .expressive, .gratitude, .weeklyReview, .learningLog]
    }
}

extension InterviewKind: CaseIterable {
    public static var allCases: [InterviewKind] {
        [.recruiterScreen, .phone, .technical, .takeHome, .panel, .hiringManager, .final]
    }
}

extension ActivityCategory: CaseIterable {
    public static var allCases: [ActivityCategory] { [.social, .leisure, .creative, .physical, .rest, .learning] }
}

extension GoalKind: CaseIterable {
    public static var allCases: [GoalKind] { [.course, .skill, .networking, .project, .certification, .opportunity] }
}

extension Reason: CaseIterable {
    public static var allCases: [Reason] {
        [.none, .strongerCandidate, .internalCandidate, .roleClosed, .experienceLevel, .skillsGap, .locationVisa, .compensation, .other]
    }
}

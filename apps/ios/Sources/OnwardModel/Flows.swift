import Foundation
import Observation

/// Logging an application: company and role are enough.
@MainActor @Observable
public final class ApplicationForm {
    public var company = ""
    public var role = ""
    public var appliedToday = true
    public private(set) var saved: Application?
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func submit() async {
        let new = NewApplication(
            company: company.trimmingCharacters(in: .whitespaces),
            role: role.trimmingCharacters(in: .whitespaces),
            appliedAt: appliedToday ? Date() : nil)
        switch await store.attempt({ try $0.logApplication(new: new) }) {
        case let .success(app): (saved, problem, company, role) = (app, nil, "", "")
        case let .failure(p): problem = p.shown
        }
    }
}

/// Logging an interview; afterwards the debrief is offered.
@MainActor @Observable
public final class InterviewForm {
    public var applicationId: String?
    public var kind: InterviewKind = .phone
    public var at = Date()
    public var interviewers = ""
    public var questions = ""
    public private(set) var saved: Interview?
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func submit() async {
        guard let applicationId else { problem = "Pick the application this interview was for."; return }
        let lines = { (text: String) in text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let new = NewInterview(applicationId: applicationId, kind: kind, scheduledAt: at,
                               interviewers: lines(interviewers), questions: lines(questions))
        switch await store.attempt({ try $0.logInterview(new: new) }) {
        case let .success(i): (saved, problem) = (i, nil)
        case let .failure(p): problem = p.shown
        }
    }
}

/// The small steps offered right after a no.
public enum NextStep: CaseIterable { case checkIn, stepBack, thankYou, feedback }

/// Where one step stands. Skipping is always fine.
public enum StepState { case offered, done, skipped }

/// Logging a no, then the next steps right there, each filled by the core and skippable.
@MainActor @Observable
public final class RejectionFlow {
    public var applicationId: String?
    public var reason: Reason = .none
    public private(set) var rejection: Rejection?
    public private(set) var offered: NextSteps?
    public private(set) var steps: [NextStep: StepState] = [:]
    public var pickedMood: Int?
    public var thankYouText = ""
    public var feedbackText = ""
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public var finished: Bool { rejection != nil && !steps.values.contains(.offered) }

    public func log() async {
        guard let applicationId else { problem = "Pick the application this answer was for."; return }
        let new = NewRejection(applicationId: applicationId, reason: reason)
        switch await store.attempt({ try $0.logRejection(new: new) }) {
        case let .success(logged):
            rejection = logged.rejection
            offered = logged.nextSteps
            thankYouText = logged.nextSteps.thankYouDraft
            feedbackText = logged.nextSteps.feedbackRequestDraft
            steps = Dictionary(uniqueKeysWithValues: NextStep.allCases.map { ($0, .offered) })
            problem = nil
        case let .failure(p): problem = p.shown
        }
    }

    /// The second tap of the check-in (the first picked `pickedMood`).
    public func saveCheckIn() async {
        guard let rejection, let pickedMood else { problem = "Pick the face closest to how you feel."; return }
        let id = rejection.meta.id
        settle(.checkIn, await store.attempt { try $0.logMood(new: NewMood(valence: UInt8(clamping: pickedMood), rejectionId: id)) })
    }

    /// Plans the core's restorative idea for tomorrow.
    public func planStepBack() async {
        guard let idea = offered?.stepBack else { return }
        let new = NewActivity(category: idea.category, description: idea.text, plannedFor: Date().addingTimeInterval(86_400))
        settle(.stepBack, await store.attempt { try $0.logActivity(new: new) })
    }

    public func saveThankYou() async { await draft(.thankYou, thankYouText, .thankYou) }
    public func saveFeedbackRequest() async { await draft(.feedbackRequest, feedbackText, .feedback) }

    /// Not now: nothing is written.
    public func skip(_ step: NextStep) { if steps[step] == .offered { steps[step] = .skipped } }

    private func draft(_ kind: MessageKind, _ body: String, _ step: NextStep) async {
        guard let applicationId = rejection?.applicationId else { return }
        settle(step, await store.attempt { try $0.draftMessage(kind: kind, applicationId: applicationId, body: body) })
    }

    private func settle<T>(_ step: NextStep, _ result: Result<T, Problem>) {
        switch result {
        case .success: if steps[step] == .offered { steps[step] = .done }; problem = nil
        case let .failure(p): problem = p.shown
        }
    }
}

/// A journal entry with the core's prompts for its kind.
@MainActor @Observable
public final class EntryForm {
    public private(set) var kind: EntryKind = .free
    public private(set) var prompts: PromptSet = promptSet(for: .free)
    public var answers: [String: String] = [:]
    public var body = ""
    public private(set) var interviewId: String?
    public private(set) var rejectionId: String?
    public private(set) var saved: Entry?
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func start(_ kind: EntryKind, interviewId: String? = nil, rejectionId: String? = nil) {
        (self.kind, self.interviewId, self.rejectionId) = (kind, interviewId, rejectionId)
        prompts = promptSet(for: kind)
        (answers, body, saved, problem) = ([:], "", nil, nil)
    }

    public func submit() async {
        let given = answers.filter { !$0.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        guard !given.isEmpty || !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            problem = "Write a line, or answer one prompt; that's enough."
            return
        }
        let new = NewEntry(kind: kind, body: body, answers: given, interviewId: interviewId, rejectionId: rejectionId)
        switch await store.attempt({ try $0.writeEntry(new: new) }) {
        case let .success(e): (saved, problem) = (e, nil)
        case let .failure(p): problem = p.shown
        }
    }
}

/// The core's prompts for a kind (the bindings' `prompts(kind:)`, named apart from the
/// form's `prompts` property).
private func promptSet(for kind: EntryKind) -> PromptSet { prompts(kind: kind) }

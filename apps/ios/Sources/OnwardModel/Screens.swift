import Foundation
import Observation

/// A screen the router refreshes when a change touches what it shows.
@MainActor
public protocol RefreshingScreen: AnyObject {
    func shows(_ change: JournalChange) -> Bool
    func refresh() async
}

/// A record as lists show it.
public struct Row: Identifiable, Equatable {
    public let id: String
    public let kind: RecordKind
    public let title: String
}

/// The quick-log buttons on Today, each one tap to its screen.
public enum QuickLog: CaseIterable {
    case application, interview, rejection, entry, stepBack, growth

    public var label: String {
        switch self {
        case .application: "I applied"
        case .interview: "I had an interview"
        case .rejection: "I heard no"
        case .entry: "Write"
        case .stepBack: "Step back"
        case .growth: "Move forward"
        }
    }
}

/// Today: what's due (done or later), a one-tap check-in, lately. What it shows (the
/// greeting, which reminders and how many) is the core's `today()`.
@MainActor @Observable
public final class TodayModel: RefreshingScreen {
    public private(set) var greeting = ""
    /// The few due reminders shown, oldest first.
    public private(set) var reminders: [Reminder] = []
    /// How many more are due beyond those shown.
    public private(set) var more = 0
    public private(set) var recent: [Row] = []
    public private(set) var checkedIn: Int?
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func shows(_ change: JournalChange) -> Bool {
        change.touches(Set(RecordKind.allCases).subtracting([.contact, .goal])) || !change.reminders.isEmpty
    }

    public func refresh() async {
        switch await store.attempt({ try $0.today() }) {
        case let .success(t):
            (greeting, reminders, more) = (t.greeting, t.reminders, Int(t.more))
            recent = t.recent.map { Row(id: $0.id, kind: $0.kind, title: $0.title) }
            problem = nil
        case let .failure(p): problem = p.shown
        }
    }

    public func done(_ key: String) async { note(await store.attempt { try $0.completeReminder(key: key) }) }

    /// Puts a reminder off for a day.
    public func snooze(_ key: String) async {
        note(await store.attempt { try $0.snoozeReminder(key: key, until: Date().addingTimeInterval(86_400)) })
    }

    public func checkIn(_ valence: Int) async {
        let result = await store.attempt { try $0.logMood(new: NewMood(valence: UInt8(clamping: valence))) }
        if case .success = result { checkedIn = valence }
        note(result)
    }

    private func note<T>(_ r: Result<T, Problem>) { if case let .failure(p) = r { problem = p.shown } else { problem = nil } }
}

/// Open applications on a board by stage; ended ones leave it and stay in `history`.
@MainActor @Observable
public final class PipelineModel: RefreshingScreen {
    public private(set) var board: [(stage: Stage, cards: [Application])] = []
    public private(set) var history: [Application] = []
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func shows(_ change: JournalChange) -> Bool { change.touches([.application, .rejection]) }

    public func refresh() async {
        switch await store.attempt({ try $0.applications(activeOnly: false) }) {
        case let .success(apps):
            let open = apps.filter { $0.outcome == .open }
            board = stages().map { stage in (stage, open.filter { $0.stage == stage }) }
            history = apps.filter { $0.outcome != .open }
            problem = nil
        case let .failure(p): problem = p.shown
        }
    }

    public func move(_ id: String, to stage: Stage) async {
        if case let .failure(p) = await store.attempt({ try $0.moveStage(id: id, stage: stage, at: nil) }) { problem = p.shown }
    }

    public func setOutcome(_ id: String, _ outcome: Outcome) async {
        if case let .failure(p) = await store.attempt({ try $0.setOutcome(id: id, outcome: outcome, at: nil) }) { problem = p.shown }
    }
}

/// One record with its links both ways.
@MainActor @Observable
public final class DetailModel: RefreshingScreen {
    public private(set) var detail: RecordDetail?
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func shows(_ change: JournalChange) -> Bool {
        guard let d = detail else { return false }
        let shown = Set([d.item.id] + d.linksTo.map(\.id) + d.linkedFrom.map(\.id))
        return change.ids.contains { shown.contains($0) }
    }

    public func refresh() async { if let id = detail?.item.id { await show(id) } }

    public func show(_ id: String) async {
        switch await store.attempt({ try $0.record(id: id) }) {
        case let .success(d): (detail, problem) = (d, nil)
        case let .failure(p): problem = p.shown
        }
    }
}

/// Search over everything written.
@MainActor @Observable
public final class SearchModel: RefreshingScreen {
    public private(set) var query = ""
    public private(set) var hits: [SearchHit] = []
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func shows(_ change: JournalChange) -> Bool { !query.isEmpty }
    public func refresh() async { await search(query) }

    public func search(_ text: String) async {
        query = text
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { hits = []; return }
        switch await store.attempt({ try $0.search(text: text, limit: 30) }) {
        case let .success(found): (hits, problem) = (found, nil)
        case let .failure(p): problem = p.shown
        }
    }
}

/// The big picture as chart data: effort per week, the funnel, mood over time.
@MainActor @Observable
public final class InsightsModel: RefreshingScreen {
    public private(set) var insights: Insights?
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func shows(_ change: JournalChange) -> Bool { change.kinds.contains { $0 != .contact } }

    public func refresh() async {
        switch await store.attempt({ try $0.insights(weeks: 12) }) {
        case let .success(i): (insights, problem) = (i, nil)
        case let .failure(p): problem = p.shown
        }
    }
}

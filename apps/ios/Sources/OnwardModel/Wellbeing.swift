import Foundation
import Observation

/// Stepping back: mood before, the activity, mood after.
@MainActor @Observable
public final class StepBackModel: RefreshingScreen {
    public var category: ActivityCategory = .social
    public var description = ""
    public var moodBefore: Int?
    public private(set) var underway: [Activity] = []
    public private(set) var done: [Activity] = []
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func shows(_ change: JournalChange) -> Bool { change.kinds.contains(.activity) }

    public func refresh() async {
        let result = await store.attempt { j in
            try j.timeline(query: TimelineQuery(kinds: [.activity], limit: 50)).compactMap { item -> Activity? in
                if case let .activity(a) = item.record { return a } else { return nil }
            }
        }
        switch result {
        case let .success(all): (underway, done, problem) = (all.filter { $0.doneAt == nil }, all.filter { $0.doneAt != nil }, nil)
        case let .failure(p): problem = p.shown
        }
    }

    public func start() async {
        let new = NewActivity(category: category, description: description, plannedFor: Date(), moodBefore: moodBefore.map { UInt8(clamping: $0) })
        switch await store.attempt({ try $0.logActivity(new: new) }) {
        case .success: (description, moodBefore, problem) = ("", nil, nil)
        case let .failure(p): problem = p.shown
        }
    }

    public func finish(_ id: String, moodAfter: Int) async {
        if case let .failure(p) = await store.attempt({ try $0.completeActivity(id: id, moodAfter: UInt8(clamping: moodAfter)) }) { problem = p.shown }
    }
}

/// Moving forward: goals, maybe grown from a feedback point or a reflection.
@MainActor @Observable
public final class GrowthModel: RefreshingScreen {
    public var kind: GoalKind = .skill
    public var title = ""
    public private(set) var origin: TimelineItem?
    public private(set) var goals: [Goal] = []
    public private(set) var problem: String?
    private let store: JournalStore

    init(store: JournalStore) { self.store = store }

    public func shows(_ change: JournalChange) -> Bool { change.kinds.contains(.goal) }

    public func refresh() async {
        let result = await store.attempt { j in
            try j.timeline(query: TimelineQuery(kinds: [.goal], limit: 100)).compactMap { item -> Goal? in
                if case let .goal(g) = item.record { return g } else { return nil }
            }
        }
        switch result {
        case let .success(all): (goals, problem) = (all, nil)
        case let .failure(p): problem = p.shown
        }
    }

    /// Starts a goal from a rejection's feedback or a journal entry.
    public func from(_ originId: String) async {
        switch await store.attempt({ try $0.record(id: originId) }) {
        case let .success(d): (origin, problem) = (d.item, nil)
        case let .failure(p): problem = p.shown
        }
    }

    public func add() async {
        let new = NewGoal(kind: kind, title: title, originId: origin?.id)
        switch await store.attempt({ try $0.addGoal(new: new) }) {
        case .success: (title, origin, problem) = ("", nil, nil)
        case let .failure(p): problem = p.shown
        }
    }

    public func progress(_ id: String, percent: Int) async {
        let edit = GoalEdit(progress: UInt8(clamping: min(percent, 100)), status: percent >= 100 ? .done : .inProgress)
        if case let .failure(p) = await store.attempt({ try $0.editGoal(id: id, edit: edit) }) { problem = p.shown }
    }
}

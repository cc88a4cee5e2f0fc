import Foundation
import Observation
#if canImport(UIKit)
import UIKit
#endif

/// Every screen's model over one journal, and the router handing each change from the
/// core's observer to the screens showing what changed (and only those). Mirrors the
/// Kotlin model's `AppModel`.
@MainActor @Observable
public final class AppModel {
    public let store: JournalStore
    public let lock = LockModel()
    public let today: TodayModel
    public let pipeline: PipelineModel
    public let detail: DetailModel
    public let search: SearchModel
    public let insights: InsightsModel
    public let stepBack: StepBackModel
    public let growth: GrowthModel
    public let sync: SyncModel
    public let applicationForm: ApplicationForm
    public let interviewForm: InterviewForm
    public let rejection: RejectionFlow
    public let entryForm: EntryForm
    @ObservationIgnored private var router: Task<Void, Never>?

    private init(store: JournalStore) {
        self.store = store
        today = TodayModel(store: store)
        pipeline = PipelineModel(store: store)
        detail = DetailModel(store: store)
        search = SearchModel(store: store)
        insights = InsightsModel(store: store)
        stepBack = StepBackModel(store: store)
        growth = GrowthModel(store: store)
        sync = SyncModel(store: store)
        applicationForm = ApplicationForm(store: store)
        interviewForm = InterviewForm(store: store)
        rejection = RejectionFlow(store: store)
        entryForm = EntryForm(store: store)
    }

    private var screens: [RefreshingScreen] { [today, pipeline, detail, search, insights, stepBack, growth, sync] }

    /// Opens the journal in the app's private storage (Application Support, excluded from
    /// backups to other clouds), reads every screen once, then follows changes.
    public static func open() async throws -> AppModel {
        let dir = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
        var url = dir.appendingPathComponent("journal.onward")
        let store = try await JournalStore.open(path: url.path, secrets: KeychainSecretStore())
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try? url.setResourceValues(values)
        let app = AppModel(store: store)
        #if canImport(UIKit)
        // How the person's other devices list this one, until they rename it.
        app.sync.deviceName = UIDevice.current.name
        #endif
        for screen in app.screens { await screen.refresh() }
        // A phone that syncs keeps syncing while the app runs.
        if app.sync.enabled == true { await app.sync.startBackground() }
        app.router = Task { @MainActor [weak app] in
            guard let changes = app?.store.changes else { return }
            for await change in changes {
                guard let app else { return }
                for screen in app.screens where screen.shows(change) { await screen.refresh() }
            }
        }
        return app
    }
}

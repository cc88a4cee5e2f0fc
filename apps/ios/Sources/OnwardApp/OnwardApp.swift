import OnwardModel
import SwiftUI

/// The app: opens the journal off the main thread, then the lock gate, then the tabs.
@main
struct OnwardApp: App {
    @State private var model: AppModel?
    @State private var problem: String?
    @Environment(\.scenePhase) private var phase

    var body: some Scene {
        WindowGroup {
            Group {
                if let model {
                    if model.lock.locked {
                        LockedView(lock: model.lock)
                    } else {
                        RootView(app: model)
                    }
                } else if let problem {
                    Text(problem).padding()
                } else {
                    ProgressView("Opening your journal")
                }
            }
            .task {
                do { model = try await AppModel.open() } catch { problem = Words.problem(error) }
            }
            .onChange(of: phase) { _, now in if now == .background { model?.lock.backgrounded() } }
        }
    }
}

/// Shown while the lock is on.
struct LockedView: View {
    let lock: LockModel
    var body: some View {
        VStack(spacing: 16) {
            Text("Your journal is locked").font(.title2).accessibilityAddTraits(.isHeader)
            if let note = lock.note { Text(note).foregroundStyle(.secondary) }
            Button("Unlock") { Task { await lock.unlock() } }
                .buttonStyle(.borderedProminent)
                .accessibilityLabel("Unlock with Face ID, Touch ID or your passcode")
        }
        .task { await lock.unlock() }
    }
}

/// The tabs: every flow is one tap (a tab or a quick-log button) or two from Today.
struct RootView: View {
    let app: AppModel
    var body: some View {
        TabView {
            NavigationStack { TodayView(app: app) }.tabItem { Label("Today", systemImage: "sun.max") }
            NavigationStack { PipelineView(app: app) }.tabItem { Label("Applications", systemImage: "list.bullet") }
            NavigationStack { SearchView(app: app) }.tabItem { Label("Search", systemImage: "magnifyingglass") }
            NavigationStack { InsightsView(app: app) }.tabItem { Label("The big picture", systemImage: "chart.bar") }
            NavigationStack { SyncView(app: app) }.tabItem { Label("Your devices", systemImage: "arrow.triangle.2.circlepath") }
        }
        .tint(.teal)
    }
}

/// The five faces of a check-in.
struct MoodFaces: View {
    let label: String
    let chosen: Int?
    let choose: (Int) -> Void
    var body: some View {
        VStack(alignment: .leading) {
            Text(label)
            HStack {
                ForEach(1...5, id: \.self) { v in
                    Button(moodFaces()[v - 1]) { choose(v) }
                        .buttonStyle(.bordered)
                        .tint(chosen == v ? .teal : .secondary)
                        .accessibilityLabel("\(label): \(moodFaces()[v - 1])")
                }
            }
        }
    }
}

/// What didn't work, in the model's words.
struct ProblemNote: View {
    let problem: String?
    var body: some View {
        if let problem { Text(problem).foregroundStyle(.orange).accessibilityAddTraits(.updatesFrequently) }
    }
}

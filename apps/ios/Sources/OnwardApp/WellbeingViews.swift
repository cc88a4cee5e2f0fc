import OnwardModel
import SwiftUI

/// Stepping back: how you feel before, what you do, how you feel after.
struct StepBackView: View {
    @Bindable var model: StepBackModel
    var body: some View {
        Form {
            Picker("What kind", selection: $model.category) {
                ForEach(ActivityCategory.allCases, id: \.self) { Text(activityCategoryLabel(value: $0)).tag($0) }
            }
            TextField("What you'll do", text: $model.description)
            MoodFaces(label: "How do you feel before?", chosen: model.moodBefore) { model.moodBefore = $0 }
            ProblemNote(problem: model.problem)
            Button("Start") { Task { await model.start() } }
            if !model.underway.isEmpty {
                Section("Underway") {
                    ForEach(model.underway, id: \.meta.id) { a in
                        VStack(alignment: .leading) {
                            Text(a.description)
                            MoodFaces(label: "Done? How do you feel now?", chosen: nil) { v in Task { await model.finish(a.meta.id, moodAfter: v) } }
                        }
                    }
                }
            }
            if !model.done.isEmpty {
                Section("Done lately") {
                    ForEach(model.done, id: \.meta.id) { a in
                        let change = [a.moodBefore, a.moodAfter].compactMap { $0 }.map { moodFaces()[Int($0) - 1] }.joined(separator: " → ")
                        VStack(alignment: .leading) { Text(a.description); Text(change).font(.caption) }
                    }
                }
            }
        }
        .navigationTitle("Step back")
    }
}

/// Moving forward: goals, maybe grown from a feedback point or a reflection.
struct GrowthView: View {
    @Bindable var model: GrowthModel
    let originId: String?
    var body: some View {
        Form {
            if let origin = model.origin { Text("Growing from: \(origin.title)") }
            Picker("Kind", selection: $model.kind) {
                ForEach(GoalKind.allCases, id: \.self) { Text(goalKindLabel(value: $0)).tag($0) }
            }
            TextField("A next step for you", text: $model.title)
            ProblemNote(problem: model.problem)
            Button("Add") { Task { await model.add() } }
            ForEach(model.goals, id: \.meta.id) { goal in
                VStack(alignment: .leading) {
                    Text(goal.title)
                    ProgressView(value: Double(goal.progress), total: 100)
                        .accessibilityLabel("Progress on \(goal.title): \(goal.progress) percent")
                    Button("A step further") { Task { await model.progress(goal.meta.id, percent: Int(goal.progress) + 10) } }
                        .accessibilityLabel("Add ten percent to \(goal.title)")
                }
            }
        }
        .navigationTitle("Move forward")
        .task(id: originId) { if let originId { await model.from(originId) } }
    }
}

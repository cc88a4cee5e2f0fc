import OnwardModel
import SwiftUI

/// Today: a check-in, what's due (done or tomorrow), quick logs, lately.
struct TodayView: View {
    let app: AppModel
    var body: some View {
        let today = app.today
        List {
            if !today.greeting.isEmpty { Text(today.greeting) }
            ProblemNote(problem: today.problem)
            MoodFaces(label: "How are you right now?", chosen: today.checkedIn) { v in Task { await today.checkIn(v) } }
            Section("Log in a tap") {
                ForEach(QuickLog.allCases, id: \.self) { quick in
                    NavigationLink(quick.label) { QuickLogDestination(app: app, quick: quick) }
                }
            }
            if !today.reminders.isEmpty {
                Section("Small steps waiting") {
                    ForEach(today.reminders, id: \.key) { r in
                        VStack(alignment: .leading) {
                            Text(r.title)
                            HStack {
                                Button("Done") { Task { await today.done(r.key) } }.accessibilityLabel("Done: \(r.title)")
                                Button("Tomorrow") { Task { await today.snooze(r.key) } }.accessibilityLabel("Tomorrow: \(r.title)")
                            }.buttonStyle(.borderless)
                        }
                    }
                    if today.more > 0 { Text("\(today.more) more waiting, no rush.") }
                }
            }
            Section("Lately") {
                ForEach(today.recent) { row in
                    NavigationLink { DetailView(app: app, id: row.id) } label: {
                        VStack(alignment: .leading) { Text(row.title); Text(recordKindLabel(value: row.kind)).font(.caption) }
                    }.accessibilityLabel("\(recordKindLabel(value: row.kind)): \(row.title)")
                }
            }
        }
        .navigationTitle("Today")
    }
}

/// Where each quick-log button goes.
struct QuickLogDestination: View {
    let app: AppModel
    let quick: QuickLog
    var body: some View {
        switch quick {
        case .application: ApplicationFormView(form: app.applicationForm)
        case .interview: InterviewFormView(app: app, applicationId: nil)
        case .rejection: RejectionView(app: app, applicationId: nil)
        case .entry: EntryView(form: app.entryForm)
        case .stepBack: StepBackView(model: app.stepBack)
        case .growth: GrowthView(model: app.growth, originId: nil)
        }
    }
}

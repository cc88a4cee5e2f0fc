import OnwardModel
import SwiftUI

/// A no, then the next small steps right there, each one skippable.
struct RejectionView: View {
    let app: AppModel
    let applicationId: String?
    var body: some View {
        @Bindable var flow = app.rejection
        Form {
            if let offered = flow.offered {
                Section {
                    Text("Noted. It's allowed to sting.").font(.headline).accessibilityAddTraits(.isHeader)
                    Text("Many people apply for one opening, and the reasons are often outside your control. A few small steps, each one optional:")
                }
                ProblemNote(problem: flow.problem)
                step(.checkIn, offered.checkIn) {
                    MoodFaces(label: offered.checkIn, chosen: flow.pickedMood) { flow.pickedMood = $0 }
                    Button("That's how I feel") { Task { await flow.saveCheckIn() } }
                }
                step(.stepBack, "Step back") {
                    Text(offered.stepBack.text)
                    Button("Plan it for tomorrow") { Task { await flow.planStepBack() } }
                }
                step(.thankYou, "Say thank you") {
                    TextField("Thank-you note", text: $flow.thankYouText, axis: .vertical)
                    Button("Keep this draft") { Task { await flow.saveThankYou() } }
                }
                step(.feedback, "Ask for feedback") {
                    Text("Many companies can't share any, and that's normal. Asking still shows you're open to learning.")
                    TextField("Feedback request", text: $flow.feedbackText, axis: .vertical)
                    Button("Keep this draft") { Task { await flow.saveFeedbackRequest() } }
                }
                if flow.finished, let rejection = flow.rejection {
                    Text("That's all for now. Be kind to yourself today.")
                    NavigationLink("Write about it") {
                        EntryView(form: app.entryForm).onAppear { app.entryForm.start(.rejectionReflection, rejectionId: rejection.meta.id) }
                    }
                }
            } else {
                Picker("Which one", selection: $flow.applicationId) {
                    ForEach(app.pipeline.board.flatMap(\.cards), id: \.meta.id) { a in
                        Text(a.title).tag(Optional(a.meta.id))
                    }
                }
                Picker("Reason given", selection: $flow.reason) {
                    ForEach(Reason.allCases, id: \.self) { Text(reasonLabel(value: $0)).tag($0) }
                }
                ProblemNote(problem: flow.problem)
                Button("Save") { Task { await flow.log() } }
            }
        }
        .navigationTitle("Log a no")
        .onAppear { if let applicationId, flow.rejection == nil { flow.applicationId = applicationId } }
    }

    @ViewBuilder
    private func step(_ step: NextStep, _ title: String, @ViewBuilder content: () -> some View) -> some View {
        Section(title) {
            switch app.rejection.steps[step] {
            case .offered:
                content()
                Button("Not now") { app.rejection.skip(step) }.accessibilityLabel("Not now: \(title)")
            case .done: Text("Done. Well done.")
            case .skipped: Text("Set aside. That's fine.")
            case nil: EmptyView()
            }
        }
    }
}

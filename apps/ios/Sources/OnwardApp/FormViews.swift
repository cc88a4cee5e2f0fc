import OnwardModel
import SwiftUI

/// Logging an application.
struct ApplicationFormView: View {
    @Bindable var form: ApplicationForm
    var body: some View {
        Form {
            TextField("Company", text: $form.company).accessibilityLabel("Company")
            TextField("Role", text: $form.role).accessibilityLabel("Role")
            Toggle("Applied today (off: saved for later)", isOn: $form.appliedToday)
            ProblemNote(problem: form.problem)
            if let saved = form.saved {
                Text("Logged: \(saved.title). A gentle follow-up reminder comes in a week.")
            }
            Button("Save") { Task { await form.submit() } }
        }
        .navigationTitle("Log an application")
    }
}

/// Logging an interview, then the debrief offered.
struct InterviewFormView: View {
    let app: AppModel
    let applicationId: String?
    var body: some View {
        @Bindable var form = app.interviewForm
        Form {
            Picker("For", selection: $form.applicationId) {
                ForEach(app.pipeline.board.flatMap(\.cards), id: \.meta.id) { a in
                    Text(a.title).tag(Optional(a.meta.id))
                }
            }
            Picker("Kind", selection: $form.kind) {
                ForEach(InterviewKind.allCases, id: \.self) { Text(interviewKindLabel(value: $0)).tag($0) }
            }
            DatePicker("When", selection: $form.at)
            TextField("Who you met (one per line)", text: $form.interviewers, axis: .vertical)
            TextField("Questions asked (one per line)", text: $form.questions, axis: .vertical)
            ProblemNote(problem: form.problem)
            Button("Save") { Task { await form.submit() } }
            if let saved = form.saved {
                Text("Saved. A few lines now, from the interviewer's side, help a lot later.")
                NavigationLink("Debrief now") {
                    EntryView(form: app.entryForm).onAppear { app.entryForm.start(.debrief, interviewId: saved.meta.id) }
                }
            }
        }
        .navigationTitle("Log an interview")
        .onAppear { if let applicationId { form.applicationId = applicationId } }
    }
}

/// A journal entry with the core's prompts for its kind.
struct EntryView: View {
    @Bindable var form: EntryForm
    var body: some View {
        Form {
            if form.interviewId == nil && form.rejectionId == nil {
                Picker("Kind", selection: Binding(get: { form.kind }, set: { form.start($0) })) {
                    ForEach(EntryKind.allCases, id: \.self) { Text(entryKindLabel(value: $0)).tag($0) }
                }
            }
            Text(form.prompts.intro)
            ForEach(form.prompts.prompts, id: \.id) { prompt in
                TextField(prompt.text, text: Binding(get: { form.answers[prompt.id] ?? "" }, set: { form.answers[prompt.id] = $0 }), axis: .vertical)
                    .accessibilityLabel(prompt.text)
            }
            TextField("Anything else", text: $form.body, axis: .vertical)
            ProblemNote(problem: form.problem)
            if form.saved != nil { Text("Saved. Thank you for taking the time.") }
            Button("Save") { Task { await form.submit() } }
        }
        .navigationTitle(entryKindLabel(value: form.kind))
    }
}

import OnwardModel
import SwiftUI

/// The board by stage; ended applications below, in the history.
struct PipelineView: View {
    let app: AppModel
    var body: some View {
        let pipeline = app.pipeline
        List {
            ProblemNote(problem: pipeline.problem)
            ForEach(pipeline.board.filter { !$0.cards.isEmpty }, id: \.stage) { column in
                Section(stageLabel(value: column.stage)) {
                    ForEach(column.cards, id: \.meta.id) { card in row(card, stageLabel(value: card.stage)) }
                }
            }
            if !pipeline.history.isEmpty {
                Section("History") {
                    ForEach(pipeline.history, id: \.meta.id) { card in row(card, outcomeLabel(value: card.outcome)) }
                }
            }
        }
        .navigationTitle("Applications")
    }

    private func row(_ a: Application, _ status: String) -> some View {
        NavigationLink { DetailView(app: app, id: a.meta.id) } label: {
            VStack(alignment: .leading) { Text(a.title); Text(status).font(.caption) }
        }
        .accessibilityLabel("\(a.title), \(status)")
    }
}

/// One record, its links both ways, and what can be done from it.
struct DetailView: View {
    let app: AppModel
    let id: String
    var body: some View {
        let model = app.detail
        List {
            ProblemNote(problem: model.problem)
            if let d = model.detail, d.item.id.hasPrefix(id) || id.hasPrefix(d.item.id) {
                Text(recordKindLabel(value: d.item.kind)).font(.caption)
                if case let .application(a) = d.item.record {
                    ForEach(a.nextStages, id: \.self) { stage in
                        Button("Moved on: \(stageLabel(value: stage))") { Task { await app.pipeline.move(a.meta.id, to: stage) } }
                            .accessibilityLabel("Move to \(stageLabel(value: stage))")
                    }
                    NavigationLink("Log an interview") { InterviewFormView(app: app, applicationId: a.meta.id) }
                    NavigationLink("I heard no") { RejectionView(app: app, applicationId: a.meta.id) }
                }
                if case .interview = d.item.record {
                    NavigationLink("Debrief: the interviewer's side") {
                        EntryView(form: app.entryForm).onAppear { app.entryForm.start(.debrief, interviewId: d.item.id) }
                    }
                }
                if d.item.kind == .rejection || d.item.kind == .entry {
                    NavigationLink("A goal from this") { GrowthView(model: app.growth, originId: d.item.id) }
                }
                links("Belongs to", d.linksTo)
                links("Linked here", d.linkedFrom)
            }
        }
        .navigationTitle(model.detail?.item.title ?? "Details")
        .task(id: id) { await model.show(id) }
    }

    @ViewBuilder
    private func links(_ title: String, _ links: [Link]) -> some View {
        if !links.isEmpty {
            Section(title) {
                ForEach(links, id: \.id) { link in
                    NavigationLink { DetailView(app: app, id: link.id) } label: {
                        Text(link.title ?? "Not on this device yet")
                    }
                    .accessibilityLabel("\(link.kind.map { recordKindLabel(value: $0) } ?? link.rel): \(link.title ?? "not on this device yet")")
                }
            }
        }
    }
}

/// Search everything written.
struct SearchView: View {
    let app: AppModel
    @State private var text = ""
    var body: some View {
        let search = app.search
        List {
            ProblemNote(problem: search.problem)
            if !search.query.isEmpty && search.hits.isEmpty { Text("Nothing with those words yet.") }
            ForEach(search.hits, id: \.item.id) { hit in
                NavigationLink { DetailView(app: app, id: hit.item.id) } label: {
                    VStack(alignment: .leading) { Text(hit.item.title); Text(hit.snippet).font(.caption) }
                }
                .accessibilityLabel("\(recordKindLabel(value: hit.item.kind)): \(hit.item.title)")
            }
        }
        .searchable(text: $text, prompt: "Search your journal")
        .onChange(of: text) { _, now in Task { await search.search(now) } }
        .navigationTitle("Search")
    }
}

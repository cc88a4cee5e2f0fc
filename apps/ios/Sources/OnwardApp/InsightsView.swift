import Charts
import OnwardModel
import SwiftUI

/// The big picture: effort per week, how far applications went, mood over time.
struct InsightsView: View {
    let app: AppModel
    var body: some View {
        let model = app.insights
        List {
            ProblemNote(problem: model.problem)
            if let i = model.insights {
                Section("Small steps each week: every one counts") {
                    Chart(i.weeks, id: \.week) { w in
                        BarMark(x: .value("Week", String(w.week.suffix(3))), y: .value("Steps", w.total))
                            .accessibilityLabel("Week of \(w.starts)")
                            .accessibilityValue("\(w.total) small steps")
                    }
                    .frame(height: 140)
                    if i.currentStreakDays > 0 { Text("\(i.currentStreakDays) days in a row with a step.") }
                }
                Section("How far applications went") {
                    Chart(i.funnel, id: \.stage) { s in
                        BarMark(x: .value("Stage", stageLabel(value: s.stage)), y: .value("Reached", s.reached))
                            .accessibilityLabel(stageLabel(value: s.stage))
                            .accessibilityValue("\(s.reached) reached it")
                    }
                    .frame(height: 140)
                }
                Section("Mood over the weeks") {
                    Chart(i.mood.filter { $0.valence != nil }, id: \.week) { m in
                        LineMark(x: .value("Week", String(m.week.suffix(3))), y: .value("Mood", m.valence ?? 0))
                            .accessibilityLabel(m.week)
                            .accessibilityValue(String(format: "%.1f of 5", m.valence ?? 0))
                    }
                    .chartYScale(domain: 1...5)
                    .frame(height: 120)
                }
            }
        }
        .navigationTitle("The big picture")
    }
}

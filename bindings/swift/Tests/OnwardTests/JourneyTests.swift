// The Onward journey through the Swift bindings, as the iOS app walks it. The same
// steps and values as bindings/kotlin/JourneyTest.kt and bindings/python/test_journey.py.

import Foundation
import XCTest

@testable import Onward

/// Keeps every change it is told about.
final class Recorder: JournalObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var received: [JournalChange] = []

    func onChange(change: JournalChange) {
        lock.lock()
        received.append(change)
        lock.unlock()
    }

    var changes: [JournalChange] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }
}

final class JourneyTests: XCTestCase {
    private func journalPath() throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("onward-swift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("journal.onward").path
    }

    private func logAcme(_ journal: Journal, appliedAt: Date?) throws -> Application {
        try journal.logApplication(new: NewApplication(
            company: "Acme", role: "Data Engineer", appliedAt: appliedAt,
            source: .referral, excitement: 4))
    }

    func testTheWholeJourneyIsThereAfterReopening() throws {
        let path = try journalPath()
        let recorder = Recorder()
        let applied = ISO8601DateFormatter().date(from: "2026-11-16T09:30:15Z")!
        let interviewAt = ISO8601DateFormatter().date(from: "2026-11-24T14:00:00Z")!

        var journal: Journal? = try Journal.open(path: path)
        let handle = journal!.observe(observer: recorder)
        let app = try logAcme(journal!, appliedAt: applied)
        XCTAssertEqual(app.stage, .applied)
        XCTAssertEqual(app.appliedAt, applied)

        let interview = try journal!.logInterview(new: NewInterview(
            applicationId: String(app.meta.id.prefix(8)), kind: .technical,
            scheduledAt: interviewAt, interviewers: ["Dana Lee"],
            questions: ["How would you design a pipeline for late events?"], selfRating: 4))
        XCTAssertEqual(interview.applicationId, app.meta.id)
        XCTAssertEqual(interview.round, 1)

        let logged = try journal!.logRejection(new: NewRejection(
            applicationId: app.meta.id, reason: .internalCandidate,
            contextFactors: [.internalHire]))
        XCTAssertEqual(logged.rejection.stageReached, .interviewing)
        XCTAssertEqual(logged.nextSteps.checkIn, "How are you feeling right now? A face or a word is enough.")
        XCTAssertTrue(logged.nextSteps.thankYouDraft.contains("Dana"))

        let mood = try journal!.logMood(new: NewMood(
            valence: 2, energy: 3, words: ["tired"], rejectionId: logged.rejection.meta.id))
        XCTAssertEqual(mood.applicationId, app.meta.id)

        XCTAssertEqual(prompts(kind: .debrief).prompts[1].id, "wanted_to_see")
        let entry = try journal!.writeEntry(new: NewEntry(
            kind: .debrief, answers: ["wanted_to_see": "Someone who can own the platform alone"],
            interviewId: interview.meta.id))
        XCTAssertEqual(entry.applicationId, app.meta.id)

        let hits = try journal!.search(text: "platform alone", limit: 10)
        XCTAssertEqual(hits.map { $0.item.id }, [entry.meta.id])
        XCTAssertTrue(hits[0].snippet.contains("[platform]"))

        XCTAssertEqual(recorder.changes.count, 5)
        XCTAssertEqual(recorder.changes[0].kinds, [.application])
        handle.stop()
        journal = nil

        let reopened = try Journal.open(path: path)
        XCTAssertEqual(try reopened.timeline(query: TimelineQuery()).count, 6)
        let apps = try reopened.applications(activeOnly: false)
        XCTAssertEqual(apps.map { $0.outcome }, [.rejected])
        XCTAssertEqual(try reopened.applications(activeOnly: true), [])
        XCTAssertEqual(try reopened.search(text: "late events", limit: 5).first?.item.id, interview.meta.id)
    }

    func testBadInputIsAClearErrorThatChangesNothing() throws {
        let journal = try Journal.open(path: try journalPath())
        XCTAssertThrowsError(try journal.logMood(new: NewMood(valence: 9))) { error in
            guard case OnwardError.InvalidInput(let field, let reason) = error else {
                return XCTFail("expected InvalidInput, got \(error)")
            }
            XCTAssertEqual(field, "valence")
            XCTAssertEqual(reason, "9 is outside 1 to 5")
        }
        XCTAssertThrowsError(try journal.record(id: "ffffffff")) { error in
            guard case OnwardError.NotFound(let id, _) = error else {
                return XCTFail("expected NotFound, got \(error)")
            }
            XCTAssertEqual(id, "ffffffff")
        }
        XCTAssertEqual(try journal.timeline(query: TimelineQuery()).count, 0)
    }

    func testMergesAreHeardAndAStoppedObserverHearsNothing() throws {
        let laptop = try Journal.open(path: try journalPath())
        let phone = try Journal.open(path: try journalPath())
        let theirs = try phone.logApplication(new: NewApplication(company: "Globex", role: "Analyst"))
        let recorder = Recorder()
        let handle = laptop.observe(observer: recorder)
        XCTAssertEqual(try laptop.mergeBytes(bytes: try phone.documentBytes()), [theirs.meta.id])
        XCTAssertEqual(recorder.changes.map { $0.ids }, [[theirs.meta.id]])
        handle.stop()
        _ = try logAcme(laptop, appliedAt: nil)
        XCTAssertEqual(recorder.changes.count, 1)
    }
}

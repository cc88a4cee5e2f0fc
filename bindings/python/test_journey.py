"""The Onward journey through the Python bindings: what an app does, with real values.

Run by bindings/run-tests, which generates `onward_ffi` into ./generated first.
"""

import datetime as dt
import threading

import pytest

import onward_ffi as onward

UTC = dt.timezone.utc


@pytest.fixture
def journal(tmp_path):
    return onward.Journal.open(str(tmp_path / "journal.onward"))


class Recorder(onward.JournalObserver):
    """Keeps every change it is told about."""

    def __init__(self):
        self.changes = []
        self.lock = threading.Lock()

    def on_change(self, change):
        with self.lock:
            self.changes.append(change)


def log_acme(journal, applied_at):
    return journal.log_application(
        onward.NewApplication(
            company="Acme",
            role="Data Engineer",
            applied_at=applied_at,
            source=onward.Source.REFERRAL,
            excitement=4,
        )
    )


def test_the_whole_journey_is_there_after_reopening(tmp_path):
    path = str(tmp_path / "journal.onward")
    journal = onward.Journal.open(path)
    recorder = Recorder()
    handle = journal.observe(recorder)
    applied = dt.datetime(2026, 11, 16, 9, 30, 15, 250000, tzinfo=UTC)

    app = log_acme(journal, applied)
    assert app.stage == onward.Stage.APPLIED
    assert app.applied_at == applied
    assert [e.stage for e in app.history] == [onward.Stage.APPLIED]

    interview = journal.log_interview(
        onward.NewInterview(
            application_id=app.meta.id[:8],
            kind=onward.InterviewKind.TECHNICAL,
            scheduled_at=dt.datetime(2026, 11, 24, 14, 0, tzinfo=UTC),
            interviewers=["Dana Lee"],
            questions=["How would you design a pipeline for late events?"],
            self_rating=4,
        )
    )
    assert interview.application_id == app.meta.id
    assert interview.round == 1
    assert len(interview.interviewer_ids) == 1

    logged = journal.log_rejection(
        onward.NewRejection(
            application_id=app.meta.id,
            reason=onward.Reason.INTERNAL_CANDIDATE,
            context_factors=[onward.ContextFactor.INTERNAL_HIRE],
        )
    )
    assert logged.rejection.stage_reached == onward.Stage.INTERVIEWING
    steps = logged.next_steps
    assert steps.check_in == "How are you feeling right now? A face or a word is enough."
    assert "Dana" in steps.thank_you_draft
    assert steps.contact_id == interview.interviewer_ids[0]
    assert steps.step_back.text

    mood = journal.log_mood(
        onward.NewMood(valence=2, energy=3, words=["tired", "hopeful"], rejection_id=logged.rejection.meta.id)
    )
    assert mood.application_id == app.meta.id

    prompts = onward.prompts(onward.EntryKind.REJECTION_REFLECTION)
    assert prompts.key == "rejection_reflection@1"
    assert prompts.prompts[1].id == "outside"
    entry = journal.write_entry(
        onward.NewEntry(
            kind=onward.EntryKind.REJECTION_REFLECTION,
            answers={"outside": "They hired from within", "still_true": "I ship pipelines"},
            rejection_id=logged.rejection.meta.id,
        )
    )
    assert [a.prompt_id for a in entry.answers] == ["outside", "still_true"]
    assert entry.application_id == app.meta.id

    activity = journal.log_activity(
        onward.NewActivity(category=onward.ActivityCategory.PHYSICAL, description="A long walk", mood_before=2)
    )
    done = journal.complete_activity(activity.meta.id, 4)
    assert done.mood_after == 4 and done.done_at is not None

    goal = journal.add_goal(onward.NewGoal(kind=onward.GoalKind.SKILL, title="Stream processing", origin_id=entry.meta.id[:6]))
    assert goal.origin_id == entry.meta.id

    hits = journal.search("within", 10)
    assert [h.item.id for h in hits] == [entry.meta.id]
    assert "[within]" in hits[0].snippet

    detail = journal.record(app.meta.id)
    linked = {(l.rel, l.kind) for l in detail.linked_from}
    assert ("application", onward.RecordKind.INTERVIEW) in linked
    assert ("application", onward.RecordKind.REJECTION) in linked

    # The observer heard each write, with the kinds to refresh.
    kinds = [c.kinds for c in recorder.changes]
    assert kinds[0] == [onward.RecordKind.APPLICATION]
    assert onward.RecordKind.INTERVIEW in kinds[1] and onward.RecordKind.CONTACT in kinds[1]
    assert kinds[2] == [onward.RecordKind.APPLICATION, onward.RecordKind.REJECTION]
    assert len(recorder.changes) == 8
    handle.stop()
    del journal

    reopened = onward.Journal.open(path)
    timeline = reopened.timeline(onward.TimelineQuery())
    # Application, interview, contact, rejection, mood, entry, activity, goal.
    assert len(timeline) == 8
    assert {i.kind for i in timeline} == set(onward.RecordKind) - {onward.RecordKind.MESSAGE}
    apps = reopened.applications(False)
    assert [(a.company, a.stage, a.outcome) for a in apps] == [
        ("Acme", onward.Stage.INTERVIEWING, onward.Outcome.REJECTED)
    ]
    assert reopened.applications(True) == []
    assert reopened.search("late events", 5)[0].item.id == interview.meta.id


def test_bad_input_is_a_clear_error_that_changes_nothing(journal, tmp_path):
    with pytest.raises(onward.OnwardError.InvalidInput) as bad:
        journal.log_mood(onward.NewMood(valence=9))
    assert bad.value.field == "valence"
    assert bad.value.reason == "9 is outside 1 to 5"

    with pytest.raises(onward.OnwardError.InvalidInput) as bad:
        journal.write_entry(onward.NewEntry(kind=onward.EntryKind.DEBRIEF, answers={"feelings": "fine"}))
    assert bad.value.field == "answer"
    assert "wanted_to_see" in bad.value.reason

    with pytest.raises(onward.OnwardError.NotFound) as missing:
        journal.record("ffffffff")
    assert missing.value.id == "ffffffff"
    assert journal.timeline(onward.TimelineQuery()) == []

    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a journal")
    with pytest.raises(onward.OnwardError.CorruptJournal) as corrupt:
        onward.Journal.open(str(notes))
    assert corrupt.value.path.endswith("notes.txt")
    assert notes.read_text() == "my notes, not a journal"


def test_delete_restore_and_edit(journal):
    app = log_acme(journal, None)
    assert app.stage == onward.Stage.SAVED
    journal.delete(app.meta.id)
    assert journal.applications(False) == []
    deleted = journal.timeline(onward.TimelineQuery(only_deleted=True))
    assert [i.id for i in deleted] == [app.meta.id]
    journal.restore(app.meta.id)
    edited = journal.edit_application(app.meta.id, onward.ApplicationEdit(notes="Met them at the meetup", excitement=5))
    assert (edited.notes, edited.excitement, edited.company) == ("Met them at the meetup", 5, "Acme")
    moved = journal.move_stage(app.meta.id, onward.Stage.SCREENING, None)
    assert moved.stage == onward.Stage.SCREENING
    tagged = journal.tag(app.meta.id, ["dream"], [])
    assert tagged.application.meta.tags == ["dream"]
    assert [i.id for i in journal.timeline(onward.TimelineQuery(tag="dream"))] == [app.meta.id]


def test_the_timeline_comes_in_pages_newest_first(journal):
    start = dt.datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    for day in range(7):
        journal.log_mood(onward.NewMood(valence=3, felt_at=start + dt.timedelta(days=day)))
    first = journal.timeline(onward.TimelineQuery(limit=3))
    second = journal.timeline(onward.TimelineQuery(limit=3, offset=3))
    last = journal.timeline(onward.TimelineQuery(limit=3, offset=6))
    days = [i.occurred_at.day for i in first + second + last]
    assert days == [7, 6, 5, 4, 3, 2, 1]
    since = journal.timeline(onward.TimelineQuery(since=start + dt.timedelta(days=5)))
    assert len(since) == 2


def test_merges_are_heard_and_a_stopped_observer_hears_nothing(journal, tmp_path):
    other = onward.Journal.open(str(tmp_path / "phone.onward"))
    theirs = other.log_application(onward.NewApplication(company="Globex", role="Analyst"))
    recorder = Recorder()
    handle = journal.observe(recorder)
    changed = journal.merge_bytes(other.document_bytes())
    assert changed == [theirs.meta.id]
    assert [c.ids for c in recorder.changes] == [[theirs.meta.id]]
    handle.stop()
    log_acme(journal, None)
    assert len(recorder.changes) == 1


def test_export_and_import_carry_everything(journal, tmp_path):
    app = log_acme(journal, dt.datetime(2026, 11, 16, tzinfo=UTC))
    journal.log_mood(onward.NewMood(valence=4))
    text = journal.export_json()
    assert '"format": "onward-journal"' in text
    fresh = onward.Journal.open(str(tmp_path / "new.onward"))
    summary = fresh.import_json(text)
    assert (summary.written, summary.skipped) == (2, 0)
    assert fresh.import_json(text).skipped == 2
    assert fresh.record(app.meta.id).item.title == "Data Engineer at Acme"
    with pytest.raises(onward.OnwardError.InvalidInput) as bad:
        fresh.import_json("{ not json")
    assert bad.value.field == "the file"


def test_due_reminders_and_insights(journal):
    week_ago = dt.datetime.now(UTC) - dt.timedelta(days=8)
    log_acme(journal, week_ago)
    due = journal.due_reminders()
    follow_up = [r for r in due if r.rule == onward.ReminderRule.FOLLOW_UP]
    assert len(follow_up) == 1
    assert "a short follow-up" in follow_up[0].title
    key = journal.complete_reminder(follow_up[0].key)
    assert key == follow_up[0].key
    assert all(r.key != key for r in journal.due_reminders())

    insights = journal.insights(4)
    assert insights.total_records == 1
    assert insights.applied == 1
    assert len(insights.weeks) == 4
    assert insights.funnel[0].stage == onward.Stage.APPLIED and insights.funnel[0].reached == 1


def test_threads_share_one_handle(journal):
    def log(worker):
        for i in range(10):
            journal.log_application(onward.NewApplication(company=f"Company {worker}-{i}", role="Dev"))
            assert journal.timeline(onward.TimelineQuery(limit=5))

    workers = [threading.Thread(target=log, args=(w,)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert len(journal.applications(False)) == 40

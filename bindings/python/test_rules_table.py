"""The shared table of rule cases (tests/cases/rules.json), read through the bindings
with the journal's clock and zone pinned: Today, notifications, stages after a stage,
titles and labels. The CLI and Kotlin read the same table."""

import datetime as dt
import json
import pathlib

import pytest

import onward_ffi as onward

TABLE = json.loads(
    (pathlib.Path(__file__).parents[2] / "tests" / "cases" / "rules.json").read_text()
)


class StoppedClock(onward.JournalClock):
    def __init__(self, at):
        self.at = at

    def now(self):
        return self.at


def instant(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def follow_ups(rows, ids, id_of):
    assert all(r.rule == onward.ReminderRule.FOLLOW_UP for r in rows)
    return [ids.index(id_of(r)) for r in rows]


@pytest.mark.parametrize("case", TABLE["cases"], ids=lambda c: c["name"])
def test_today_and_notifications_answer_as_the_table_says(case, tmp_path):
    journal = onward.Journal.open(str(tmp_path / "journal.onward"))
    journal.set_clock(StoppedClock(instant(case["now"])))
    journal.set_time_zone(case["zone"])
    ids = []
    for a in case["applications"]:
        app = journal.log_application(
            onward.NewApplication(
                company=a["company"], role=a["role"], applied_at=instant(a["applied_at"]),
                source=None, url=None, location=None, work_mode=None, salary=None,
                excitement=None, next_action_at=None, notes="",
            )
        )
        ids.append(app.meta.id)

    today = journal.today()
    want = case["today"]
    assert today.greeting == want["greeting"]
    assert follow_ups(today.reminders, ids, lambda r: r.target_id) == want["reminders"]
    assert today.more == want["more"]

    posted = [
        onward.PostedNotice(key=f"follow_up:{ids[p['application']]}", at=instant(p["at"]))
        for p in case["posted"]
    ]
    decided = journal.notifications(posted)
    want = case["notify"]
    assert (
        follow_ups(decided.notices, ids, lambda n: n.key.removeprefix("follow_up:"))
        == want["notices"]
    )
    if want["next_check"] is not None:
        assert decided.next_check == instant(want["next_check"])


def test_stages_titles_and_labels_answer_as_the_table_says():
    for row in TABLE["stages_after"]:
        stage = onward.Stage[row["stage"].upper()]
        outcome = onward.Outcome[row["outcome"].upper()]
        assert onward.stages_after(stage, outcome) == [onward.Stage[s.upper()] for s in row["next"]]
    for row in TABLE["titles"]:
        assert onward.application_title(row["role"], row["company"]) == row["title"]
    readers = {
        "stage": (onward.stage_label, onward.Stage),
        "outcome": (onward.outcome_label, onward.Outcome),
        "record_kind": (onward.record_kind_label, onward.RecordKind),
        "reason": (onward.reason_label, onward.Reason),
        "activity_category": (onward.activity_category_label, onward.ActivityCategory),
    }
    for row in TABLE["labels"]:
        label, vocabulary = readers[row["vocabulary"]]
        assert label(vocabulary[row["value"].upper()]) == row["label"]

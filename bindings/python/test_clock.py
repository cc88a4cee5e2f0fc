"""The journal's clock and time zone, given by the app (bindings/src/clock.rs)."""

import datetime as dt

import pytest

import onward_ffi as onward

UTC = dt.timezone.utc


class StoppedClock(onward.JournalClock):
    def __init__(self, at):
        self.at = at

    def now(self):
        return self.at


class BrokenClock(onward.JournalClock):
    def now(self):
        raise RuntimeError("the clock broke")


def test_the_journal_reads_now_from_the_apps_clock_and_keeps_its_zone(tmp_path):
    journal = onward.Journal.open(str(tmp_path / "journal.onward"))
    # Sunday 2026-11-29, 18:30 in Berlin.
    sunday_evening = dt.datetime(2026, 11, 29, 17, 30, tzinfo=UTC)
    journal.set_clock(StoppedClock(sunday_evening))
    journal.set_time_zone("Europe/Berlin")
    assert journal.log_mood(onward.NewMood(valence=3)).felt_at == sunday_evening

    with pytest.raises(onward.OnwardError.InvalidInput) as unknown:
        journal.set_time_zone("Mars/Olympus")
    assert unknown.value.field == "time_zone"
    assert "Mars/Olympus" in unknown.value.reason
    assert journal.time_zone() == "Europe/Berlin"


def test_a_clock_that_throws_gives_way_to_the_system_clock(tmp_path):
    journal = onward.Journal.open(str(tmp_path / "journal.onward"))
    journal.set_clock(BrokenClock())
    before = dt.datetime.now(UTC)
    felt = journal.log_mood(onward.NewMood(valence=3)).felt_at
    assert before <= felt <= dt.datetime.now(UTC)

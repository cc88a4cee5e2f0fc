"""Sync through the Python bindings, against a real onward-relay process on 127.0.0.1.

bindings/run-tests builds the relay and names it in ONWARD_RELAY; each test starts one
with a temporary database and stops it at the end. Every wait is bounded.
"""

import contextlib
import os
import queue
import subprocess
import threading

import pytest

import onward_ffi as onward

WAIT = 30  # seconds: the longest a state or a change may take to show up


@contextlib.contextmanager
def running_relay(tmp_path):
    """A relay on a free loopback port: gives its URL, and stops it afterwards."""
    binary = os.environ.get("ONWARD_RELAY")
    assert binary, "ONWARD_RELAY names no relay binary: run the tests with bindings/run-tests"
    log = open(tmp_path / "relay.log", "wb")
    process = subprocess.Popen(
        [binary, "--listen", "127.0.0.1:0", "--db", str(tmp_path / "relay.db")],
        stdout=subprocess.PIPE,
        stderr=log,
    )
    try:
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
        line = lines.get(timeout=WAIT).decode()
        assert "listening on http://" in line, line
        yield line.split("listening on ", 1)[1].strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
        process.stdout.close()
        log.close()


@pytest.fixture
def relay(tmp_path):
    with running_relay(tmp_path) as url:
        yield url


class Heard(onward.SyncObserver, onward.JournalObserver):
    """Queues what it hears, for bounded waits."""

    def __init__(self):
        self.states = queue.Queue()
        self.changes = queue.Queue()

    def on_state(self, state):
        self.states.put(state)

    def on_change(self, change):
        self.changes.put(change)


def wait_for(q, what, wanted):
    """Waits (bounded) for an item `wanted` accepts; fails naming what came instead."""
    seen = []
    try:
        while True:
            item = q.get(timeout=WAIT)
            if wanted(item):
                return item
            seen.append(item)
    except queue.Empty:
        pytest.fail(f"no {what} within {WAIT} s; saw {seen}")


def in_sync(state):
    return isinstance(state, onward.SyncState.CHECKED) and state.status.in_sync


def log_rejection(journal):
    app = journal.log_application(onward.NewApplication(company="Acme", role="Data Engineer"))
    logged = journal.log_rejection(
        onward.NewRejection(application_id=app.meta.id, reason=onward.Reason.INTERNAL_CANDIDATE)
    )
    return logged.rejection.meta.id


def write_entry(journal, body):
    return journal.write_entry(onward.NewEntry(kind=onward.EntryKind.FREE, body=body)).meta.id


def test_two_devices_pair_sync_now_and_follow_each_other(relay, tmp_path):
    phone = onward.Journal.open(str(tmp_path / "phone.onward"))
    laptop = onward.Journal.open(str(tmp_path / "laptop.onward"))
    assert not phone.is_sync_enabled()
    code = phone.enable_sync(relay)
    assert phone.pairing_code() == code
    rejection = log_rejection(phone)
    sent = phone.sync_now()
    assert sent.sent_changes >= 2 and sent.in_sync, sent

    own = write_entry(laptop, "Notes from before sync")
    joined = laptop.join_sync(code)
    assert rejection in joined.changed_ids
    assert laptop.record(rejection).item.kind == onward.RecordKind.REJECTION
    assert laptop.record(own).item.id == own

    heard = Heard()
    watching = phone.observe(heard)
    background = phone.start_background_sync(heard)
    wait_for(heard.states, "the phone in sync", in_sync)
    reflection = write_entry(laptop, "They liked my pipeline design; ask for feedback.")
    laptop.sync_now()
    arrived = wait_for(heard.changes, "the reflection on the phone", lambda c: reflection in c.ids)
    assert arrived.kinds == [onward.RecordKind.ENTRY]
    assert phone.record(reflection).item.kind == onward.RecordKind.ENTRY

    # A write on the phone goes out by itself: the loop is nudged.
    wait_for(heard.states, "the phone in sync again", in_sync)
    from_phone = write_entry(phone, "Walked by the river after the call.")
    for _ in range(3):
        wait_for(heard.states, "the phone's round after its write", in_sync)
        if from_phone in laptop.sync_now().changed_ids:
            break
    else:
        pytest.fail("the phone's entry never reached the laptop")
    background.stop()
    watching.stop()

    phone_status, laptop_status = phone.sync_status(), laptop.sync_status()
    assert phone_status.in_sync and laptop_status.in_sync, (phone_status, laptop_status)
    assert laptop_status.summary == "In sync."
    assert phone_status.last_success_at is not None


def test_a_mangled_code_is_a_clear_error_and_changes_nothing(relay, tmp_path):
    phone = onward.Journal.open(str(tmp_path / "phone.onward"))
    laptop = onward.Journal.open(str(tmp_path / "laptop.onward"))
    code = phone.enable_sync(relay)
    own = write_entry(laptop, "Mine alone")
    mid = len(code) // 2
    mangled = code[:mid] + ("B" if code[mid] == "A" else "A") + code[mid + 1 :]
    for bad in (mangled, "not a code"):
        with pytest.raises(onward.OnwardError.InvalidInput) as e:
            laptop.join_sync(bad)
        assert e.value.field == "pairing_code"
    assert not laptop.is_sync_enabled()
    with pytest.raises(onward.OnwardError.Sync):
        laptop.pairing_code()
    assert [i.id for i in laptop.timeline(onward.TimelineQuery())] == [own]
    laptop.join_sync(code)
    assert laptop.is_sync_enabled()


def test_with_the_relay_down_sync_fails_clearly_and_logging_goes_on(tmp_path):
    phone = onward.Journal.open(str(tmp_path / "phone.onward"))
    with running_relay(tmp_path) as url:
        phone.enable_sync(url)
    # The relay has stopped.
    rejection = log_rejection(phone)
    with pytest.raises(onward.OnwardError.Sync) as e:
        phone.sync_now()
    assert "relay" in str(e.value)
    assert phone.record(rejection).item.id == rejection
    status = phone.sync_status()
    assert not status.in_sync and status.unreachable is not None, status

    heard = Heard()
    background = phone.start_background_sync(heard)
    offline = wait_for(heard.states, "offline", lambda s: isinstance(s, onward.SyncState.OFFLINE))
    assert "relay" in offline.message
    assert offline.retry_in is not None
    write_entry(phone, "Still writing while offline")
    background.stop()

    assert phone.disable_sync()
    assert not phone.is_sync_enabled()
    assert len(phone.timeline(onward.TimelineQuery())) == 3

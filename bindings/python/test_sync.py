"""Sync through the Python bindings, against a real onward-relay process on 127.0.0.1:
invitations, devices, removal and the recovery kit, with keys in the app's SecretStore.

bindings/run-tests builds the relay and names it in ONWARD_RELAY; each test starts one
with a temporary database and stops it at the end. Every wait is bounded.
"""

import contextlib
import datetime
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


class MapStore(onward.SecretStore):
    """The app's secret store, in memory (the Keychain or Keystore on a phone)."""

    def __init__(self):
        self.secrets = {}

    def load(self, name):
        return self.secrets.get(name)

    def save(self, name, secret):
        self.secrets[name] = bytes(secret)

    def delete(self, name):
        self.secrets.pop(name, None)


def open_journal(tmp_path, name, store=None):
    """A journal whose keys live in a secret store, as on a phone."""
    return onward.Journal.open(str(tmp_path / name), store or MapStore())


def pair(first, other, name):
    """Has `other` join `first`'s journal by an invitation, as `name`."""
    other.join_sync(first.invite_device(10).code, device_name=name)


def names(journal):
    return sorted((d.name, d.this_device) for d in journal.devices())


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


def test_two_devices_invite_join_and_follow_each_other(relay, tmp_path):
    phone = open_journal(tmp_path, "phone.onward")
    laptop = open_journal(tmp_path, "laptop.onward")
    assert not phone.is_sync_enabled()
    phone.enable_sync(relay, device_name="Phone")
    rejection = log_rejection(phone)
    sent = phone.sync_now()
    assert sent.sent_changes >= 2 and sent.in_sync, sent

    invitation = phone.invite_device(10)
    preview = laptop.preview_invitation(invitation.code)
    assert preview.relay_url == relay
    assert preview.devices == ["Phone"]
    assert not laptop.is_sync_enabled(), "a preview changes nothing"
    own = write_entry(laptop, "Notes from before sync")
    joined = laptop.join_sync(invitation.code, device_name="Laptop")
    assert rejection in joined.changed_ids
    assert laptop.record(rejection).item.kind == onward.RecordKind.REJECTION
    assert laptop.record(own).item.id == own
    phone.sync_now()
    assert names(phone) == [("Laptop", False), ("Phone", True)]
    assert names(laptop) == [("Laptop", True), ("Phone", False)]

    heard = Heard()
    watching = phone.observe(heard)
    background = phone.start_background_sync(heard)
    wait_for(heard.states, "the phone in sync", in_sync)
    reflection = write_entry(laptop, "They liked my pipeline design; ask for feedback.")
    laptop.sync_now()
    arrived = wait_for(heard.changes, "the reflection on the phone", lambda c: reflection in c.ids)
    assert arrived.kinds == [onward.RecordKind.ENTRY]

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


def test_an_invitation_works_once_and_a_mangled_one_changes_nothing(relay, tmp_path):
    phone = open_journal(tmp_path, "phone.onward")
    laptop = open_journal(tmp_path, "laptop.onward")
    tablet = open_journal(tmp_path, "tablet.onward")
    phone.enable_sync(relay, device_name="Phone")
    code = phone.invite_device(10).code
    own = write_entry(laptop, "Mine alone")
    mid = len(code) // 2
    mangled = code[:mid] + ("B" if code[mid] == "A" else "A") + code[mid + 1 :]
    for bad in (mangled, "not a code"):
        with pytest.raises(onward.OnwardError.InvalidInput) as e:
            laptop.join_sync(bad, device_name="Laptop")
        assert e.value.field == "invitation"
    assert not laptop.is_sync_enabled()
    assert [i.id for i in laptop.timeline(onward.TimelineQuery())] == [own]

    laptop.join_sync(code, device_name="Laptop")
    with pytest.raises(onward.OnwardError.InvalidInput) as e:
        tablet.join_sync(code, device_name="Tablet")
    assert e.value.field == "invitation" and "already used" in e.value.reason
    assert not tablet.is_sync_enabled()


def test_a_removed_device_is_told_so_and_a_kit_brings_the_journal_back(relay, tmp_path):
    store = MapStore()
    laptop = open_journal(tmp_path, "laptop.onward", store)
    phone = open_journal(tmp_path, "phone.onward")
    laptop.enable_sync(relay, device_name="Laptop")
    rejection = log_rejection(laptop)
    pair(laptop, phone, "Phone")
    laptop.sync_now()
    assert store.secrets, "the laptop's keys are in its store"

    removed = laptop.remove_device("Phone")
    assert removed.device.name == "Phone"
    with pytest.raises(onward.OnwardError.Sync) as e:
        phone.sync_now()
    assert "removed" in str(e.value)
    assert names(laptop) == [("Laptop", True)]

    kit = laptop.recovery_kit()
    assert kit.startswith("ONWARDKIT1-")
    new_phone = open_journal(tmp_path, "new-phone.onward")
    back = new_phone.recover_from_kit(kit, device_name="New phone")
    assert rejection in back.changed_ids
    assert new_phone.record(rejection).item.kind == onward.RecordKind.REJECTION
    assert ("New phone", True) in names(new_phone)


def test_a_device_leaves_then_the_last_deletes_the_relay_copy_and_brings_it_back(relay, tmp_path):
    store = MapStore()
    laptop = open_journal(tmp_path, "laptop.onward", store)
    tablet = open_journal(tmp_path, "tablet.onward")
    laptop.enable_sync(relay, device_name="Laptop")
    pair(laptop, tablet, "Tablet")
    laptop.sync_now()
    with pytest.raises(onward.OnwardError.InvalidInput) as e:
        laptop.delete_relay_copy()
    assert e.value.field == "device"
    tablet.leave_sync()
    assert not tablet.is_sync_enabled()
    laptop.sync_now()
    assert names(laptop) == [("Laptop", True)]

    rejection = log_rejection(laptop)
    laptop.sync_now()
    deleted = laptop.delete_relay_copy()
    assert deleted.purge_after > datetime.datetime.now(datetime.timezone.utc)
    assert not laptop.is_sync_enabled()
    assert len(store.secrets) == 1, "the keys for the restore"
    assert laptop.restore_relay_copy().in_sync
    assert laptop.is_sync_enabled()
    phone = open_journal(tmp_path, "phone.onward")
    pair(laptop, phone, "Phone")
    assert phone.record(rejection).item.kind == onward.RecordKind.REJECTION


def test_plain_http_to_another_machine_is_refused(tmp_path):
    phone = open_journal(tmp_path, "phone.onward")
    with pytest.raises(onward.OnwardError.InvalidInput) as e:
        phone.enable_sync("http://relay.example.org", device_name="Phone")
    assert e.value.field == "relay"
    assert not phone.is_sync_enabled()


def test_with_the_relay_down_sync_fails_clearly_and_logging_goes_on(tmp_path):
    phone = open_journal(tmp_path, "phone.onward")
    with running_relay(tmp_path) as url:
        phone.enable_sync(url, device_name="Phone")
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

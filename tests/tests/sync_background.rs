//! The apps' background sync: a loop that syncs when nudged and when the relay's long
//! poll brings batches, reports its state to an observer, backs off when the relay is
//! down, and stops with its handle. Against a real relay on 127.0.0.1.

mod sync_support;

use chrono::Utc;
use onward_core::model::{Entry, EntryKind};
use onward_core::sync::{
    self, progress, HttpRelays, SyncHandle, SyncObserver, SyncRuntime, SyncState,
};
use onward_core::Journal;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use sync_support::LoopbackRelay;

/// The longest a state may take to show up.
const WAIT: Duration = Duration::from_secs(30);

struct Observer(Mutex<Sender<SyncState>>);

impl SyncObserver for Observer {
    fn on_state(&self, state: SyncState) {
        let _ = self.0.lock().unwrap().send(state);
    }
}

/// Waits (bounded) for a state that `wanted` accepts.
fn wait_for(
    states: &Receiver<SyncState>,
    what: &str,
    wanted: impl Fn(&SyncState) -> bool,
) -> SyncState {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match states.recv_timeout(left) {
            Ok(state) if wanted(&state) => return state,
            Ok(state) => seen.push(state),
            Err(_) => break,
        }
    }
    panic!("no {what} within {WAIT:?}; saw {seen:?}");
}

fn in_sync(state: &SyncState) -> bool {
    matches!(state, SyncState::Synced { status } if status.in_sync)
}

fn entry(journal: &Mutex<Journal>, text: &str) -> String {
    let entry = Entry::new(EntryKind::Free, text, Utc::now());
    journal.lock().unwrap().add_entry(entry).unwrap().meta.id
}

fn has(journal: &Mutex<Journal>, id: &str) -> bool {
    journal.lock().unwrap().get::<Entry>(id).is_ok()
}

#[test]
fn the_background_loop_follows_both_ways_backs_off_and_stops() {
    let dir = tempfile::tempdir().unwrap();
    let mut relay = LoopbackRelay::start(dir.path());
    let laptop = Arc::new(Mutex::new(
        Journal::open(dir.path().join("laptop.onward")).unwrap(),
    ));
    let phone = Mutex::new(Journal::open(dir.path().join("phone.onward")).unwrap());
    let first = entry(&laptop, "Written before sync was on");
    let relays = HttpRelays::default();
    relay
        .block_on(sync::enable(
            &laptop,
            &relays,
            &relay.url(),
            false,
            "laptop",
        ))
        .unwrap();
    let code = relay
        .block_on(sync::invite(&laptop, &relays, Duration::from_secs(10 * 60)))
        .unwrap()
        .code;
    relay
        .block_on(sync::join(
            &phone,
            &relays,
            &code,
            "phone",
            &progress::ignore,
        ))
        .unwrap();

    let (tx, states) = channel();
    let runtime = SyncRuntime::new().unwrap();
    let handle =
        SyncHandle::start(laptop.clone(), &runtime, Arc::new(Observer(Mutex::new(tx)))).unwrap();
    wait_for(&states, "first round", |s| {
        matches!(s, SyncState::Syncing { .. })
    });
    wait_for(&states, "in sync", in_sync);
    // The laptop's entry went out in that round.
    relay
        .block_on(sync::pull(&phone, &relays, &progress::ignore))
        .unwrap();
    assert!(has(&phone, &first));

    // The phone writes and syncs: the laptop's long poll brings it in.
    let from_phone = entry(&phone, "Written on the phone");
    relay
        .block_on(sync::sync_now(&phone, &relays, &progress::ignore))
        .unwrap();
    wait_for(&states, "the phone's entry", |s| {
        in_sync(s) && has(&laptop, &from_phone)
    });

    // A local write and a nudge send it out.
    let from_laptop = entry(&laptop, "Written on the laptop");
    handle.nudge();
    wait_for(&states, "in sync after the nudge", in_sync);
    relay
        .block_on(sync::pull(&phone, &relays, &progress::ignore))
        .unwrap();
    assert!(has(&phone, &from_laptop));

    // The relay goes away: offline, with the error and a growing wait.
    relay.stop();
    entry(&laptop, "Written while the relay is down");
    handle.nudge();
    let offline = wait_for(&states, "offline", |s| {
        matches!(s, SyncState::Offline { .. })
    });
    let SyncState::Offline { error, retry_in } = offline else {
        unreachable!()
    };
    assert!(error.contains("couldn't reach the sync relay"), "{error}");
    assert!(retry_in <= Duration::from_secs(300));
    // The journal keeps working meanwhile.
    let offline_entry = entry(&laptop, "And another");
    assert!(has(&laptop, &offline_entry));

    // Back again: the next try (nudged, not waiting out the back-off) catches up.
    relay.restart();
    handle.nudge();
    wait_for(&states, "in sync after the relay came back", in_sync);
    relay
        .block_on(sync::pull(&phone, &relays, &progress::ignore))
        .unwrap();
    assert!(has(&phone, &offline_entry));

    // Stopped: nothing more is reported, and the journal is free for the app.
    handle.stop();
    while states.try_recv().is_ok() {}
    entry(&phone, "After the laptop stopped syncing");
    relay
        .block_on(sync::sync_now(&phone, &relays, &progress::ignore))
        .unwrap();
    assert!(states.recv_timeout(Duration::from_secs(2)).is_err());
    assert!(laptop.try_lock().is_ok());
}

#[test]
fn a_journal_that_does_not_sync_has_no_background_loop() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Arc::new(Mutex::new(
        Journal::open(dir.path().join("j.onward")).unwrap(),
    ));
    let (tx, _states) = channel();
    let runtime = SyncRuntime::new().unwrap();
    let err = SyncHandle::start(journal, &runtime, Arc::new(Observer(Mutex::new(tx))))
        .err()
        .unwrap();
    assert!(err.to_string().contains("sync isn't set up"), "{err}");
}

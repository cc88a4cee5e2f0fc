//! Sync through the bindings, as an app's sync screen uses it, against a real relay on
//! 127.0.0.1 (the onward-relay server, in this process): turning it on, inviting and
//! joining, the devices, removing one, the recovery kit, and the keys kept in the app's
//! secret store. Every wait is bounded.

use onward_ffi::*;
use std::collections::HashMap;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest a state or a change may take to show up.
const WAIT: Duration = Duration::from_secs(30);

/// A real relay (SQLite) serving on loopback in this test process.
struct LoopbackRelay {
    runtime: tokio::runtime::Runtime,
    running: Option<onward_relay::Running>,
    url: String,
}

impl LoopbackRelay {
    fn start(dir: &tempfile::TempDir) -> LoopbackRelay {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let config = onward_relay::Config::sqlite(
            dir.path().join("relay.db"),
            "127.0.0.1:0".parse().unwrap(),
        );
        let running = runtime.block_on(onward_relay::serve(config)).unwrap();
        let url = format!("http://{}", running.addr());
        LoopbackRelay {
            runtime,
            running: Some(running),
            url,
        }
    }

    fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(async {
                tokio::time::timeout(WAIT, running.shutdown())
                    .await
                    .expect("the relay stops in time")
            });
        }
    }
}

/// The app's secret store, in memory (the Keychain or Keystore in the apps).
#[derive(Default)]
struct MapStore(Mutex<HashMap<String, Vec<u8>>>);

impl SecretStore for MapStore {
    fn load(&self, name: String) -> Result<Option<Vec<u8>>, SecretStoreError> {
        Ok(self.0.lock().unwrap().get(&name).cloned())
    }
    fn save(&self, name: String, secret: Vec<u8>) -> Result<(), SecretStoreError> {
        self.0.lock().unwrap().insert(name, secret);
        Ok(())
    }
    fn delete(&self, name: String) -> Result<(), SecretStoreError> {
        self.0.lock().unwrap().remove(&name);
        Ok(())
    }
}

/// A journal whose keys live in a secret store of its own, as on a phone.
fn open(dir: &tempfile::TempDir, name: &str) -> Arc<Journal> {
    open_with(dir, name, Arc::new(MapStore::default()))
}

fn open_with(dir: &tempfile::TempDir, name: &str, store: Arc<MapStore>) -> Arc<Journal> {
    Journal::open(dir.path().join(name).display().to_string(), Some(store)).unwrap()
}

/// Whether `file` holds a piece of `secret`: any 32 bytes of it as stored, or any key
/// in it (64 hex characters) as raw bytes.
fn holds_any_of(file: &[u8], secret: &[u8]) -> bool {
    let contains = |needle: &[u8]| file.windows(needle.len()).any(|w| w == needle);
    let text = String::from_utf8_lossy(secret);
    let mut keys = text
        .split(|c: char| !c.is_ascii_hexdigit())
        .filter(|run| run.len() == 64)
        .map(|run| {
            (0..32)
                .map(|i| u8::from_str_radix(&run[2 * i..2 * i + 2], 16).unwrap())
                .collect::<Vec<u8>>()
        });
    secret.windows(32).any(contains) || keys.any(|k| contains(&k))
}

/// Has `other` join `first`'s journal by an invitation, as `name`.
fn pair(first: &Journal, other: &Journal, name: &str) {
    let invitation = first.invite_device(10).unwrap();
    other.join_sync(invitation.code, Some(name.into())).unwrap();
}

fn log_rejection(journal: &Journal) -> String {
    let app = journal
        .log_application(NewApplication {
            company: "Acme".into(),
            role: "Data Engineer".into(),
            applied_at: None,
            source: Some(Source::Referral),
            url: None,
            location: None,
            work_mode: None,
            salary: None,
            excitement: Some(4),
            next_action_at: None,
            notes: String::new(),
        })
        .unwrap();
    journal
        .log_rejection(NewRejection {
            application_id: app.meta.id,
            received_at: None,
            channel: Some(Channel::Email),
            reason: Some(Reason::InternalCandidate),
            context_factors: vec![],
            message_text: "We went with an internal candidate.".into(),
            stage_reached: None,
        })
        .unwrap()
        .rejection
        .meta
        .id
}

fn write_entry(journal: &Journal, body: &str) -> String {
    journal
        .write_entry(NewEntry {
            kind: EntryKind::Free,
            body: body.into(),
            answers: HashMap::new(),
            perspective: None,
            written_at: None,
            application_id: None,
            interview_id: None,
            rejection_id: None,
        })
        .unwrap()
        .meta
        .id
}

/// Sends what it hears down a channel, for bounded waits.
struct Heard<T>(Mutex<Sender<T>>);

impl SyncObserver for Heard<SyncState> {
    fn on_state(&self, state: SyncState) {
        let _ = self.0.lock().unwrap().send(state);
    }
}

impl JournalObserver for Heard<JournalChange> {
    fn on_change(&self, change: JournalChange) {
        let _ = self.0.lock().unwrap().send(change);
    }
}

fn heard<T>() -> (Arc<Heard<T>>, Receiver<T>) {
    let (tx, rx) = channel();
    (Arc::new(Heard(Mutex::new(tx))), rx)
}

/// Waits (bounded) for something `wanted` accepts; fails naming what came instead.
fn wait_for<T: std::fmt::Debug>(rx: &Receiver<T>, what: &str, wanted: impl Fn(&T) -> bool) -> T {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(x) if wanted(&x) => return x,
            Ok(x) => seen.push(x),
            Err(_) => break,
        }
    }
    panic!("no {what} within {WAIT:?}; saw {seen:?}");
}

fn in_sync(state: &SyncState) -> bool {
    matches!(state, SyncState::Checked { status } if status.in_sync)
}

#[test]
fn two_devices_invite_join_and_follow_each_other_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(&dir);
    let phone = open(&dir, "phone.onward");
    let laptop = open(&dir, "laptop.onward");
    assert!(!phone.is_sync_enabled().unwrap());

    phone
        .enable_sync(relay.url.clone(), Some("Phone".into()), false)
        .unwrap();
    assert!(phone.is_sync_enabled().unwrap());
    let rejection = log_rejection(&phone);
    let sent = phone.sync_now().unwrap();
    assert!(sent.sent_changes >= 2, "{sent:?}");
    assert!(sent.in_sync, "{sent:?}");

    // The laptop sees what it would join before joining; then its own entry stays and
    // the phone's rejection arrives.
    let invitation = phone.invite_device(10).unwrap();
    assert!(invitation.expires_at > std::time::SystemTime::now());
    let preview = laptop.preview_invitation(invitation.code.clone()).unwrap();
    assert_eq!(preview.relay_url, relay.url);
    assert_eq!(preview.devices, ["Phone"]);
    assert!(
        !laptop.is_sync_enabled().unwrap(),
        "a preview changes nothing"
    );
    let own = write_entry(&laptop, "Notes from before sync");
    let joined = laptop
        .join_sync(invitation.code, Some("Laptop".into()))
        .unwrap();
    assert!(joined.received_changes >= 2, "{joined:?}");
    assert!(joined.changed_ids.contains(&rejection), "{joined:?}");
    assert!(laptop.record(own.clone()).is_ok());
    phone.sync_now().unwrap();
    let names = |j: &Journal| {
        let mut n: Vec<(String, bool)> = j
            .devices()
            .unwrap()
            .into_iter()
            .map(|d| (d.name, d.this_device))
            .collect();
        n.sort();
        n
    };
    assert_eq!(
        names(&phone),
        [("Laptop".to_string(), false), ("Phone".to_string(), true)]
    );
    assert_eq!(
        names(&laptop),
        [("Laptop".to_string(), true), ("Phone".to_string(), false)]
    );

    // The phone syncs in the background and hears the laptop's reflection arrive.
    let (changes, arrived) = heard::<JournalChange>();
    let _watching = phone.observe(changes);
    let (states, phone_states) = heard::<SyncState>();
    let background = phone.start_background_sync(states).unwrap();
    wait_for(&phone_states, "the phone in sync", in_sync);
    let reflection = write_entry(&laptop, "They liked my pipeline design; ask for feedback.");
    laptop.sync_now().unwrap();
    let change = wait_for(&arrived, "the reflection on the phone", |c| {
        c.ids.contains(&reflection)
    });
    assert_eq!(change.kinds, vec![RecordKind::Entry]);

    // A write on the phone goes out by itself: the loop is nudged, not left to its
    // long poll.
    wait_for(&phone_states, "the phone in sync again", in_sync);
    let from_phone = write_entry(&phone, "Walked by the river after the call.");
    let mut reached = false;
    for _ in 0..3 {
        wait_for(&phone_states, "the phone's round after its write", in_sync);
        if laptop.sync_now().unwrap().changed_ids.contains(&from_phone) {
            reached = true;
            break;
        }
    }
    assert!(reached, "the phone's entry never reached the laptop");

    background.stop();
    background.stop();
    let phone_status = phone.sync_status().unwrap();
    let laptop_status = laptop.sync_status().unwrap();
    assert!(phone_status.in_sync, "{phone_status:?}");
    assert!(laptop_status.in_sync, "{laptop_status:?}");
    assert_eq!(phone_status.summary, "In sync.");
    assert_eq!(phone_status.relay_url, relay.url);
}

#[test]
fn an_invitation_works_once_and_a_mangled_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(&dir);
    let phone = open(&dir, "phone.onward");
    let laptop = open(&dir, "laptop.onward");
    let tablet = open(&dir, "tablet.onward");
    phone
        .enable_sync(relay.url.clone(), Some("Phone".into()), false)
        .unwrap();
    let code = phone.invite_device(10).unwrap().code;
    let own = write_entry(&laptop, "Mine alone");

    // One character changed in the middle, and plain junk.
    let mid = code.len() / 2;
    let flipped = if &code[mid..mid + 1] == "A" { "B" } else { "A" };
    let mangled = format!("{}{}{}", &code[..mid], flipped, &code[mid + 1..]);
    for bad in [mangled, "not a code".to_string()] {
        match laptop.join_sync(bad.clone(), None) {
            Err(OnwardError::InvalidInput { field, .. }) => assert_eq!(field, "invitation"),
            other => panic!("{bad}: expected InvalidInput, got {other:?}"),
        }
    }
    assert!(!laptop.is_sync_enabled().unwrap());
    let items = laptop.timeline(TimelineQuery::default()).unwrap();
    assert_eq!(items.iter().map(|i| &i.id).collect::<Vec<_>>(), [&own]);

    // The real code works, once.
    laptop
        .join_sync(code.clone(), Some("Laptop".into()))
        .unwrap();
    for again in [
        tablet.preview_invitation(code.clone()),
        Err(tablet.join_sync(code, None).unwrap_err()),
    ] {
        match again {
            Err(OnwardError::InvalidInput { field, reason }) => {
                assert_eq!(field, "invitation");
                assert!(reason.contains("already used"), "{reason}");
            }
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }
    assert!(!tablet.is_sync_enabled().unwrap());
}

#[test]
fn a_removed_device_is_told_so_and_a_recovery_kit_brings_the_journal_back() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(&dir);
    let store = Arc::new(MapStore::default());
    let laptop = open_with(&dir, "laptop.onward", store.clone());
    let phone = open(&dir, "phone.onward");
    laptop
        .enable_sync(relay.url.clone(), Some("Laptop".into()), false)
        .unwrap();
    let rejection = log_rejection(&laptop);
    pair(&laptop, &phone, "Phone");
    laptop.sync_now().unwrap();

    // The keys are in the store, and none of them is in the journal file.
    let secrets = store.0.lock().unwrap().clone();
    assert!(!secrets.is_empty());
    for secret in secrets.values() {
        for file in ["laptop.onward", "laptop.onward-wal"] {
            let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
            assert!(!holds_any_of(&bytes, secret), "{file} holds a secret");
        }
    }

    // The phone is lost: the laptop removes it, and the phone hears so.
    let removed = laptop.remove_device("Phone".into()).unwrap();
    assert_eq!(removed.device.name, "Phone");
    assert!(removed.epoch >= 1);
    match phone.sync_now() {
        Err(OnwardError::Sync { detail }) => assert!(detail.contains("removed"), "{detail}"),
        other => panic!("expected Sync, got {other:?}"),
    }
    assert!(matches!(
        laptop.remove_device("Phone".into()),
        Err(OnwardError::NotFound { .. })
    ));

    // With a kit, an empty new journal gets everything back.
    let kit = laptop.recovery_kit().unwrap();
    assert!(kit.starts_with("ONWARDKIT1-"), "{kit}");
    let new_phone = open(&dir, "new-phone.onward");
    let back = new_phone
        .recover_from_kit(kit, Some("New phone".into()))
        .unwrap();
    assert!(back.changed_ids.contains(&rejection), "{back:?}");
    assert!(new_phone.record(rejection).is_ok());
    let devices = new_phone.devices().unwrap();
    assert!(devices
        .iter()
        .any(|d| d.name == "New phone" && d.this_device));
    assert!(devices.iter().all(|d| d.name != "Phone"));
}

#[test]
fn with_the_relay_down_sync_fails_clearly_and_logging_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut relay = LoopbackRelay::start(&dir);
    let phone = open(&dir, "phone.onward");
    phone.enable_sync(relay.url.clone(), None, false).unwrap();
    relay.stop();
    let rejection = log_rejection(&phone);
    match phone.sync_now() {
        Err(OnwardError::Sync { detail }) => assert!(detail.contains("relay"), "{detail}"),
        other => panic!("expected Sync, got {other:?}"),
    }
    assert_eq!(phone.record(rejection.clone()).unwrap().item.id, rejection);
    let status = phone.sync_status().unwrap();
    assert!(!status.in_sync);
    assert!(status.unreachable.is_some(), "{status:?}");
    assert!(status.pending_changes > 0);

    let (states, heard_states) = heard::<SyncState>();
    let background = phone.start_background_sync(states).unwrap();
    let offline = wait_for(&heard_states, "offline", |s| {
        matches!(s, SyncState::Offline { .. })
    });
    let SyncState::Offline { message, retry_in } = offline else {
        unreachable!()
    };
    assert!(message.contains("relay"), "{message}");
    assert!(retry_in.is_some());
    let offline_entry = write_entry(&phone, "Still writing while offline");
    drop(background);

    // Turning sync off leaves the records and stops being a syncing journal.
    assert!(phone.disable_sync().unwrap());
    assert!(!phone.is_sync_enabled().unwrap());
    assert!(matches!(phone.sync_now(), Err(OnwardError::Sync { .. })));
    let kept: Vec<String> = phone
        .timeline(TimelineQuery::default())
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert!(
        kept.contains(&rejection) && kept.contains(&offline_entry),
        "{kept:?}"
    );
    assert_eq!(
        kept.len(),
        3,
        "the application, its rejection and the entry"
    );
}

/// A device leaves by itself: it stops syncing, and the others list it no more.
#[test]
fn a_device_can_leave() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(&dir);
    let laptop = open(&dir, "laptop.onward");
    let tablet = open(&dir, "tablet.onward");
    laptop
        .enable_sync(relay.url.clone(), Some("Laptop".into()), false)
        .unwrap();
    pair(&laptop, &tablet, "Tablet");
    laptop.sync_now().unwrap();
    tablet.leave_sync().unwrap();
    assert!(!tablet.is_sync_enabled().unwrap());
    laptop.sync_now().unwrap();
    let left: Vec<String> = laptop
        .devices()
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(left, ["Laptop"]);
}

/// Only the last device deletes the relay's copy; it keeps its keys meanwhile and brings
/// the copy back, and a device that joins then gets everything.
#[test]
fn the_last_device_deletes_the_relay_copy_and_brings_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(&dir);
    let store = Arc::new(MapStore::default());
    let laptop = open_with(&dir, "laptop.onward", store.clone());
    let tablet = open(&dir, "tablet.onward");
    laptop
        .enable_sync(relay.url.clone(), Some("Laptop".into()), false)
        .unwrap();
    pair(&laptop, &tablet, "Tablet");
    laptop.sync_now().unwrap();
    let refused = laptop.delete_relay_copy();
    assert!(
        matches!(&refused, Err(OnwardError::InvalidInput { field, .. }) if field == "device"),
        "{refused:?}"
    );
    tablet.leave_sync().unwrap();
    let rejection = log_rejection(&laptop);
    laptop.sync_now().unwrap();

    let deleted = laptop.delete_relay_copy().unwrap();
    assert!(deleted.purge_after > std::time::SystemTime::now());
    assert!(!laptop.is_sync_enabled().unwrap());
    assert_eq!(store.0.lock().unwrap().len(), 1, "the keys for the restore");
    assert!(matches!(laptop.sync_now(), Err(OnwardError::Sync { .. })));

    let back = laptop.restore_relay_copy().unwrap();
    assert!(back.in_sync);
    assert!(laptop.is_sync_enabled().unwrap());
    let nothing = laptop.restore_relay_copy();
    assert!(
        matches!(&nothing, Err(OnwardError::Sync { detail }) if detail.contains("already syncs")),
        "{nothing:?}"
    );
    let phone = open(&dir, "phone.onward");
    pair(&laptop, &phone, "Phone");
    assert!(phone.record(rejection).is_ok());
}

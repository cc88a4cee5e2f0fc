//! Sync when the relay can't be trusted to be whole or honest, with real processes on
//! 127.0.0.1: the `onward` binary on each device and the `onward-relay` binary over
//! SQLite and PostgreSQL. What a person would notice is checked: the words printed, the
//! exit status, the records on each device.
//!
//! - a relay SIGKILLed while it writes a batch loses nothing once it is back;
//! - a relay restored from a real backup (SQLite online copy, pg_dump / pg_restore) is
//!   caught up again by the devices that hold what it lost, and says so;
//! - three devices syncing at the same time end with the same journal;
//! - a forged frame is refused whole and moves nothing;
//! - a relay that withholds another device's changes can't make a device say "In sync.";
//! - the device list comes over the wire again only when it changed.
//!
//! `ONWARD_SYNC_TRUST_ROUNDS=N` makes the concurrent rounds longer (default 3).

mod sync_support;

use onward_core::sync::relay::{Batches, Connect, JournalInfo};
use onward_core::sync::HttpRelays;
use onward_tests::fault_proxy::{split_frames, Fault, FaultProxy};
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use sync_support::backup;
use sync_support::postgres::PgServer;
use sync_support::relay_process::{RelayProcess, Store};
use sync_support::{Device, Ran};

const IN_SYNC: &str = "In sync.";

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A relay's store, and its PostgreSQL server when it has one (stopped on drop).
struct Storage {
    store: Store,
    pg: Option<PgServer>,
}

impl Storage {
    fn new(backend: Backend, dir: &Path) -> Storage {
        match backend {
            Backend::Sqlite => Storage {
                store: Store::Sqlite(dir.join("relay.db")),
                pg: None,
            },
            Backend::Postgres => {
                let pg = PgServer::start();
                Storage {
                    store: Store::Postgres(pg.url()),
                    pg: Some(pg),
                }
            }
        }
    }

    fn start(&self, dir: &Path) -> RelayProcess {
        RelayProcess::start(self.store.clone(), &dir.join("relay.log"))
    }
}

fn add_entry(d: &Device, text: &str) {
    d.run(&["entry", "add", "--kind", "free", "--text", text]);
}

/// `sync now`, expected to succeed and to say "In sync.".
fn sync_in_sync(d: &Device) -> String {
    let out = d.run(&["sync", "now"]);
    assert!(out.contains(IN_SYNC), "{}: {out}", d.journal.display());
    out
}

fn status_json(d: &Device) -> Value {
    // `sync status` exits 3 when another device's changes are withheld: read it anyway.
    let ran = d.try_run(&["--json", "sync", "status"]);
    assert!(ran.ok || ran.code == Some(3), "{}", ran.stderr);
    serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{e}: {}", ran.stdout))
}

fn cursor(d: &Device) -> u64 {
    status_json(d)["cursor"].as_u64().unwrap()
}

/// What the relay holds for the journal of device `d`, asked with its credential: the
/// journal's info and every batch it still has, as (seq, batch id).
fn relay_holds(d: &Device) -> (JournalInfo, Vec<(u64, String)>) {
    let keys = d.keys();
    let relay = HttpRelays::default().relay(&d.relay_url()).unwrap();
    sync_support::on_runtime(async {
        let info = relay.info(&keys).await.unwrap();
        let mut held = Vec::new();
        let mut after = info.pruned_through;
        loop {
            let Batches::Frames(answer) = relay
                .batches(&keys, after, 1000, Duration::ZERO)
                .await
                .unwrap()
            else {
                panic!("snapshot required after {after}");
            };
            let Some(last) = answer.frames.last().map(|f| f.seq) else {
                break;
            };
            held.extend(answer.frames.into_iter().map(|f| (f.seq, f.batch_id)));
            after = last;
        }
        (info, held)
    })
}

/// The relay's numbers have no gap and no batch twice, and its latest is the last batch.
fn assert_no_gap(d: &Device) -> u64 {
    let (info, held) = relay_holds(d);
    let seqs: Vec<u64> = held.iter().map(|(s, _)| *s).collect();
    let want: Vec<u64> = (info.pruned_through + 1..=info.latest_seq).collect();
    assert_eq!(seqs, want, "the relay's batches are numbered without a gap");
    let mut ids: Vec<&String> = held.iter().map(|(_, id)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), held.len(), "no batch stored twice");
    info.latest_seq
}

/// Waits (bounded) until the relay's log holds `needle` `times` times.
fn wait_for_log(relay: &RelayProcess, needle: &str, times: usize, limit: Duration) {
    let started = Instant::now();
    loop {
        let log = std::fs::read_to_string(relay.log()).unwrap_or_default();
        if log.matches(needle).count() >= times {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "the relay's log didn't say {needle:?} within {limit:?}:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn same_device(d: &Device) -> Device {
    Device {
        journal: d.journal.clone(),
        env: d.env.clone(),
    }
}

// ---------------------------------------------------------------------------------------
// 1. The relay killed while it writes a batch.

fn killed_while_writing(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path());
    let mut relay = storage.start(dir.path());
    let laptop = Device::new(dir.path(), "laptop");
    let phone = Device::new(dir.path(), "phone");
    add_entry(&laptop, "Before the crash");
    laptop.run(&["sync", "init", "--relay", &relay.url()]);
    phone.join(&laptop, &[]);
    let before = assert_no_gap(&laptop);

    // Every push of a new batch now stalls inside its transaction.
    relay.kill();
    relay.set_env(&[("ONWARD_RELAY_STALL_PUSH_MS", "60000")]);
    relay.start_again();
    add_entry(&laptop, "Written while the relay crashed");
    let first = std::thread::scope(|scope| {
        let pushing = same_device(&laptop);
        let sync = scope.spawn(move || pushing.try_run(&["sync", "now"]));
        wait_for_log(&relay, "stalling push of batch", 1, Duration::from_secs(60));
        relay.kill();
        sync.join().unwrap()
    });
    assert!(!first.ok, "the cut-off sync failed: {}", first.stdout);
    assert!(
        first.stderr.contains("couldn't reach the sync relay"),
        "{}",
        first.stderr
    );
    assert!(!first.stderr.contains("panicked"), "{}", first.stderr);
    // The journal keeps working meanwhile.
    assert_eq!(laptop.titles().len(), 2);

    relay.set_env(&[]);
    relay.start_again();
    assert_eq!(
        assert_no_gap(&laptop),
        before,
        "the batch cut off in its transaction is not on the relay"
    );
    let again = sync_in_sync(&laptop);
    assert!(again.contains("sent "), "{again}");
    sync_in_sync(&phone);
    assert!(
        phone
            .titles()
            .iter()
            .any(|t| t.contains("Written while the relay crashed")),
        "{:?}",
        phone.titles()
    );
    assert_eq!(phone.titles(), laptop.titles());
    assert_eq!(phone.titles().len(), 2);
    assert!(assert_no_gap(&laptop) > before);
    sync_in_sync(&laptop);
}

#[test]
fn a_relay_killed_while_writing_a_batch_loses_nothing_on_sqlite() {
    killed_while_writing(Backend::Sqlite);
}

#[test]
fn a_relay_killed_while_writing_a_batch_loses_nothing_on_postgres() {
    killed_while_writing(Backend::Postgres);
}

// ---------------------------------------------------------------------------------------
// 2. A relay restored from a real backup.

const RECOVERED_LOST: &str = "The relay lost some recent changes; this device sent them again";
const RECOVERED_BACK: &str = "The relay had gone back to an earlier copy of your journal";

fn restored_from_backup(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path());
    let mut relay = storage.start(dir.path());
    let laptop = Device::new(dir.path(), "laptop");
    let phone = Device::new(dir.path(), "phone");
    let tablet = Device::new(dir.path(), "tablet");
    add_entry(&laptop, "Laptop 1");
    laptop.run(&["sync", "init", "--relay", &relay.url()]);
    phone.join(&laptop, &[]);
    for i in 2..=3 {
        add_entry(&laptop, &format!("Laptop {i}"));
        laptop.run(&["sync", "now"]);
        add_entry(&phone, &format!("Phone {i}"));
        phone.run(&["sync", "now"]);
    }
    laptop.run(&["sync", "now"]);
    let backed_up = backup::take(&storage.store, storage.pg.as_ref(), dir.path(), "relay.bak");
    let at_backup = assert_no_gap(&laptop);

    // After the backup: batches the backup lacks. "Phone 5" is on the phone only (and on
    // the relay until the restore); "Laptop 5" on both devices.
    add_entry(&laptop, "Laptop 4");
    laptop.run(&["sync", "now"]);
    add_entry(&phone, "Phone 4");
    phone.run(&["sync", "now"]);
    add_entry(&laptop, "Laptop 5");
    laptop.run(&["sync", "now"]);
    add_entry(&phone, "Phone 5");
    phone.run(&["sync", "now"]);
    assert!(assert_no_gap(&laptop) > at_backup);
    let all = phone.titles();
    assert_eq!(all.len(), 9, "{all:?}");

    backup::restore(&mut relay, &storage.store, storage.pg.as_ref(), &backed_up);
    assert_eq!(assert_no_gap(&laptop), at_backup, "the restore went back");

    add_entry(&laptop, "Laptop after the restore");
    let laptop_out = sync_in_sync(&laptop);
    assert!(
        laptop_out.contains(RECOVERED_LOST),
        "the laptop says what happened: {laptop_out}"
    );
    let phone_out = phone.run(&["sync", "now"]);
    assert!(
        phone_out.contains(RECOVERED_LOST) || phone_out.contains(RECOVERED_BACK),
        "the phone says what happened: {phone_out}"
    );
    assert!(phone_out.contains(IN_SYNC), "{phone_out}");
    assert!(
        phone
            .titles()
            .iter()
            .any(|t| t.contains("Laptop after the restore")),
        "{:?}",
        phone.titles()
    );
    // One more round, and both hold everything, nothing lost by the restore.
    let laptop_again = sync_in_sync(&laptop);
    assert!(!laptop_again.contains(RECOVERED_LOST), "{laptop_again}");
    sync_in_sync(&phone);
    let mut everything = all.clone();
    everything.push("free: Laptop after the restore".into());
    everything.sort();
    assert_eq!(laptop.titles(), everything);
    assert_eq!(phone.titles(), everything);
    assert_no_gap(&laptop);

    let status = laptop.run(&["sync", "status"]);
    assert!(status.contains("Caught up"), "{status}");
    assert!(status.contains("the relay had gone back"), "{status}");
    assert!(status.ends_with("In sync.\n"), "{status}");

    // A device joining now gets the whole journal from the relay.
    let joined = tablet.join(&laptop, &[]);
    assert!(joined.contains(IN_SYNC), "{joined}");
    assert_eq!(tablet.titles(), everything);
}

#[test]
fn a_relay_restored_from_a_backup_is_caught_up_again_on_sqlite() {
    restored_from_backup(Backend::Sqlite);
}

#[test]
fn a_relay_restored_from_a_backup_is_caught_up_again_on_postgres() {
    restored_from_backup(Backend::Postgres);
}

// ---------------------------------------------------------------------------------------
// 3. Devices syncing at the same time.

fn at_the_same_time(backend: Backend) {
    let rounds: usize = std::env::var("ONWARD_SYNC_TRUST_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path());
    let relay = storage.start(dir.path());
    let devices: Vec<Device> = ["laptop", "phone", "tablet"]
        .iter()
        .map(|n| Device::new(dir.path(), n))
        .collect();
    add_entry(&devices[0], "The first entry");
    devices[0].run(&["sync", "init", "--relay", &relay.url()]);
    for d in &devices[1..] {
        d.join(&devices[0], &[]);
    }
    let mut written = 1;
    for round in 0..rounds {
        for (i, d) in devices.iter().enumerate() {
            add_entry(d, &format!("Round {round} on device {i}"));
            written += 1;
        }
        let ran: Vec<Ran> = std::thread::scope(|scope| {
            let syncs: Vec<_> = devices
                .iter()
                .map(|d| scope.spawn(move || d.try_run(&["sync", "now"])))
                .collect();
            syncs.into_iter().map(|s| s.join().unwrap()).collect()
        });
        for (i, r) in ran.iter().enumerate() {
            assert!(
                r.ok,
                "round {round}, device {i}: exit {:?}\n{}\n{}",
                r.code, r.stdout, r.stderr
            );
            assert!(
                !r.stdout.contains("couldn't be opened") && !r.stdout.contains("haven't reached"),
                "round {round}, device {i}: {}",
                r.stdout
            );
        }
    }
    for d in &devices {
        sync_in_sync(d);
    }
    let titles = devices[0].titles();
    assert_eq!(titles.len(), written, "{titles:?}");
    for d in &devices {
        assert_eq!(d.titles(), titles);
        let status = status_json(d);
        assert_eq!(status["in_sync"], true, "{status}");
        assert_eq!(status["refused"], serde_json::json!([]), "{status}");
    }
    assert_no_gap(&devices[0]);
}

#[test]
fn devices_syncing_at_the_same_time_converge_on_sqlite() {
    at_the_same_time(Backend::Sqlite);
}

#[test]
fn devices_syncing_at_the_same_time_converge_on_postgres() {
    at_the_same_time(Backend::Postgres);
}

// ---------------------------------------------------------------------------------------
// 4 and 5. A relay that lies, through a proxy that rewrites its answers.

fn is_pull(method: &str, path: &str) -> bool {
    method == "GET" && path.contains("/batches?")
}

/// `GET /v1/journals/{journal}`: the journal's info.
fn is_info(method: &str, path: &str) -> bool {
    method == "GET"
        && path
            .strip_prefix("/v1/journals/")
            .is_some_and(|rest| !rest.contains('/'))
}

/// Two devices through a proxy in front of a SQLite relay; the phone has pushed two
/// entries the laptop hasn't pulled yet.
fn lying_relay_setup(dir: &Path) -> (RelayProcess, FaultProxy, Device, Device) {
    let relay = Storage::new(Backend::Sqlite, dir).start(dir);
    let proxy = FaultProxy::start(relay.addr());
    let laptop = Device::new(dir, "laptop");
    let phone = Device::new(dir, "phone");
    add_entry(&laptop, "On the laptop");
    laptop.run(&["sync", "init", "--relay", &proxy.url()]);
    phone.join(&laptop, &[]);
    add_entry(&phone, "From the phone, one");
    phone.run(&["sync", "now"]);
    add_entry(&phone, "From the phone, two");
    sync_in_sync(&phone);
    (relay, proxy, laptop, phone)
}

#[test]
fn a_forged_frame_is_refused_and_moves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_relay, proxy, laptop, phone) = lying_relay_setup(dir.path());
    let before = cursor(&laptop);

    // The first pull answer comes back with its first frame numbered 2^40.
    let forged = Arc::new(AtomicBool::new(false));
    let once = forged.clone();
    proxy.set_plan(move |r| {
        if is_pull(r.method, r.path) && !once.swap(true, Ordering::SeqCst) {
            Fault::Rewrite
        } else {
            Fault::None
        }
    });
    proxy.set_rewrite(|_, answer| {
        let frames = split_frames(&answer.body).expect("a frame stream");
        assert!(!frames.is_empty(), "the phone's batches are in the answer");
        answer.body[..8].copy_from_slice(&(1u64 << 40).to_be_bytes());
    });
    let ran = laptop.try_run(&["sync", "now"]);
    assert!(forged.load(Ordering::SeqCst), "the answer was forged");
    assert!(!ran.ok, "{}", ran.stdout);
    assert!(
        ran.stderr.contains("doesn't add up"),
        "says the relay's answer doesn't add up: {}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    assert_eq!(cursor(&laptop), before, "the cursor didn't move");
    assert_eq!(laptop.titles(), vec!["free: On the laptop".to_string()]);

    // Offline, the journal keeps working.
    add_entry(&laptop, "Written after the forgery");
    assert_eq!(laptop.titles().len(), 2);

    // The next, honest, answer brings everything.
    let honest = sync_in_sync(&laptop);
    assert!(honest.contains("received "), "{honest}");
    assert_eq!(laptop.titles().len(), 4, "{:?}", laptop.titles());
    sync_in_sync(&phone);
    assert_eq!(phone.titles(), laptop.titles());
}

#[test]
fn a_relay_that_withholds_another_devices_changes_never_gets_an_in_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (_relay, proxy, laptop, phone) = lying_relay_setup(dir.path());
    let held_at = cursor(&laptop);

    // The relay says the laptop has everything: its latest is the laptop's cursor, and
    // the pull brings no frame.
    proxy.set_plan(|r| {
        if is_pull(r.method, r.path) || is_info(r.method, r.path) {
            Fault::Rewrite
        } else {
            Fault::None
        }
    });
    proxy.set_rewrite(move |r, answer| {
        if !answer.head.starts_with("HTTP/1.1 200") {
            return;
        }
        if is_pull(r.method, r.path) {
            answer.set_header("onward-latest-seq", &held_at.to_string());
            answer.body.clear();
        } else {
            let mut info: Value = serde_json::from_slice(&answer.body).unwrap();
            info["latest_seq"] = held_at.into();
            answer.body = serde_json::to_vec(&info).unwrap();
        }
    });
    for args in [&["sync", "now"][..], &["sync", "status"][..]] {
        let ran = laptop.try_run(args);
        assert_eq!(
            ran.code,
            Some(3),
            "{args:?} needs attention:\n{}\n{}",
            ran.stdout,
            ran.stderr
        );
        assert!(!ran.stdout.contains(IN_SYNC), "{args:?}: {}", ran.stdout);
        assert!(
            ran.stdout.contains("phone (synced ")
                && ran
                    .stdout
                    .contains("had changes that haven't reached this device"),
            "{args:?} names the phone: {}",
            ran.stdout
        );
    }
    assert_eq!(laptop.titles(), vec!["free: On the laptop".to_string()]);

    // Honest again: the changes come, and so does "In sync.".
    proxy.set_plan(|_| Fault::None);
    let honest = laptop.run(&["sync", "now"]);
    assert!(honest.contains(IN_SYNC), "{honest}");
    assert!(!honest.contains("haven't reached"), "{honest}");
    assert_eq!(laptop.titles().len(), 3, "{:?}", laptop.titles());
    sync_in_sync(&phone);
    assert_eq!(phone.titles(), laptop.titles());
}

/// Every device-list read of a sync is answered `304` while the list stays the one the
/// device verified, across `onward` processes; an added device brings it once, whole.
#[test]
fn an_unchanged_device_list_is_not_downloaded_again() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Storage::new(Backend::Sqlite, dir.path()).start(dir.path());
    let proxy = FaultProxy::start(relay.addr());
    let laptop = Device::new(dir.path(), "laptop");
    add_entry(&laptop, "On the laptop");
    laptop.run(&["sync", "init", "--relay", &proxy.url()]);

    // Notes the status line and body size of each device-list answer, changing nothing.
    let answers = Arc::new(Mutex::new(Vec::<(String, usize)>::new()));
    proxy.set_plan(|r| {
        if r.method == "GET" && r.path.ends_with("/members") {
            Fault::Rewrite
        } else {
            Fault::None
        }
    });
    let noted = answers.clone();
    proxy.set_rewrite(move |_, answer| {
        let status = answer.head.lines().next().unwrap_or_default().to_owned();
        noted.lock().unwrap().push((status, answer.body.len()));
    });
    let sync_noting = |d: &Device| {
        answers.lock().unwrap().clear();
        sync_in_sync(d);
        answers.lock().unwrap().clone()
    };
    let not_modified = |seen: &[(String, usize)]| {
        !seen.is_empty()
            && seen
                .iter()
                .all(|(status, len)| status.starts_with("HTTP/1.1 304") && *len == 0)
    };

    for round in 0..2 {
        let seen = sync_noting(&laptop);
        assert!(not_modified(&seen), "round {round}: {seen:?}");
    }
    let phone = Device::new(dir.path(), "phone");
    phone.join(&laptop, &[]);
    let seen = sync_noting(&laptop);
    assert!(
        seen[0].0.starts_with("HTTP/1.1 200") && seen[0].1 > 0,
        "the list with the phone: {seen:?}"
    );
    // A round reads the list once, or again after a change of its own: never in full twice.
    assert!(
        seen[1..].is_empty() || not_modified(&seen[1..]),
        "then kept: {seen:?}"
    );
    let next = sync_noting(&laptop);
    assert!(not_modified(&next), "the round after: {next:?}");
}

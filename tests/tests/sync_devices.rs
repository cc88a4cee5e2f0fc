//! Devices with their own keys, with real processes on 127.0.0.1: the `onward` binary
//! on each device and the `onward-relay` binary over SQLite and PostgreSQL. What a
//! person would notice is checked (the words printed, the exit status, the records on
//! each device), and what an attacker would try is tried:
//!
//! - an invitation joins one device, once, and not after it expires;
//! - a removed device is refused on its next sync, can't push or pull, and can't open
//!   the snapshot made after its removal, while the others carry on under the new key
//!   without pairing again;
//! - a device's credential alone can't delete the journal or replace a snapshot;
//! - a recovery kit brings everything back onto an empty device;
//! - the relay's copy, deleted by the last device, comes back with that device within
//!   the relay's grace period, and after it is refused in words that say so;
//! - an invitation's QR code reads back as its code;
//! - no private key, content key or recovery kit is in a journal file, its WAL (also
//!   while the journal is held open), or the relay's storage.

mod sync_support;

use onward_core::sync::envelope::{self, Sealed};
use onward_core::sync::pairing::{self, CodeKind};
use onward_core::sync::relay::{Connect, Relay};
use onward_core::sync::{self as core_sync, progress, HttpRelays, SyncRuntime};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use sync_support::postgres::PgServer;
use sync_support::relay_process::{RelayProcess, Store};
use sync_support::{assert_nowhere, files_under, stored_keys, Device};

const IN_SYNC: &str = "In sync.";

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A relay process and, for PostgreSQL, its server (both stopped on drop).
struct Setup {
    relay: RelayProcess,
    pg: Option<PgServer>,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(backend: Backend) -> Setup {
        Setup::with_relay_args(backend, &[])
    }

    /// A relay started with `args` (such as `--delete-grace-seconds 1`).
    fn with_relay_args(backend: Backend, args: &[&str]) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let (store, pg) = match backend {
            Backend::Sqlite => (Store::Sqlite(dir.path().join("relay.db")), None),
            Backend::Postgres => {
                let pg = PgServer::start();
                (Store::Postgres(pg.url()), Some(pg))
            }
        };
        let relay = RelayProcess::start_with(store, &dir.path().join("relay.log"), &[], args);
        Setup { relay, pg, dir }
    }

    fn device(&self, name: &str) -> Device {
        Device::new(self.dir.path(), name)
    }

    /// The first device, with sync on.
    fn founder(&self, name: &str) -> Device {
        let d = self.device(name);
        d.run(&[
            "entry",
            "add",
            "--kind",
            "free",
            "--text",
            &format!("written on {name}"),
        ]);
        d.run(&["sync", "init", "--relay", &self.relay.url()]);
        d
    }

    /// The relay's storage files (SQLite and its WAL, or PostgreSQL's data directory).
    fn relay_files(&self) -> Vec<PathBuf> {
        match &self.pg {
            Some(pg) => {
                pg.psql("CHECKPOINT");
                files_under(pg.data_dir())
            }
            None => files_under(self.dir.path())
                .into_iter()
                .filter(|p| p.to_string_lossy().contains("relay.db"))
                .collect(),
        }
    }
}

fn invitation(d: &Device) -> String {
    d.json(&["sync", "invite", "--no-qr"])["code"]
        .as_str()
        .unwrap()
        .to_string()
}

fn join(d: &Device, code: &str) -> String {
    d.run(&["sync", "join", code, "--yes"])
}

fn add_entry(d: &Device, text: &str) {
    d.run(&["entry", "add", "--kind", "free", "--text", text]);
}

fn sync_in_sync(d: &Device) -> String {
    let out = d.run(&["sync", "now"]);
    assert!(out.contains(IN_SYNC), "{}: {out}", d.journal.display());
    out
}

/// Every secret of a device as bytes: its private keys and credential, and each epoch
/// key, read from its key file.
fn secrets_of(d: &Device) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    for path in files_under(&d.keys_dir()) {
        found.extend(stored_keys(&std::fs::read(&path).unwrap()));
    }
    assert!(found.len() >= 4, "no key file for {}", d.journal.display());
    found
}

/// A recovery kit's secrets: the kit as printed and the secret it encodes.
fn kit_secrets(kit: &str) -> Vec<Vec<u8>> {
    let secret = pairing::decode(CodeKind::RecoveryKit, kit).unwrap().secret;
    assert_eq!(secret.len(), 32, "{kit}");
    vec![kit.as_bytes().to_vec(), secret]
}

/// Milliseconds since 1970 of a time in `onward --json` output.
fn millis(value: &serde_json::Value) -> i64 {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"));
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .timestamp_millis()
}

/// Every device `d` lists joined after `since_ms` (milliseconds since 1970) and was
/// heard from after it joined, and neither is in the future.
fn assert_joined_then_heard(d: &Device, since_ms: i64) {
    let listed = d.json(&["devices"])["devices"].as_array().unwrap().clone();
    let now_ms = chrono::Utc::now().timestamp_millis();
    for device in &listed {
        let joined = millis(&device["joined_at"]);
        let heard = millis(&device["last_heard"]);
        assert!(
            since_ms <= joined && joined <= heard && heard <= now_ms,
            "{device} (since {since_ms}, now {now_ms})"
        );
    }
}

/// The QR code at the start of `printed` (block characters, two rows of modules a
/// line, drawn light on dark as the CLI draws it), decoded.
fn read_qr(printed: &str) -> String {
    let rows: Vec<Vec<char>> = printed
        .lines()
        .take_while(|l| !l.is_empty() && l.chars().all(|c| " ▀▄█".contains(c)))
        .map(|l| l.chars().collect())
        .collect();
    assert!(rows.len() > 10, "no QR code in:\n{printed}");
    let light = |x: usize, y: usize| -> u8 {
        match (rows[y / 2][x], y % 2) {
            ('█', _) | ('▀', 0) | ('▄', 1) => 255,
            _ => 0,
        }
    };
    // A few pixels a module, as a camera sees it.
    const SCALE: usize = 4;
    let (width, height) = (rows[0].len(), rows.len() * 2);
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width * SCALE, height * SCALE, |x, y| {
            light(x / SCALE, y / SCALE)
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in:\n{printed}");
    grids[0].decode().unwrap().1
}

fn relay_for(url: &str) -> Arc<dyn Relay> {
    HttpRelays::default().relay(url).unwrap()
}

fn invitations_work_once_and_expire(backend: Backend) {
    let since_ms = chrono::Utc::now().timestamp_millis();
    let s = Setup::new(backend);
    let laptop = s.founder("laptop");
    let code = invitation(&laptop);
    assert!(code.starts_with("ONWARD2-"), "{code}");

    // Without --yes and without a terminal, joining asks and changes nothing.
    let phone = s.device("phone");
    let refused = phone.fail(&["sync", "join", &code]);
    assert!(refused.contains("--yes"), "{refused}");
    assert!(phone
        .try_run(&["--json", "sync", "status"])
        .stderr
        .contains("isn't set up"));

    let joined = join(&phone, &code);
    assert!(joined.contains(IN_SYNC), "{joined}");
    assert_eq!(phone.titles(), laptop.titles());

    let tablet = s.device("tablet");
    let again = tablet.fail(&["sync", "join", &code, "--yes"]);
    assert!(again.contains("already used or has expired"), "{again}");

    let short = laptop.json(&["sync", "invite", "--no-qr", "--expires", "2s"])["code"]
        .as_str()
        .unwrap()
        .to_string();
    std::thread::sleep(Duration::from_millis(3500));
    let expired = tablet.fail(&["sync", "join", &short, "--yes"]);
    assert!(expired.contains("already used or has expired"), "{expired}");
    // Nothing changed on the tablet: it still doesn't sync, and it has no key folder.
    assert!(!tablet.keys_dir().exists());

    // The laptop hears from the phone on its next sync.
    sync_in_sync(&laptop);
    let listed = laptop.json(&["devices"])["devices"]
        .as_array()
        .unwrap()
        .clone();
    let names: Vec<&str> = listed.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["laptop", "phone"]);
    assert_joined_then_heard(&laptop, since_ms);
}

fn a_removed_device_is_shut_out_and_the_others_carry_on(backend: Backend) {
    let s = Setup::new(backend);
    let laptop = s.founder("laptop");
    let (phone, lost) = (s.device("phone"), s.device("lost"));
    for d in [&phone, &lost] {
        add_entry(d, &format!("written on {}", d.journal.display()));
        join(d, &invitation(&laptop));
    }
    for d in [&laptop, &phone, &lost] {
        sync_in_sync(d);
    }
    let lost_keys = lost.keys();

    let removed = laptop.run(&["devices", "remove", "lost"]);
    assert!(removed.contains("Removed lost"), "{removed}");

    // The lost device is told, plainly, and can't pull or push any more.
    add_entry(&lost, "written after the removal");
    let told = lost.fail(&["sync", "now"]);
    assert!(told.contains("was removed"), "{told}");
    let relay = relay_for(&s.relay.url());
    let pulled = sync_support::on_runtime(relay.batches(&lost_keys, 0, 10, Duration::ZERO));
    assert!(
        matches!(pulled, Err(onward_core::Error::DeviceRemoved)),
        "a removed device's pull: {pulled:?}"
    );
    let forged = envelope::seal(&lost_keys, Sealed::Batch, &"ab".repeat(16), b"late").unwrap();
    let pushed = sync_support::on_runtime(relay.put_batch(&lost_keys, &"ab".repeat(16), forged));
    assert!(
        matches!(pushed, Err(onward_core::Error::DeviceRemoved)),
        "a removed device's push: {pushed:?}"
    );

    // The snapshot sealed after the removal doesn't open with the keys it had.
    let laptop_keys = laptop.keys();
    let info = sync_support::on_runtime(relay.info(&laptop_keys)).unwrap();
    assert_eq!(info.epoch, 1);
    let snapshot = info.snapshot.expect("a fresh snapshot after the removal");
    let mut sealed = Vec::new();
    for index in 0..snapshot.parts {
        sealed.extend(
            sync_support::on_runtime(relay.snapshot_part(
                &laptop_keys,
                &snapshot.id,
                index,
                2 << 20,
            ))
            .unwrap(),
        );
    }
    let err = envelope::open(&lost_keys, Sealed::Snapshot, &snapshot.id, &sealed).unwrap_err();
    assert!(err.to_string().contains("epoch 1"), "{err}");
    assert!(envelope::open(&laptop_keys, Sealed::Snapshot, &snapshot.id, &sealed).is_ok());

    // The phone moves to the new key on its next sync, without pairing again.
    add_entry(&phone, "written by the phone after the removal");
    sync_in_sync(&phone);
    sync_in_sync(&laptop);
    assert_eq!(laptop.titles(), phone.titles());
    assert!(laptop
        .titles()
        .iter()
        .any(|t| t.contains("by the phone after")));
    assert!(!laptop
        .titles()
        .iter()
        .any(|t| t.contains("after the removal") && !t.contains("phone")));
    let names: Vec<String> = laptop.json(&["devices"])["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["laptop", "phone"]);

    // The phone can leave by itself; the laptop, left alone, carries on.
    phone.run(&["sync", "off", "--leave"]);
    add_entry(&laptop, "alone now");
    sync_in_sync(&laptop);
}

fn a_credential_alone_deletes_nothing_and_a_snapshot_never_changes(backend: Backend) {
    let s = Setup::new(backend);
    let laptop = s.founder("laptop");
    join(&s.device("phone"), &invitation(&laptop));
    add_entry(&laptop, "an entry to keep");
    sync_in_sync(&laptop);
    laptop.run(&["devices", "remove", "phone"]);
    let keys = laptop.keys();
    let relay = relay_for(&s.relay.url());
    let info = sync_support::on_runtime(relay.info(&keys)).unwrap();
    let snapshot = info.snapshot.clone().expect("a snapshot after the removal");

    let journal_url = format!("{}/v1/journals/{}", s.relay.url(), keys.journal_id());
    let bearer = format!("Bearer {}", keys.credential());
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[5; 32]);
    let message =
        onward_protocol::members::request_message("delete", keys.journal_id(), &info.incarnation);
    let forged = {
        use ed25519_dalek::Signer;
        hex::encode(stranger.sign(&message).to_bytes())
    };
    let part_url = format!(
        "{journal_url}/snapshots/{}/parts/0?parts={}&covers={}",
        snapshot.id, snapshot.parts, snapshot.covers
    );
    let (no_sig, bad_sig, part) = sync_support::on_runtime(async {
        let http = reqwest::Client::new();
        // No signature, then a signature by a key that isn't a member's.
        let no_sig = http
            .delete(&journal_url)
            .header("authorization", &bearer)
            .send()
            .await;
        let bad_sig = http
            .delete(&journal_url)
            .header("authorization", &bearer)
            .header("onward-signature", &forged)
            .send()
            .await;
        // A part of the complete snapshot sent again: a one-byte "snapshot" can't
        // replace it.
        let part = http
            .put(&part_url)
            .header("authorization", &bearer)
            .body(vec![0u8])
            .send()
            .await;
        (
            no_sig.unwrap().status(),
            bad_sig.unwrap().status(),
            part.unwrap().status(),
        )
    });
    assert_eq!(no_sig, 403);
    assert_eq!(bad_sig, 403);
    assert_eq!(part, 409);
    assert_eq!(
        sync_support::on_runtime(relay.info(&keys))
            .unwrap()
            .snapshot,
        Some(snapshot)
    );

    // The device itself can: the last device deletes the relay's copy, on purpose.
    let out = laptop.run(&["sync", "off", "--delete-relay-copy"]);
    assert!(out.contains("deleted"), "{out}");
    let gone = sync_support::on_runtime(relay.info(&keys));
    assert!(
        gone.is_err(),
        "the journal is still served after its deletion"
    );
    assert!(laptop
        .titles()
        .iter()
        .any(|t| t.contains("an entry to keep")));
}

fn a_recovery_kit_brings_everything_back(backend: Backend) {
    let s = Setup::new(backend);
    let laptop = s.founder("laptop");
    let phone = s.device("phone");
    add_entry(&phone, "a note from the phone");
    join(&phone, &invitation(&laptop));
    sync_in_sync(&laptop);
    let kit_out = laptop.run(&["sync", "recovery-kit"]);
    assert!(kit_out.contains("house key"), "{kit_out}");
    let kit = laptop.json(&["sync", "recovery-kit"])["recovery_kit"]
        .as_str()
        .unwrap()
        .to_string();
    // The second kit retired the first: the list holds one, and the journal moved on.
    let kits = laptop.json(&["devices"])["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["recovery_kit"] == true)
        .count();
    assert_eq!(kits, 1);
    add_entry(&laptop, "the last thing written before the loss");
    sync_in_sync(&laptop);
    let want = laptop.titles();

    // Every device is gone.
    for d in [&laptop, &phone] {
        std::fs::remove_file(&d.journal).unwrap();
        std::fs::remove_dir_all(d.keys_dir()).unwrap();
    }
    let fresh = s.device("new-laptop");
    let back = fresh.run(&["sync", "recover", &kit]);
    assert!(back.contains("Welcome back"), "{back}");
    assert_eq!(fresh.titles(), want);
    let names: Vec<String> = fresh.json(&["devices"])["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"new-laptop".to_string()), "{names:?}");
}

fn no_secret_in_a_journal_file_or_on_the_relay(backend: Backend) {
    let s = Setup::new(backend);
    let laptop = s.founder("laptop");
    let phone = s.device("phone");
    join(&phone, &invitation(&laptop));
    add_entry(&phone, "something private");
    sync_in_sync(&phone);
    sync_in_sync(&laptop);
    let kit = laptop.json(&["sync", "recovery-kit"])["recovery_kit"]
        .as_str()
        .unwrap()
        .to_string();
    let mut secrets = secrets_of(&laptop);
    secrets.extend(secrets_of(&phone));
    secrets.extend(kit_secrets(&kit));
    let mut files = laptop.journal_files();
    files.extend(phone.journal_files());
    files.extend(s.relay_files());
    assert_nowhere(&secrets, &files);
    #[cfg(unix)]
    for d in [&laptop, &phone] {
        use std::os::unix::fs::PermissionsExt;
        for key in files_under(&d.keys_dir()) {
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{} is readable by others", key.display());
        }
    }
}

fn no_secret_in_an_open_journal_or_its_wal(backend: Backend) {
    let s = Setup::new(backend);
    let laptop = s.founder("laptop");
    join(&s.device("phone"), &invitation(&laptop));
    // Written, synced and a recovery kit made with the journal held open: SQLite keeps
    // what was written in the -wal until the last connection closes.
    let journal = Mutex::new(laptop.open());
    let rt = SyncRuntime::new().unwrap();
    {
        let mut j = journal.lock().unwrap();
        let now = j.now();
        j.add_entry(onward_core::model::Entry::new(
            onward_core::model::EntryKind::Free,
            "written while the journal is held open".to_string(),
            now,
        ))
        .unwrap();
    }
    let report = rt
        .block_on(core_sync::sync_now(
            &journal,
            rt.relays(),
            &progress::ignore,
        ))
        .unwrap();
    assert!(report.pushed.changes > 0, "nothing was pushed");
    let kit = rt
        .block_on(core_sync::recovery_kit(&journal, rt.relays()))
        .unwrap();
    let mut secrets = secrets_of(&laptop);
    secrets.extend(kit_secrets(&kit));
    let files = laptop.journal_files();
    let wal = files
        .iter()
        .find(|p| p.to_string_lossy().ends_with("-wal"))
        .expect("a -wal while the journal is open");
    assert!(std::fs::metadata(wal).unwrap().len() > 0, "an empty -wal");
    assert_nowhere(&secrets, &files);
    drop(journal);
}

fn a_deleted_relay_copy_comes_back_within_its_grace(backend: Backend) {
    let s = Setup::new(backend);
    let laptop = s.founder("laptop");
    add_entry(&laptop, "written before the deletion");
    sync_in_sync(&laptop);
    let keys = laptop.keys();
    let relay = relay_for(&s.relay.url());

    let out = laptop.run(&["sync", "off", "--delete-relay-copy"]);
    assert!(out.contains("onward sync restore-relay-copy"), "{out}");
    let deleted = sync_support::on_runtime(relay.info(&keys));
    assert!(
        matches!(deleted, Err(onward_core::Error::JournalDeleted)),
        "{deleted:?}"
    );
    // Sync is off; the keys that sign the restore wait in the key folder.
    assert!(laptop.fail(&["sync", "now"]).contains("isn't set up"));
    assert_eq!(laptop.key_files().len(), 1);
    add_entry(&laptop, "written while sync was off");

    let back = laptop.run(&["sync", "restore-relay-copy"]);
    assert!(back.contains("Welcome back"), "{back}");
    assert!(back.contains(IN_SYNC), "{back}");
    assert_eq!(laptop.keys().device_id(), keys.device_id());
    sync_support::on_runtime(relay.info(&keys)).unwrap();

    // A new device gets everything: what was written before the deletion and since.
    let phone = s.device("phone");
    join(&phone, &invitation(&laptop));
    assert_eq!(phone.titles(), laptop.titles());
    for wanted in ["before the deletion", "while sync was off"] {
        assert!(
            phone.titles().iter().any(|t| t.contains(wanted)),
            "{wanted}"
        );
    }
}

fn a_deleted_relay_copy_is_refused_after_its_grace(backend: Backend) {
    let s = Setup::with_relay_args(backend, &["--delete-grace-seconds", "1"]);
    let laptop = s.founder("laptop");
    laptop.run(&["sync", "off", "--delete-relay-copy"]);
    std::thread::sleep(Duration::from_millis(1500));
    let refused = laptop.fail(&["sync", "restore-relay-copy"]);
    assert!(
        refused.contains("dropped its copy of this journal for good"),
        "{refused}"
    );
    // The keys kept for the restore are forgotten with it; the journal stays.
    assert!(files_under(&laptop.keys_dir()).is_empty());
    let nothing = laptop.fail(&["sync", "restore-relay-copy"]);
    assert!(nothing.contains("no deleted relay copy"), "{nothing}");
    assert!(laptop
        .titles()
        .iter()
        .any(|t| t.contains("written on laptop")));
}

#[test]
fn an_invitation_qr_code_reads_back_as_its_code() {
    let s = Setup::new(Backend::Sqlite);
    let laptop = s.founder("laptop");
    let printed = laptop.run(&["sync", "invite"]);
    let code = printed
        .split_whitespace()
        .find(|w| w.starts_with("ONWARD2-"))
        .unwrap_or_else(|| panic!("no code in:\n{printed}"));
    assert_eq!(read_qr(&printed), code);
    // What the QR code says joins.
    let joined = join(&s.device("phone"), &read_qr(&printed));
    assert!(joined.contains(IN_SYNC), "{joined}");
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(super::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name(super::Backend::Postgres) })*
        }
    };
}

on_both_backends!(
    invitations_work_once_and_expire,
    a_removed_device_is_shut_out_and_the_others_carry_on,
    a_credential_alone_deletes_nothing_and_a_snapshot_never_changes,
    a_recovery_kit_brings_everything_back,
    no_secret_in_a_journal_file_or_on_the_relay,
    no_secret_in_an_open_journal_or_its_wal,
    a_deleted_relay_copy_comes_back_within_its_grace,
    a_deleted_relay_copy_is_refused_after_its_grace,
);

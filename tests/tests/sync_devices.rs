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
//! - no private key or content key is in a journal file, its WAL, or the relay's storage.

mod sync_support;

use onward_core::sync::envelope::{self, Sealed};
use onward_core::sync::relay::{Connect, Relay};
use onward_core::sync::{HttpRelays, KeyFile};
use onward_core::Journal;
use std::path::PathBuf;
use std::sync::Arc;
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
        let dir = tempfile::tempdir().unwrap();
        let (store, pg) = match backend {
            Backend::Sqlite => (Store::Sqlite(dir.path().join("relay.db")), None),
            Backend::Postgres => {
                let pg = PgServer::start();
                (Store::Postgres(pg.url()), Some(pg))
            }
        };
        let relay = RelayProcess::start(store, &dir.path().join("relay.log"));
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

/// A journal handle on a device's file with its key file, as the CLI opens it.
fn open_keys(d: &Device) -> onward_core::sync::Keys {
    let mut j = Journal::open(&d.journal).unwrap();
    j.set_secret_store(Arc::new(key_file(d)));
    j.sync_keys().unwrap()
}

fn key_file(d: &Device) -> KeyFile {
    let mut name = d.journal.file_name().unwrap().to_os_string();
    name.push("-keys");
    KeyFile::new(d.journal.with_file_name(name))
}

/// Every secret of a device as bytes: its private keys and credential, and each epoch
/// key, read from its key file.
fn secrets_of(d: &Device) -> Vec<Vec<u8>> {
    let dir = key_file(d).dir().to_path_buf();
    let mut found = Vec::new();
    for path in files_under(&dir) {
        found.extend(stored_keys(&std::fs::read(&path).unwrap()));
    }
    assert!(found.len() >= 4, "no key file for {}", d.journal.display());
    found
}

fn relay_for(url: &str) -> Arc<dyn Relay> {
    HttpRelays::default().relay(url).unwrap()
}

fn invitations_work_once_and_expire(backend: Backend) {
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
    assert!(!key_file(&tablet).dir().exists());

    let listed = laptop.json(&["devices"])["devices"]
        .as_array()
        .unwrap()
        .clone();
    let names: Vec<&str> = listed.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["laptop", "phone"]);
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
    let lost_keys = open_keys(&lost);

    let removed = laptop.run(&["devices", "remove", "lost"]);
    assert!(removed.contains("Removed lost"), "{removed}");

    // The lost device is told, plainly, and can't pull or push any more.
    add_entry(&lost, "written after the removal");
    let told = lost.fail(&["sync", "now"]);
    assert!(told.contains("was removed"), "{told}");
    let relay = relay_for(&s.relay.url());
    let pulled = sync_support::on_runtime(relay.batches(&lost_keys, 0, 10, Duration::ZERO));
    assert!(pulled.is_err(), "a removed device pulled");
    let forged = envelope::seal(&lost_keys, Sealed::Batch, &"ab".repeat(16), b"late").unwrap();
    let pushed = sync_support::on_runtime(relay.put_batch(&lost_keys, &"ab".repeat(16), forged));
    assert!(pushed.is_err(), "a removed device pushed");

    // The snapshot sealed after the removal doesn't open with the keys it had.
    let laptop_keys = open_keys(&laptop);
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
    let keys = open_keys(&laptop);
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
        std::fs::remove_dir_all(key_file(d).dir()).unwrap();
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
    laptop.run(&["sync", "recovery-kit"]);
    let mut secrets = secrets_of(&laptop);
    secrets.extend(secrets_of(&phone));
    let mut files = laptop.journal_files();
    files.extend(phone.journal_files());
    files.extend(s.relay_files());
    assert_nowhere(&secrets, &files);
    #[cfg(unix)]
    for d in [&laptop, &phone] {
        use std::os::unix::fs::PermissionsExt;
        for key in files_under(key_file(d).dir()) {
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{} is readable by others", key.display());
        }
    }
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
);

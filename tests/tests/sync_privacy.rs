//! What the relay keeps is unreadable: entries carrying a marker in their text, company
//! names and tags are synced between two devices (the second joined by invitation), a
//! snapshot of the whole journal is uploaded and more batches follow it, then every byte
//! the relay stored (the SQLite file with its -wal and -shm; for PostgreSQL a pg_dump of
//! the database and every file under the server's data directory, its write-ahead log
//! included) and everything the relay logged is searched for the marker, the key
//! material (each device's private signing and box keys and relay credential and every
//! epoch key, as read from its key file, and the content and batch-id keys derived from
//! each epoch key; raw and hex), the journal's file name and the devices' names. The
//! devices' journal files and their -wal hold none of the key material either (keys live
//! in the key file beside the journal, mode 0600). A credential that is no member's gets a
//! 401 that says nothing, and neither stores nor reveals anything.

mod sync_support;

use hkdf::Hkdf;
use onward_core::sync::relay::Connect;
use onward_core::sync::HttpRelays;
use serde_json::Value;
use sha2::Sha256;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;
use sync_support::postgres::PgServer;
use sync_support::relay_process::{RelayProcess, Store};
use sync_support::Device;

const MARKER: &str = "ZQXMARKER7731";
/// The journal's file stem: a name the person chose, which the relay must never see.
const JOURNAL_NAME: &str = "secret-search-journal";
/// The phone's device name, which goes into its sealed device record only.
const PHONE_NAME: &str = "Kestrel handset 4417";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len() == 64, "a 32-byte key as hex: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// A device's secret keys as its key file holds them (what, bytes): its signing key, box
/// key and relay credential, every epoch key it has, and the content and batch-id keys
/// derived from each epoch key as docs/SYNC.md says (independently of the core, whose
/// derived keys are private). The key file is readable by its owner only.
fn key_material(device: &Device) -> Vec<(String, Vec<u8>)> {
    let files = device.key_files();
    assert_eq!(files.len(), 1, "one key file: {files:?}");
    let (path, bytes) = &files[0];
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", path.display());
    }
    let stored: Value = serde_json::from_slice(bytes).unwrap();
    let name = device
        .journal
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut out = Vec::new();
    for part in ["sign", "boxing", "credential"] {
        let key = stored["member"][part]
            .as_str()
            .unwrap_or_else(|| panic!("{stored}"));
        out.push((format!("{name}'s {part} key"), unhex(key)));
    }
    let epochs = stored["epochs"].as_array().unwrap();
    assert!(!epochs.is_empty(), "{name} has an epoch key");
    for pair in epochs {
        let epoch = pair[0].as_u64().unwrap();
        let key = unhex(pair[1].as_str().unwrap());
        let hk = Hkdf::<Sha256>::new(Some(b"onward-sync-v2"), &key);
        for info in ["content-key", "batch-id", "chain"] {
            let mut derived = [0u8; 32];
            hk.expand(info.as_bytes(), &mut derived).unwrap();
            out.push((format!("{name}'s epoch {epoch} {info}"), derived.to_vec()));
        }
        out.push((format!("{name}'s epoch {epoch} key"), key));
    }
    // The credential matches what the core sends.
    let keys = device.keys();
    assert_eq!(
        stored["member"]["credential"].as_str().unwrap(),
        keys.credential(),
        "the key file holds the credential the core uses"
    );
    out
}

/// Key material, raw and hex.
fn with_hex(material: Vec<(String, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (what, bytes) in material {
        out.push((format!("{what} (hex)"), hex(&bytes).into_bytes()));
        out.push((format!("{what} (raw)"), bytes));
    }
    out
}

/// Every secret the relay must not hold, as (what, bytes): raw and hex forms.
fn needles(devices: &[Device]) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(format!("the marker {MARKER}"), MARKER.as_bytes().to_vec())];
    for device in devices {
        out.extend(with_hex(key_material(device)));
    }
    // The laptop's device name is its machine's name, the journal's name (see Device).
    out.push((
        "the journal's name".to_string(),
        JOURNAL_NAME.as_bytes().to_vec(),
    ));
    out.push((
        "the phone's device name".to_string(),
        PHONE_NAME.as_bytes().to_vec(),
    ));
    // A bytea column in a plain pg_dump is hex text: look for each needle that way too.
    let hexed: Vec<(String, Vec<u8>)> = out
        .iter()
        .map(|(what, bytes)| (format!("{what} as bytea hex"), hex(bytes).into_bytes()))
        .collect();
    out.extend(hexed);
    out
}

/// The devices' journal files (and their -wal) hold no key material: keys live in the
/// key file beside them.
fn scan_journals(devices: &[Device]) {
    let mut keys = Vec::new();
    for device in devices {
        keys.extend(with_hex(key_material(device)));
    }
    let mut scanned = 0;
    for device in devices {
        for suffix in ["", "-wal"] {
            let path = format!("{}{suffix}", device.journal.display());
            if let Ok(bytes) = std::fs::read(&path) {
                if !bytes.is_empty() {
                    assert_holds_none(&path, &bytes, &keys);
                }
                scanned += bytes.len();
            }
        }
    }
    assert!(scanned > 0, "the journal files were scanned");
}

fn assert_holds_none(what: &str, stored: &[u8], needles: &[(String, Vec<u8>)]) {
    assert!(!stored.is_empty(), "{what} holds something to scan");
    for (needle, bytes) in needles {
        assert!(
            memchr::memmem::find(stored, bytes).is_none(),
            "{what} holds {needle}"
        );
    }
}

/// Two devices sync entries full of the marker through `relay`; returns them.
fn sync_marked_entries(relay: &RelayProcess, dir: &Path) -> [Device; 2] {
    let url = format!("http://{}", relay.addr());
    let laptop = Device::new(dir, JOURNAL_NAME);
    let phone = Device::new(dir, "phone");
    laptop.run(&[
        "entry",
        "add",
        "--kind",
        "free",
        "--text",
        &format!("Talked to {MARKER} about the role"),
    ]);
    laptop.run(&[
        "application",
        "add",
        "--company",
        &format!("{MARKER} Corp"),
        "--role",
        "Engineer",
        "--tag",
        &format!("{MARKER}-tag"),
    ]);
    laptop.run(&["sync", "init", "--relay", &url]);
    phone.join(&laptop, &["--name", PHONE_NAME]);
    phone.run(&[
        "entry",
        "add",
        "--kind",
        "free",
        "--text",
        &format!("From the phone: {MARKER} again"),
    ]);
    phone.run(&["sync", "now"]);
    laptop.run(&["sync", "now"]);
    let titles = laptop.titles();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(
        titles.iter().any(|t| t.contains("From the phone")),
        "{titles:?}"
    );
    // The whole journal as a snapshot (the laptop is caught up), then a batch after it.
    let journal = Mutex::new(laptop.open());
    let uploaded = sync_support::on_runtime(onward_core::sync::upload_snapshot(
        &journal,
        &HttpRelays::default(),
        &onward_core::sync::progress::ignore,
    ))
    .unwrap()
    .expect("a snapshot is uploaded");
    drop(journal);
    let keys = laptop.keys();
    let info =
        sync_support::on_runtime(HttpRelays::default().relay(&url).unwrap().info(&keys)).unwrap();
    let snapshot = info.snapshot.expect("the relay holds the snapshot");
    assert_eq!(snapshot.id, uploaded.snapshot_id);
    assert!(snapshot.parts >= 1 && snapshot.bytes > 0, "{snapshot:?}");
    phone.run(&[
        "entry",
        "add",
        "--kind",
        "free",
        "--text",
        &format!("After the snapshot: {MARKER} once more"),
    ]);
    phone.run(&["sync", "now"]);
    assert!(laptop.run(&["sync", "now"]).contains("In sync."));
    assert_eq!(laptop.titles().len(), 4);
    [laptop, phone]
}

/// Everything the relay process printed (its log) holds none of the secrets either.
fn scan_log(log: &Path, needles: &[(String, Vec<u8>)]) {
    let bytes = std::fs::read(log).unwrap();
    assert_holds_none("the relay's log", &bytes, needles);
}

/// Asks `relay` about the journal of device `d` with a credential that is no member's.
fn intrude(relay: SocketAddr, d: &Device) {
    let journal = d.keys();
    let stranger = hex(&[0x5a; 32]);
    for (method, path, body) in [
        ("GET", format!("/v1/journals/{}", journal.journal_id()), ""),
        (
            "GET",
            format!("/v1/journals/{}/batches?after=0", journal.journal_id()),
            "",
        ),
        (
            "PUT",
            format!(
                "/v1/journals/{}/batches/{}",
                journal.journal_id(),
                "ab".repeat(16)
            ),
            "\x01evil",
        ),
    ] {
        let mut conn = TcpStream::connect_timeout(&relay, Duration::from_secs(10)).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            conn,
            "{method} {path} HTTP/1.1\r\nhost: {relay}\r\nauthorization: Bearer {}\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            stranger,
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 401"),
            "{method} {path}: {answer}"
        );
        assert!(answer.contains("unauthorized"), "{answer}");
        for revealing in ["latest_seq", "bytes_used", journal.journal_id()] {
            assert!(
                !answer.contains(revealing),
                "the 401 reveals {revealing}: {answer}"
            );
        }
    }
}

/// The journal as the relay answers a member: status and every frame after its snapshot.
fn owner_view(relay: SocketAddr, d: &Device) -> String {
    let keys = d.keys();
    let info = sync_support::on_runtime(
        HttpRelays::default()
            .relay(&format!("http://{relay}"))
            .unwrap()
            .info(&keys),
    )
    .unwrap();
    let mut seen = String::new();
    for path in [
        format!("/v1/journals/{}", keys.journal_id()),
        format!(
            "/v1/journals/{}/batches?after={}",
            keys.journal_id(),
            info.pruned_through
        ),
    ] {
        let mut conn = TcpStream::connect_timeout(&relay, Duration::from_secs(10)).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            conn,
            "GET {path} HTTP/1.1\r\nhost: {relay}\r\nauthorization: Bearer {}\r\nconnection: close\r\n\r\n",
            keys.credential()
        )
        .unwrap();
        let mut answer = Vec::new();
        conn.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer).into_owned();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        // Drop the Date header, which moves with time.
        seen.extend(
            answer
                .lines()
                .filter(|l| !l.to_ascii_lowercase().starts_with("date:"))
                .map(|l| format!("{l}\n")),
        );
    }
    seen
}

fn check_intruder_changes_nothing(relay: &RelayProcess, d: &Device) {
    let before = owner_view(relay.addr(), d);
    intrude(relay.addr(), d);
    assert_eq!(
        owner_view(relay.addr(), d),
        before,
        "nothing stored or removed"
    );
}

#[test]
fn the_sqlite_relay_stores_nothing_readable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let log = dir.path().join("relay.log");
    let mut relay = RelayProcess::start(Store::Sqlite(db.clone()), &log);
    let devices = sync_marked_entries(&relay, dir.path());
    check_intruder_changes_nothing(&relay, &devices[0]);
    scan_journals(&devices);
    // Killed, so whatever sits in the -wal and -shm files stays there to be scanned.
    relay.kill();
    let stored = rusqlite::Connection::open(&db).unwrap();
    let count = |table: &str| -> i64 {
        stored
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    assert!(count("snapshot_parts") >= 1, "a snapshot part is stored");
    assert!(count("batches") >= 1, "batches after it are stored");
    assert!(count("devices") >= 2, "both devices' records are stored");
    drop(stored);
    let needles = needles(&devices);
    scan_log(&log, &needles);
    let mut scanned = 0;
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", db.display());
        if let Ok(bytes) = std::fs::read(&path) {
            assert_holds_none(&path, &bytes, &needles);
            scanned += bytes.len();
        }
    }
    eprintln!(
        "scanned {scanned} bytes of the SQLite relay for {} needles",
        needles.len()
    );
}

#[test]
fn the_postgres_relay_stores_nothing_readable() {
    let dir = tempfile::tempdir().unwrap();
    let pg = PgServer::start();
    let log = dir.path().join("relay.log");
    let mut relay = RelayProcess::start(Store::Postgres(pg.url()), &log);
    let devices = sync_marked_entries(&relay, dir.path());
    check_intruder_changes_nothing(&relay, &devices[0]);
    scan_journals(&devices);
    relay.kill();
    for table in ["snapshot_parts", "batches"] {
        let rows: u64 = pg
            .psql(&format!("SELECT count(*) FROM {table}"))
            .parse()
            .unwrap();
        assert!(rows >= 1, "{table} holds something");
    }
    let pg_dump = std::fs::read_dir("/usr/lib/postgresql")
        .unwrap()
        .flatten()
        .map(|v| v.path().join("bin/pg_dump"))
        .filter(|p| p.is_file())
        .max()
        .expect("pg_dump from Debian's postgresql package");
    let dump = Command::new(pg_dump)
        .args(["--dbname", &pg.url(), "--data-only"])
        .output()
        .unwrap();
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let text = String::from_utf8_lossy(&dump.stdout);
    assert!(text.contains("COPY "), "the dump holds the tables: {text}");
    let needles = needles(&devices);
    assert_holds_none("the PostgreSQL database", &dump.stdout, &needles);
    scan_log(&log, &needles);
    // Every file the server wrote: tables, indexes, TOAST, the write-ahead log. A
    // checkpoint first, so that the tables' pages are in their files too.
    pg.psql("CHECKPOINT");
    let mut files = 0;
    let mut scanned = 0;
    let mut dirs = vec![pg.data_dir().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                if !bytes.is_empty() {
                    assert_holds_none(&path.display().to_string(), &bytes, &needles);
                }
                files += 1;
                scanned += bytes.len();
            }
        }
    }
    assert!(
        files > 100,
        "the data directory was scanned ({files} files)"
    );
    eprintln!(
        "scanned a {} byte dump of the PostgreSQL relay, {files} files ({scanned} bytes) of its \
         data directory and its log for {} needles",
        dump.stdout.len(),
        needles.len()
    );
}

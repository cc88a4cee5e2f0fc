//! The entry points through which outside bytes reach the core, one per decoder, as the
//! fuzz targets in `fuzz/` call them and as the corpus replay test
//! (`tests/tests/fuzz_corpus.rs`) calls them on stable Rust. Each takes any bytes and
//! must return (a result or a clear error is fine); a panic, a hang or runaway memory
//! is a bug. Where a decoder has an encoder, a value that reads must also survive the
//! way round (an assertion, so the fuzzer reports it).

use crate::document::{JournalDoc, Touched};
use crate::import;
use crate::model::{Kind, Record};
use crate::store::{index, schema};
use crate::Journal;
use chrono::{TimeZone, Utc};
use rusqlite::Connection;
use std::cell::RefCell;
use std::path::PathBuf;

/// Records of one input written into a document: the parsers see every byte, the
/// (slower) document and index writes a few records, so the fuzzer stays quick.
const WRITTEN: usize = 8;

/// The actor of the scratch documents.
const ACTOR: &[u8] = b"fuzz-target-actor";

/// A spreadsheet or another tracker's CSV export (`onward import --format csv`): read
/// it (dates day first in a zone with clock changes, and as the file says in UTC), then check and write the first rows into
/// a document as an import would.
pub fn csv_import(data: &[u8]) {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
    let day_first = import::csv::Options {
        day_first: Some(true),
    };
    let _ = import::csv::read(data, &day_first, chrono_tz::Europe::Berlin, now);
    if let Ok(parsed) = import::csv::read(data, &Default::default(), crate::zone::DEFAULT, now) {
        let records = parsed.rows.into_iter().map(|row| row.application.into());
        write_records(records.take(WRITTEN));
    }
}

/// An Onward JSON export (`onward import --format json`): parse it, then write the
/// first records into a document.
pub fn json_import(data: &[u8]) {
    // The CLI reads the file as UTF-8 text first, refusing other bytes.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = import::json::parse(text) {
        write_records(parsed.records.into_iter().take(WRITTEN));
    }
}

/// Automerge bytes received from another device (`onward merge`, a sync pull): merged
/// into a journal's document, then every record they touched read back and indexed as
/// a merge does.
pub fn automerge_merge(data: &[u8]) {
    let mut doc = JournalDoc::new(ACTOR);
    let Ok(touched) = doc.merge_bytes(data) else {
        return;
    };
    index_in_memory(&doc, &touched);
}

/// A file at the journal path (`Journal::open` and the first reads and writes). Says
/// whether it opened as a journal and its records listed (the corpus replay counts them).
pub fn journal_file(data: &[u8]) -> bool {
    thread_local! {
        static SCRATCH: tempfile::TempDir = tempfile::tempdir().expect("a scratch folder");
    }
    let path: PathBuf = SCRATCH.with(|dir| dir.path().join("fuzz.onward"));
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    if std::fs::write(&path, data).is_err() {
        return false;
    }
    let Ok(mut journal) = Journal::open(&path) else {
        return false;
    };
    let listed = journal.timeline(&Default::default()).is_ok();
    let _ = journal.counts();
    let _ = journal.check_index();
    let _ = journal.create(crate::model::Mood::new(3, journal.now()));
    listed
}

/// Checks each record as an import does and writes the valid ones into a document.
fn write_records(records: impl IntoIterator<Item = Record>) {
    let mut doc = JournalDoc::new(ACTOR);
    let mut touched = Touched::default();
    for record in records {
        if record.validate().is_err() {
            continue;
        }
        let serde_json::Value::Object(fields) = record.to_json() else {
            continue;
        };
        if doc.write(record.kind(), record.id(), &fields).is_ok() {
            touched
                .records
                .insert((record.kind(), record.id().to_string()));
        }
    }
    index_in_memory(&doc, &touched);
}

/// Reads back and indexes what changed, in an in-memory database with the journal's
/// schema (rolled back after each input).
fn index_in_memory(doc: &JournalDoc, touched: &Touched) {
    thread_local! {
        static DB: RefCell<Connection> = RefCell::new({
            let mut conn = Connection::open_in_memory().expect("an in-memory database");
            let tx = conn.transaction().expect("a transaction");
            schema::create(&tx).expect("the schema");
            tx.commit().expect("the schema is stored");
            conn
        });
    }
    for (kind, id) in &touched.records {
        if let Ok(Some(fields)) = doc.read(*kind, id) {
            let _ = Record::from_json(*kind, serde_json::Value::Object(fields));
        }
    }
    for kind in Kind::ALL {
        let _ = doc.ids(*kind);
    }
    DB.with(|db| {
        let mut conn = db.borrow_mut();
        let Ok(tx) = conn.transaction() else { return };
        let _ = index::update(&tx, doc, touched);
        let _ = tx.rollback();
    });
}

/// The keys of the scratch journal of the sync targets: a fixed device key and epoch 0
/// key, no device list (so only this device's own signature counts). The seed corpus
/// seals with the same keys, so the targets reach past the signature and the seal.
pub fn sync_keys() -> crate::sync::keys::Keys {
    use crate::sync::keys::{Keys, MemberSecrets};
    let member = MemberSecrets::derived(b"onward-fuzz", &[7; 32], "device");
    Keys::founding(&"7".repeat(32), member, [7; 32])
}

/// An invitation or recovery kit as typed or scanned (`onward sync join CODE`). A code
/// that reads gives the same code again when encoded and read back.
pub fn pairing_code(data: &[u8]) {
    use crate::sync::pairing::{self, CodeKind};
    let code = String::from_utf8_lossy(data);
    for kind in [CodeKind::Invitation, CodeKind::RecoveryKit] {
        if let Ok(decoded) = pairing::decode(kind, &code) {
            let again = pairing::decode(kind, &pairing::encode(&decoded))
                .expect("an encoded code reads back");
            assert_eq!(again, decoded, "a code changed on its way round");
        }
    }
}

/// A device list from the relay (JSON of signed operations), checked from its genesis
/// as every device checks it. One that checks out checks out again, entry by entry.
pub fn device_list(data: &[u8]) {
    use onward_protocol::members::{verify_log, LoggedOp};
    let Ok(ops) = serde_json::from_slice::<Vec<LoggedOp>>(data) else {
        return;
    };
    let Some(journal) = ops.first().and_then(|o| {
        let body = onward_protocol::members::parse_body(&o.op).ok()?;
        match body.op {
            onward_protocol::members::Op::Genesis { journal, .. } => Some(journal),
            _ => None,
        }
    }) else {
        return;
    };
    if let Ok(roster) = verify_log(&journal, &ops) {
        assert_eq!(roster.len, ops.len(), "a verified list lost an entry");
        let mut again = onward_protocol::members::genesis(&journal, &ops[0].op)
            .expect("the genesis of a verified list verifies");
        for o in &ops[1..] {
            again
                .apply(&o.op, o.seq)
                .expect("each entry of a verified list applies");
        }
        assert_eq!(again, roster);
    }
}

/// A wrapped key from the relay (JSON), opened as this device opens its wraps: a wrap
/// nobody in the list signed never opens.
pub fn wrapped_key(data: &[u8]) {
    use crate::sync::device_list;
    use onward_protocol::members::SignedWrap;
    let Ok(wrap) = serde_json::from_slice::<SignedWrap>(data) else {
        return;
    };
    let (keys, roster) = fuzz_roster();
    let _ = device_list::unwrap(&keys, &roster, &wrap);
}

/// A fixed one-device list for the fuzz targets, and that device's keys.
fn fuzz_roster() -> (crate::sync::keys::Keys, onward_protocol::members::Roster) {
    let (keys, _) = fuzz_founding();
    let roster = keys.roster().expect("the founding has its list").clone();
    (keys, roster)
}

/// The fuzz targets' device with its one-device list, and the list's genesis.
fn fuzz_founding() -> (crate::sync::keys::Keys, onward_protocol::members::SignedOp) {
    use crate::sync::keys::MemberSecrets;
    let founder = MemberSecrets::derived(b"onward-fuzz", &[7; 32], "device");
    let (mut keys, op) =
        crate::sync::device_list::genesis_with_nonce(&founder, [7; 32], "fuzz", 0, [7; 16])
            .expect("a genesis can be made");
    let roster = onward_protocol::members::genesis(keys.journal_id(), &op).expect("it verifies");
    keys.set_roster(roster);
    (keys, op)
}

/// The secret of the invitation code the `invitation_answer` target joins with.
const INVITATION_SECRET: [u8; 16] = [0x42; 16];

/// The invitation code the `invitation_answer` target joins with: the fuzz targets'
/// journal, [`INVITATION_SECRET`].
fn fuzz_invitation_code() -> crate::sync::pairing::Code {
    let (keys, _) = fuzz_founding();
    crate::sync::pairing::Code {
        kind: crate::sync::pairing::CodeKind::Invitation,
        secret: INVITATION_SECRET.to_vec(),
        journal_id: keys.journal_id().to_string(),
        relay_url: "https://relay.example.org".into(),
    }
}

/// The relay's answer to a device joining by invitation (JSON: the signed invitation,
/// its sealed payload and the device list), checked as the joining device checks it
/// for the code of [`INVITATION_SECRET`]. One that opens gives the key of the list's
/// current epoch. Says whether it opened (the seeds' check).
pub fn invitation_answer(data: &[u8]) -> bool {
    let Ok(answer) = serde_json::from_slice::<onward_protocol::InvitationAnswer>(data) else {
        return false;
    };
    match crate::sync::devices::open_answer(fuzz_invitation_code(), answer) {
        Ok(opened) => {
            assert!(
                opened.epochs.contains_key(&opened.roster.epoch),
                "an invitation opened without the current key"
            );
            true
        }
        Err(_) => false,
    }
}

/// A seed of the `invitation_answer` target: the answer a relay gives for the
/// invitation of [`INVITATION_SECRET`], made by the fuzz targets' device as `onward
/// sync invite` makes it, expiring at `expires_at_ms`. `secret` other than that one
/// gives an invitation the target's code doesn't open.
pub fn invitation_answer_seed(secret: &[u8], expires_at_ms: u64) -> Vec<u8> {
    let (keys, genesis) = fuzz_founding();
    let (_, upload) = crate::sync::devices::invitation_upload(&keys, secret, expires_at_ms)
        .expect("an invitation can be made");
    let answer = onward_protocol::InvitationAnswer {
        invitation: upload.invitation,
        payload: upload.payload,
        ops: vec![onward_protocol::members::LoggedOp {
            op: genesis,
            seq: 0,
        }],
    };
    serde_json::to_vec_pretty(&answer).expect("an answer serializes")
}

/// [`INVITATION_SECRET`], for the seeds.
pub fn invitation_secret() -> [u8; 16] {
    INVITATION_SECRET
}

/// An encrypted envelope from the relay (a batch, a snapshot part or a device's record):
/// opened with the journal's keys, which refuses anything this device did not seal and
/// sign (the seed corpus holds envelopes sealed with [`sync_keys`], so opening is
/// reached). An envelope opens as one kind of object, for one object id, signed by this
/// device; what it holds seals and opens again to the same bytes, and is read as that
/// kind (a snapshot's header, then its document merged; a device's record). Any bytes
/// sealed as a batch open again to the same bytes.
pub fn sync_envelope(data: &[u8]) {
    use crate::sync::envelope::{open, seal, Sealed};
    use crate::sync::sealed;
    let keys = sync_keys();
    let id = "00112233445566778899aabbccddeeff";
    let other = "ffeeddccbbaa99887766554433221100";
    let mut kinds = 0;
    for kind in [Sealed::Batch, Sealed::Snapshot, Sealed::DeviceRecord] {
        if let Ok(opened) = open(&keys, kind, id, data) {
            kinds += 1;
            assert_eq!(
                opened.signer,
                keys.device_id(),
                "opened with another signer"
            );
            assert!(
                open(&keys, kind, other, data).is_err(),
                "an envelope opened for two object ids"
            );
            let again = seal(&keys, kind, id, &opened.plaintext).expect("it seals again");
            let reopened = open(&keys, kind, id, &again).expect("it opens again");
            assert_eq!(reopened.plaintext, opened.plaintext);
            match kind {
                Sealed::Snapshot => {
                    if let Ok((_, document)) = sealed::read_snapshot(&opened.plaintext) {
                        automerge_merge(document);
                    }
                }
                Sealed::DeviceRecord => {
                    let _ = sealed::read_record(&opened.signer, &opened.plaintext);
                }
                _ => {}
            }
        }
    }
    assert!(kinds <= 1, "an envelope opened as {kinds} kinds of object");
    let sealed = seal(&keys, Sealed::Batch, id, data).expect("any bytes can be sealed");
    let opened = open(&keys, Sealed::Batch, id, &sealed).expect("a sealed envelope opens");
    assert_eq!(opened.plaintext, data, "an envelope changed its content");
}

/// A pull answer from the relay: split into frames (the first 8 bytes of the input are
/// the cursor), checked as a pull checks an answer, each opened as a batch and, when it
/// opens, merged as a pull does. Frames that read are written back to the same bytes.
/// Returns how many batches reached the merge (the corpus replay counts them).
pub fn pull_frames(data: &[u8]) -> usize {
    use crate::sync::answer_check::{check, Expected, Verdict};
    use crate::sync::batches;
    use crate::sync::relay::PullAnswer;
    use onward_protocol::frames;
    let (after, body) = match data.split_first_chunk::<8>() {
        Some((after, body)) => (u64::from_be_bytes(*after), body),
        None => (0, data),
    };
    let Ok(decoded) = frames::decode(body) else {
        return 0;
    };
    assert_eq!(
        frames::encode(&decoded),
        body,
        "frames changed on their way round"
    );
    let answer = PullAnswer {
        latest_seq: decoded.last().map_or(after, |f| f.seq),
        frames: decoded,
        incarnation: "fuzz".into(),
        ..PullAnswer::default()
    };
    let expected = Expected {
        after,
        ..Expected::default()
    };
    if check(&expected, &answer) != Verdict::Fine {
        return 0;
    }
    let keys = sync_keys();
    let mut merged = 0;
    for frame in answer.frames {
        if let batches::PulledBatch::Merge { changes, .. } = batches::unpack(&keys, frame) {
            automerge_merge(&changes);
            merged += 1;
        }
    }
    merged
}

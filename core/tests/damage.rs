//! Damaged journal files: cut short, bits flipped, a page overwritten, garbage. Each
//! gives a clear error naming the file (or reads on where the damage does not reach),
//! the file is never changed, and `Journal::recover` saves what can still be read into
//! a new file.

use chrono::{TimeZone, Utc};
use onward_core::model::*;
use onward_core::{Error, Filter, Journal};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A journal of `n` applications with a note each, as a person leaves it: the first
/// half compacted into the snapshot, the rest in change chunks. Returns each record's
/// id and JSON.
fn journal(path: &Path, n: usize) -> BTreeMap<String, serde_json::Value> {
    let mut j = Journal::open(path).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    for i in 0..n {
        let mut app = Application::new(format!("Company {i}"), "Data Engineer");
        app.applied_at = Some(at);
        let app = j.add_application(app).unwrap();
        let mut note = Entry::new(
            EntryKind::Free,
            format!("What I learned from company {i}: keep going"),
            at,
        );
        note.application_id = Some(app.meta.id.clone());
        j.add_entry(note).unwrap();
        if i + 1 == n / 2 {
            j.compact().unwrap();
        }
    }
    // As the apps leave it: the outbox applied, the later half in change chunks.
    j.apply_pending().unwrap();
    let all = j
        .timeline(&Filter {
            limit: 100_000,
            ..Default::default()
        })
        .unwrap();
    all.into_iter()
        .map(|l| (l.record.id().to_string(), l.record.to_json()))
        .collect()
}

/// The file's bytes and modification time.
fn fingerprint(path: &Path) -> (Vec<u8>, SystemTime) {
    (
        std::fs::read(path).unwrap(),
        std::fs::metadata(path).unwrap().modified().unwrap(),
    )
}

fn assert_untouched(path: &Path, before: &(Vec<u8>, SystemTime), what: &str) {
    let after = fingerprint(path);
    assert!(after.0 == before.0, "{what}: the file's bytes changed");
    assert_eq!(
        after.1, before.1,
        "{what}: the file's modification time changed"
    );
}

/// The error names the file and says it was left alone.
fn assert_clear(e: &Error, path: &Path, what: &str) {
    let text = e.to_string();
    assert!(
        matches!(
            e,
            Error::Corrupt { .. } | Error::NotAJournal { .. } | Error::TooNew { .. }
        ),
        "{what}: {e:?}"
    );
    assert!(text.contains(path.to_str().unwrap()), "{what}: {text}");
    assert!(
        text.contains("left untouched") || text.contains("was left untouched"),
        "{what}: {text}"
    );
}

/// Everything a person reading the journal would do: each record as the list gives it
/// and as reading it alone gives it. Returns the first error.
fn read_everything(path: &Path, ids: &[String]) -> Result<Vec<(String, serde_json::Value)>, Error> {
    let j = Journal::open(path)?;
    let listed = j.timeline(&Filter {
        limit: 100_000,
        ..Default::default()
    })?;
    j.counts()?;
    j.search("learned", 50)?;
    let mut read: Vec<(String, serde_json::Value)> = listed
        .into_iter()
        .map(|l| (format!("listed {}", l.record.id()), l.record.to_json()))
        .collect();
    for id in ids {
        match j.record(id) {
            Ok(record) => read.push((format!("read {id}"), record.to_json())),
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}

/// The reads of a journal as written: `records` listed, and each one read alone.
fn as_written(records: &BTreeMap<String, serde_json::Value>) -> Vec<(String, serde_json::Value)> {
    let mut out: Vec<(String, serde_json::Value)> = Vec::new();
    for (prefix, _) in [("listed", ()), ("read", ())] {
        out.extend(
            records
                .iter()
                .map(|(id, json)| (format!("{prefix} {id}"), json.clone())),
        );
    }
    out
}

/// What `onward doctor` finds: SQLite's integrity check and the index against a rebuild
/// from the document. `Ok(())` when both pass.
fn doctor(path: &Path) -> Result<(), String> {
    let mut j = Journal::open(path).map_err(|e| e.to_string())?;
    j.integrity_check()
        .map_err(|e| e.to_string())?
        .map_err(|p| p.join("; "))?;
    let check = j.check_index().map_err(|e| e.to_string())?;
    match check.is_consistent() {
        true => Ok(()),
        false => Err(check.differences.join("; ")),
    }
}

/// A file whose main database holds everything (the WAL checkpointed on close).
fn settled(dir: &Path, n: usize) -> (PathBuf, BTreeMap<String, serde_json::Value>) {
    let path = dir.join("journal.onward");
    let records = journal(&path, n);
    assert!(!Path::new(&format!("{}-wal", path.display())).exists());
    (path, records)
}

#[test]
fn a_journal_cut_short_is_refused_by_name_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = settled(dir.path(), 30);
    let whole = std::fs::read(&path).unwrap();
    for keep in [
        whole.len() - 4096,
        whole.len() / 2,
        whole.len() / 3 + 17,
        8192,
        4096,
        100,
        99,
        15,
        1,
    ] {
        let cut = dir.path().join(format!("cut-{keep}.onward"));
        std::fs::write(&cut, &whole[..keep]).unwrap();
        let before = fingerprint(&cut);
        let what = format!("cut to {keep} of {} bytes", whole.len());
        let err = Journal::open(&cut)
            .err()
            .unwrap_or_else(|| panic!("{what}: opened"));
        assert_clear(&err, &cut, &what);
        assert_untouched(&cut, &before, &what);
    }
}

#[test]
fn flipped_bits_give_a_clear_error_or_read_on_and_never_change_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, records) = settled(dir.path(), 30);
    let ids: Vec<String> = records.keys().cloned().collect();
    let whole = std::fs::read(&path).unwrap();
    // About 80 places through the file (`ONWARD_DAMAGE_FLIPS` for more; an odd step, so
    // the flips wander through the pages' layouts) and the header's fields.
    let flips: usize = std::env::var("ONWARD_DAMAGE_FLIPS")
        .map(|v| v.parse().expect("ONWARD_DAMAGE_FLIPS is a number"))
        .unwrap_or(80);
    let step = whole.len() / flips.max(1) + 1;
    let mut at: Vec<usize> = (0..whole.len()).step_by(step | 1).collect();
    at.extend((16..100).step_by(4));
    let (mut refused, mut read_on) = (0, 0);
    // Reads that returned something other than what was written, without an error, and
    // of those how many `doctor` finds.
    let (mut silent, mut silent_found) = (Vec::new(), 0);
    let mut written = as_written(&records);
    written.sort_by(|a, b| a.0.cmp(&b.0));
    let flipped = dir.path().join("flipped.onward");
    for (n, offset) in at.iter().enumerate() {
        let mut bytes = whole.clone();
        bytes[*offset] ^= 1 << (n % 8);
        std::fs::write(&flipped, &bytes).unwrap();
        let before = fingerprint(&flipped);
        let what = format!("bit {} of byte {offset} flipped", n % 8);
        match read_everything(&flipped, &ids) {
            Ok(mut read) => {
                read_on += 1;
                read.sort_by(|a, b| a.0.cmp(&b.0));
                if read != written {
                    silent_found += usize::from(doctor(&flipped).is_err());
                    let differs = read
                        .iter()
                        .zip(&written)
                        .find(|(r, w)| r != w)
                        .map_or("a record is missing or added".to_string(), |(r, _)| {
                            r.0.clone()
                        });
                    silent.push(format!("{what}: {differs}"));
                }
            }
            Err(e) => {
                refused += 1;
                assert_clear(&e, &flipped, &what);
            }
        }
        assert_untouched(&flipped, &before, &what);
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", flipped.display()));
        }
    }
    println!(
        "{} flips through {} bytes: {refused} refused with a clear error, {read_on} read on, \
         {} of them returning something other than what was written without an error \
         ({silent_found} of those found by doctor): {silent:#?}",
        at.len(),
        whole.len(),
        silent.len()
    );
    assert!(
        refused > 0 && read_on > 0,
        "{refused} refused, {read_on} read on"
    );
    // Every page carries a checksum, checked as it is read: a flip in a page a read
    // reaches is an error, never a changed answer (see RELIABILITY.md, "Silent
    // corruption"). `doctor` is asked too, for a read that would slip through anyway.
    assert!(
        silent.is_empty(),
        "reads returned something other than what was written, without an error \
         ({silent_found} of {} found by doctor): {silent:#?}",
        silent.len()
    );
}

/// The journal format (`user_version`, bytes 60..64 of the header) flipped lower or
/// below zero: the upgrade steps would meet tables that are already there. Found by the
/// 1,500-flip run (bit 7 of byte 60 gave "table document_snapshot already exists",
/// without the file's name).
#[test]
fn a_damaged_format_number_in_the_header_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = settled(dir.path(), 4);
    let whole = std::fs::read(&path).unwrap();
    let current = i32::from_be_bytes(whole[60..64].try_into().unwrap());
    for version in [current ^ 1, 1, current ^ i32::MIN] {
        let damaged = dir.path().join(format!("format-{version}.onward"));
        let mut bytes = whole.clone();
        bytes[60..64].copy_from_slice(&version.to_be_bytes());
        std::fs::write(&damaged, &bytes).unwrap();
        let before = fingerprint(&damaged);
        let what = format!("format {current} damaged to {version}");
        let err = Journal::open(&damaged)
            .err()
            .unwrap_or_else(|| panic!("{what}: opened"));
        assert_clear(&err, &damaged, &what);
        assert_untouched(&damaged, &before, &what);
    }
}

#[test]
fn a_garbage_file_is_refused_with_its_bytes_and_time_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.onward");
    let mut garbage = b"SQLite format 3\0".to_vec();
    garbage.extend((0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&path, &garbage).unwrap();
    let before = fingerprint(&path);
    let err = Journal::open(&path).err().expect("refused");
    assert_clear(&err, &path, "garbage after an SQLite header");
    assert_untouched(&path, &before, "garbage");
}

/// Recovering saves only true records: each one as it was.
fn assert_recovered_as_written(
    new: &Journal,
    records: &BTreeMap<String, serde_json::Value>,
) -> usize {
    let listed = new
        .timeline(&Filter {
            limit: 100_000,
            ..Default::default()
        })
        .unwrap();
    for l in &listed {
        let id = l.record.id();
        let original = records
            .get(id)
            .unwrap_or_else(|| panic!("recovered a record that never was: {id}"));
        assert_eq!(&l.record.to_json(), original, "{id} recovered changed");
    }
    listed.len()
}

#[test]
fn a_lost_snapshot_is_recovered_from_the_chunks_and_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let (path, records) = settled(dir.path(), 20);
    // The snapshot's bytes damaged inside the database (a bad sector in its pages).
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut snapshot: Vec<u8> = conn
        .query_row("SELECT bytes FROM document_snapshot", [], |r| r.get(0))
        .unwrap();
    let half = snapshot.len() / 2;
    snapshot[half..].fill(0);
    conn.execute("UPDATE document_snapshot SET bytes = ?1", [snapshot])
        .unwrap();
    drop(conn);
    let before = fingerprint(&path);
    let mut damaged = Journal::open(&path).unwrap();
    let err = damaged.document_bytes().unwrap_err();
    assert_clear(&err, &path, "an export needing the lost snapshot");
    drop(damaged);
    assert_untouched(&path, &before, "after the refused export");
    let before = fingerprint(&path);

    let into = dir.path().join("recovered.onward");
    let (new, found) = Journal::recover(&path, &into).unwrap();
    assert_untouched(&path, &before, "recovery");
    assert!(!found.snapshot || found.refused > 0, "{found:?}");
    // The later half was written after the compaction: its chunks build on the lost
    // snapshot, so those records come back from the index, as last written.
    assert_eq!(found.records(), records.len(), "{found:?}");
    assert!(found.from_index > 0, "{found:?}");
    assert!(found.history_gaps > 0, "{found:?}");
    assert_eq!(assert_recovered_as_written(&new, &records), records.len());
    drop(new);
    // The new journal is a whole one: it takes writes and reopens.
    let mut new = Journal::open(&into).unwrap();
    new.create(Mood::new(4, Utc::now())).unwrap();
    assert!(new.check_index().unwrap().is_consistent());
}

#[test]
fn a_journal_cut_in_half_gives_back_what_its_first_half_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (path, records) = settled(dir.path(), 40);
    let whole = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.onward");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let before = fingerprint(&cut);

    let into = dir.path().join("from-cut.onward");
    let (new, found) = Journal::recover(&cut, &into).unwrap();
    assert_untouched(&cut, &before, "recovery");
    let n = assert_recovered_as_written(&new, &records);
    println!(
        "cut in half: {n} of {} records recovered: {found:?}",
        records.len()
    );
    assert!(n > 0, "{found:?}");
}

#[test]
fn recovery_never_writes_over_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = settled(dir.path(), 3);
    let taken = dir.path().join("taken.onward");
    std::fs::write(&taken, b"my notes").unwrap();
    let err = Journal::recover(&path, &taken).err().expect("refused");
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&taken).unwrap(), b"my notes");
}

#[test]
fn recovering_garbage_says_nothing_was_found_and_leaves_no_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.onward");
    std::fs::write(&path, b"eggs, flour, butter\n".repeat(100)).unwrap();
    let into = dir.path().join("new.onward");
    let err = Journal::recover(&path, &into)
        .err()
        .expect("nothing to recover");
    assert!(err.to_string().contains("no record could be read"), "{err}");
    assert!(!into.exists());
}

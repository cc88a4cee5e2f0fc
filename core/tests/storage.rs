//! The journal file: upgrades, damage, compaction, several connections, the index.

use chrono::{Duration, Utc};
use onward_core::model::*;
use onward_core::store::page_checksums::connect_default;
use onward_core::store::{index, schema};
use onward_core::{Error, Filter, Journal};
use rusqlite::{Connection, TransactionBehavior};
use std::path::{Path, PathBuf};

fn fill(j: &mut Journal, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let mut app = Application::new(format!("Company {i}"), "Engineer");
        app.applied_at = Some(Utc::now());
        let app = j.add_application(app).unwrap();
        let mut e = Entry::new(
            EntryKind::Free,
            format!("Note {i} about the search"),
            Utc::now(),
        );
        e.application_id = Some(app.meta.id.clone());
        ids.push(j.add_entry(e).unwrap().meta.id);
        ids.push(app.meta.id);
    }
    ids
}

fn temp_path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

/// Table layouts (columns with types, indexes) and index contents of a database.
fn shape(path: &Path) -> (Vec<String>, Vec<String>) {
    let conn = Connection::open(path).unwrap();
    let mut layout = Vec::new();
    let tables: Vec<(String, String)> = conn
        .prepare(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (ty, name) in tables {
        layout.push(format!("{ty} {name}"));
        if ty == "table" {
            let cols: Vec<String> = conn
                .prepare(&format!("PRAGMA table_info({name})"))
                .unwrap()
                .query_map([], |r| {
                    Ok(format!(
                        "  {} {} notnull={} pk={}",
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(5)?
                    ))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            layout.extend(cols);
        }
    }
    for pragma in ["user_version", "application_id"] {
        let v: i64 = conn.pragma_query_value(None, pragma, |r| r.get(0)).unwrap();
        layout.push(format!("{pragma}={v}"));
    }
    (layout, index::dump(&conn).unwrap())
}

/// Puts the document of the journal at `from` (snapshot, chunks and the journal's meta
/// rows but the one that says whether its pages carry checksums, a fact of the file) in
/// place of the document of the database at `into`, whose schema is in place.
fn copy_document(from: &Path, into: &Path) {
    let conn = connect_default(into).unwrap();
    conn.execute("ATTACH DATABASE ?1 AS source", [from.to_str().unwrap()])
        .unwrap();
    conn.execute_batch(
        "DELETE FROM main.document_snapshot;
         DELETE FROM main.document_chunks;
         DELETE FROM main.journal_meta WHERE key <> 'page_checksums';
         INSERT INTO main.document_snapshot SELECT * FROM source.document_snapshot;
         INSERT INTO main.document_chunks SELECT * FROM source.document_chunks;
         INSERT INTO main.journal_meta SELECT * FROM source.journal_meta
             WHERE key <> 'page_checksums';
         DETACH DATABASE source;",
    )
    .unwrap();
}

#[test]
fn an_upgraded_journal_equals_a_fresh_one() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = temp_path(&dir, "fresh.onward");
    let old = temp_path(&dir, "old.onward");
    {
        let mut j = Journal::open(&fresh).unwrap();
        fill(&mut j, 3);
        let key = j.reminders_within(Duration::days(10)).unwrap()[0]
            .key
            .clone();
        j.complete_reminder(&key).unwrap();
        // As the apps do after a write: the outbox becomes the document copied below.
        j.apply_pending().unwrap();
    }
    // A version-1 database (as the first release wrote it) holding the same document.
    {
        let mut conn = Connection::open(&old).unwrap();
        let tx = conn.transaction().unwrap();
        schema::create_at_version(&tx, 1).unwrap();
        tx.commit().unwrap();
    }
    copy_document(&fresh, &old);
    Journal::open(&old).unwrap();
    let (fresh_layout, fresh_index) = shape(&fresh);
    let (old_layout, old_index) = shape(&old);
    assert_eq!(old_layout, fresh_layout);
    assert_eq!(old_index, fresh_index);
    assert!(fresh_index
        .iter()
        .any(|row| row.starts_with("reminder_states: ")));
}

#[test]
fn a_garbage_file_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "journal.onward");
    let garbage = b"this is my shopping list, not a journal\n".repeat(200);
    std::fs::write(&path, &garbage).unwrap();
    let err = Journal::open(&path).err().expect("refused");
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("journal.onward"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn another_program_s_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "other.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread');")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Journal::open(&path).err().expect("refused");
    assert!(matches!(err, Error::NotAJournal { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_journal_from_a_newer_version_is_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    drop(Journal::open(&path).unwrap());
    connect_default(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Journal::open(&path).err().expect("refused");
    assert!(matches!(err, Error::TooNew { found: 99, .. }), "{err}");
}

#[test]
fn a_damaged_document_names_the_file_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    {
        let mut j = Journal::open(&path).unwrap();
        fill(&mut j, 2);
        j.compact().unwrap();
    }
    connect_default(&path)
        .unwrap()
        .execute(
            "UPDATE document_snapshot SET bytes = substr(bytes, 1, length(bytes) / 2)",
            [],
        )
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut j = Journal::open(&path).unwrap();
    // Reads still work from the index...
    assert_eq!(j.timeline(&Filter::default()).unwrap().len(), 4);
    // ...what needs the document says what is wrong, and changes nothing.
    let err = j.document_bytes().unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("j.onward"), "{err}");
    drop(j);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // A write is still kept (it waits in the outbox, and shows), and applying it to the
    // damaged document is refused by name, with the write kept for a recovery.
    let mut j = Journal::open(&path).unwrap();
    let mood = j.create(Mood::new(3, Utc::now())).unwrap();
    let err = j.apply_pending().unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("j.onward"), "{err}");
    assert_eq!(j.pending_writes().unwrap(), 1);
    assert_eq!(j.get::<Mood>(&mood.meta.id).unwrap(), mood);
}

#[test]
fn compaction_folds_chunks_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    let mut j = Journal::open(&path).unwrap();
    let ids = fill(&mut j, 40);
    j.apply_pending().unwrap();
    let before = j.storage_sizes().unwrap();
    assert!(before.chunks > 0);
    j.compact().unwrap();
    let after = j.storage_sizes().unwrap();
    assert_eq!(after.chunks, 0);
    drop(j);
    let j = Journal::open(&path).unwrap();
    for id in &ids {
        j.record(id).unwrap();
    }
}

#[test]
fn writes_leave_compaction_to_compact_if_due() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(temp_path(&dir, "j.onward")).unwrap();
    let long = "All the things I want to remember about today. ".repeat(400);
    for _ in 0..8 {
        j.add_entry(Entry::new(EntryKind::Expressive, long.clone(), Utc::now()))
            .unwrap();
    }
    // Nor does applying them (as the apps do after each write).
    j.apply_pending().unwrap();
    let due =
        |s: &onward_core::store::document::Sizes| s.chunk_bytes > s.snapshot_bytes.max(64 * 1024);
    let before = j.storage_sizes().unwrap();
    assert!(due(&before), "no write compacted: {before:?}");
    assert!(j.compact_if_due().unwrap());
    let after = j.storage_sizes().unwrap();
    assert_eq!(after.chunks, 0, "{after:?}");
    assert!(!j.compact_if_due().unwrap(), "nothing is due right after");
    assert_eq!(j.storage_sizes().unwrap().chunks, 0);
}

/// A read on a [`onward_core::Reader`] answers while another thread's journal holds a
/// write transaction with its document loaded (as a merge from sync does). Not timed:
/// the writer keeps its transaction open until the reader has answered.
#[test]
fn a_reader_answers_while_a_write_transaction_is_open() {
    use std::sync::mpsc;
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    let mut j = Journal::open(&path).unwrap();
    fill(&mut j, 3);
    let reader = j.open_reader().unwrap();
    let (holding, held) = mpsc::channel();
    let (answer, answered) = mpsc::channel::<usize>();
    let writer = std::thread::spawn(move || {
        j.with_document(|_| {
            holding.send(()).unwrap();
            // A reader that waited for this transaction would never answer: after a
            // minute, give up and let the test fail rather than hang.
            Ok(answered
                .recv_timeout(std::time::Duration::from_secs(60))
                .ok())
        })
        .unwrap()
    });
    held.recv().unwrap();
    let page = reader.timeline(&Filter::default()).unwrap();
    let hits = reader.search("Company", 10).unwrap().len();
    answer.send(page.len()).unwrap();
    assert_eq!(
        writer.join().unwrap(),
        Some(6),
        "the reader answered while the write transaction was open"
    );
    assert_eq!(hits, 3);
}

#[test]
fn two_handles_on_one_file_keep_one_whole_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    let mut a = Journal::open(&path).unwrap();
    let mut b = Journal::open(&path).unwrap();
    let app = a.add_application(Application::new("Acme", "Dev")).unwrap();
    b.move_stage(&app.meta.id, Stage::Screening, None).unwrap();
    a.update::<Application>(&app.meta.id, |x| {
        x.notes = "Met the team".into();
        Ok(())
    })
    .unwrap();
    b.compact().unwrap();
    a.create(Mood::new(4, Utc::now())).unwrap();
    let seen: Application = b.get(&app.meta.id).unwrap();
    assert_eq!(seen.stage, Stage::Screening, "a's edit kept b's stage");
    assert_eq!(seen.notes, "Met the team");
    assert!(a.check_index().unwrap().is_consistent());
    assert!(b.check_index().unwrap().is_consistent());
}

#[test]
fn the_rebuilt_index_equals_the_incremental_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    let mut j = Journal::open(&path).unwrap();
    let ids = fill(&mut j, 10);
    j.delete(&ids[0]).unwrap();
    j.retag(&ids[1], &["remote".into()], &[]).unwrap();
    let before = index::dump(j.connection()).unwrap();
    j.rebuild_index().unwrap();
    assert_eq!(index::dump(j.connection()).unwrap(), before);
    assert!(j.integrity_check().unwrap().is_ok());
    // And check_index notices a tampered index.
    j.connection()
        .execute(
            "UPDATE records SET title = 'tampered' WHERE id = ?1",
            [&ids[2]],
        )
        .unwrap();
    let check = j.check_index().unwrap();
    assert!(!check.is_consistent());
    assert!(check.differences.iter().any(|d| d.contains("tampered")));
}

/// A rebuild puts the full-text rows in after all the others; an id under two kinds
/// (which no version of Onward writes, but a document may hold) still indexes as the
/// writes and merges do, one kind's record in place of the other's.
#[test]
fn a_rebuild_matches_the_writes_also_when_an_id_is_under_two_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    let mut j = Journal::open(&path).unwrap();
    fill(&mut j, 5);
    let mut mood = Mood::new(2, Utc::now());
    mood.meta.id = "same-id".into();
    mood.meta.tags = vec!["heavy".into()];
    j.create(mood).unwrap();
    let mut entry = Entry::new(EntryKind::Free, "A walk helped", Utc::now());
    entry.meta.id = "same-id".into();
    entry.meta.tags = vec!["outside".into()];
    j.create(entry).unwrap();
    j.apply_pending().unwrap();
    let check = j.check_index().unwrap();
    assert!(check.is_consistent(), "{:?}", check.differences);
    let before = index::dump(j.connection()).unwrap();
    for table in ["records", "search"] {
        let rows = before
            .iter()
            .filter(|row| row.starts_with(&format!("{table}: same-id ")))
            .count();
        assert_eq!(rows, 1, "{table}: {before:#?}");
    }
    j.rebuild_index().unwrap();
    assert_eq!(index::dump(j.connection()).unwrap(), before);
}

#[test]
fn a_write_lock_held_elsewhere_waits_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    let mut j = Journal::open(&path).unwrap();
    let holder = std::thread::spawn({
        let path = path.clone();
        move || {
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(300));
            tx.commit().unwrap();
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(50));
    j.create(Mood::new(2, Utc::now())).unwrap();
    holder.join().unwrap();
    assert_eq!(j.list::<Mood>().unwrap().len(), 1);
}

/// A write lock held past the busy timeout (another process stuck in a write): the
/// write gives up with an error naming the file and saying nothing was written, and
/// goes through once the lock is let go. Waits out the timeout (10 s).
#[test]
fn a_write_lock_held_past_the_timeout_gives_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    let mut j = Journal::open(&path).unwrap();
    let (locked, release) = (
        std::sync::mpsc::channel::<()>(),
        std::sync::mpsc::channel::<()>(),
    );
    let holder = std::thread::spawn({
        let path = path.clone();
        move || {
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .unwrap();
            locked.0.send(()).unwrap();
            release.1.recv().unwrap();
            tx.rollback().unwrap();
        }
    });
    locked.1.recv().unwrap();
    let err = j.create(Mood::new(2, Utc::now())).unwrap_err();
    assert!(matches!(err, Error::Busy { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains(path.to_str().unwrap()), "{text}");
    assert!(text.contains("Nothing was written"), "{text}");
    release.0.send(()).unwrap();
    holder.join().unwrap();
    let mood = j.create(Mood::new(3, Utc::now())).unwrap();
    let moods = j.list::<Mood>().unwrap();
    assert_eq!(moods.len(), 1);
    assert_eq!(moods[0].meta.id, mood.meta.id);
    assert!(j.check_index().unwrap().is_consistent());
}

#[test]
fn list_titles_name_the_company_and_follow_its_renaming() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(temp_path(&dir, "j.onward")).unwrap();
    let app = j.add_application(Application::new("Acme", "Dev")).unwrap();
    let mut interview = Interview::new(&app.meta.id, InterviewKind::Technical, Utc::now());
    interview.notes = "A whiteboard session".into();
    let interview = j.log_interview(interview, &[]).unwrap();
    let title = |j: &Journal| {
        let listed = j
            .timeline(&Filter {
                kinds: vec![Kind::Interview],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(listed[0].record.id(), interview.meta.id);
        listed[0].title.clone()
    };
    assert_eq!(title(&j), "Round 1 · technical · Acme");
    j.update::<Application>(&app.meta.id, |a| {
        a.company = "Acme Labs".into();
        Ok(())
    })
    .unwrap();
    assert_eq!(title(&j), "Round 1 · technical · Acme Labs");
    assert_eq!(j.search("whiteboard", 5).unwrap()[0].title, title(&j));
    assert!(j.check_index().unwrap().is_consistent());
}

#[test]
fn an_index_built_by_an_older_version_is_rebuilt_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    {
        let mut j = Journal::open(&path).unwrap();
        fill(&mut j, 2);
    }
    // As an older Onward left it: other titles, an older index version.
    let conn = connect_default(&path).unwrap();
    conn.execute_batch(
        "UPDATE records SET title = 'old title';
         UPDATE journal_meta SET value = 1 WHERE key = 'index_version';",
    )
    .unwrap();
    drop(conn);
    let mut j = Journal::open(&path).unwrap();
    let titles: Vec<String> = j
        .timeline(&Filter::default())
        .unwrap()
        .into_iter()
        .map(|l| l.title)
        .collect();
    assert!(titles.iter().all(|t| t != "old title"), "{titles:?}");
    assert!(j.check_index().unwrap().is_consistent());
}

// ----- journals that released versions wrote -----

/// The released schema versions, with the SHA-256 of each one's step as released. A
/// journal of version n never runs step n again, so a step changed in place gives new
/// journals what upgraded ones lack: change the schema with a new step instead. A
/// release adds its version here and its journal under `tests/data/frozen/`.
const RELEASED_STEPS: &[(i64, &str)] = &[
    (
        1,
        "b53e9fcc748bbb5fea614865038d8497bbc782f3125a15ec1e051778216372f7",
    ),
    (
        2,
        "4e79a1afe324e02ed2b68d45cde53b177e8f025c453385bde1ad61b8f05c7415",
    ),
    (
        3,
        "2894d28e41908e6a4d5da759b813add29f38e4489bd1bd4a89805e59f70f164f",
    ),
];

fn frozen(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/frozen")
        .join(name)
}

#[test]
fn released_schema_steps_are_never_changed_in_place() {
    use sha2::{Digest, Sha256};
    for (version, released) in RELEASED_STEPS {
        let sql = schema::step_sql(*version).expect("a released step exists");
        let digest: String = Sha256::digest(sql.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            &digest, released,
            "the step to schema {version} was changed after its release: journals of \
             version {version} won't get the change; add a new step instead"
        );
        assert!(
            frozen(&format!("schema-{version}.onward")).exists(),
            "schema {version} was released but has no journal in tests/data/frozen"
        );
    }
}

/// Each journal a released version wrote (committed under `tests/data/frozen/`, see its
/// README) opens with this build and is then what a journal made by this build from the
/// same document is: the same tables, columns and index rows. And it reads as the
/// version that wrote it read it: this build's JSON export equals that version's.
#[test]
fn each_released_journal_upgrades_to_a_fresh_journal_of_the_same_content() {
    let dir = tempfile::tempdir().unwrap();
    let exported_at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 2, 9, 30, 0).unwrap();
    for (version, _) in RELEASED_STEPS {
        let name = format!("schema-{version}.onward");
        let old = dir.path().join(&name);
        std::fs::copy(frozen(&name), &old).unwrap();
        let found: i64 = Connection::open(&old)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(found, *version, "{name} is of another version");

        let mut upgraded = Journal::open(&old).unwrap();
        assert!(upgraded.integrity_check().unwrap().is_ok(), "{name}");
        assert!(upgraded.check_index().unwrap().is_consistent(), "{name}");
        let export = |j: &mut Journal| {
            let snapshot = onward_core::export::Snapshot::of(j).unwrap();
            assert_eq!(
                snapshot.len(),
                14,
                "{name}: every kind of record, one deleted"
            );
            onward_core::export::json::to_string(&snapshot, exported_at)
        };
        // Schema 1 never shipped on its own: its journal holds the document schema 2's
        // build wrote (see the README).
        let written_by = format!("schema-{}.export.json", version.max(&2));
        let as_written = std::fs::read_to_string(frozen(&written_by)).unwrap();
        assert_eq!(export(&mut upgraded), as_written, "{name} reads otherwise");
        drop(upgraded);
        // Written before page checksums, it has them now: byte 20 of the header is the
        // space each page keeps for one.
        assert_eq!(std::fs::read(frozen(&name)).unwrap()[20], 0, "{name}");
        assert_eq!(
            std::fs::read(&old).unwrap()[20],
            8,
            "{name} gained no checksums"
        );

        let fresh = dir.path().join(format!("fresh-{version}.onward"));
        drop(Journal::open(&fresh).unwrap());
        copy_document(&old, &fresh);
        Journal::open(&fresh).unwrap().rebuild_index().unwrap();
        let (old_layout, old_index) = shape(&old);
        let (fresh_layout, fresh_index) = shape(&fresh);
        assert_eq!(old_layout, fresh_layout, "{name}: tables");
        assert_eq!(old_index, fresh_index, "{name}: index");
        for table in ["reminder_states", "tags", "links", "search"] {
            assert!(
                old_index
                    .iter()
                    .any(|row| row.starts_with(&format!("{table}: "))),
                "{name} has no {table} rows"
            );
        }
    }
}

//! The journal file: upgrades, damage, compaction, several connections, the index.

use chrono::{Duration, Utc};
use onward_core::model::*;
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
    }
    // A version-1 database (as the first release wrote it) holding the same document.
    {
        let mut conn = Connection::open(&old).unwrap();
        let tx = conn.transaction().unwrap();
        schema::create_at_version(&tx, 1).unwrap();
        tx.commit().unwrap();
        conn.execute("ATTACH DATABASE ?1 AS fresh", [fresh.to_str().unwrap()])
            .unwrap();
        conn.execute_batch(
            "INSERT INTO main.document_snapshot SELECT * FROM fresh.document_snapshot;
             INSERT INTO main.document_chunks SELECT * FROM fresh.document_chunks;
             INSERT INTO main.journal_meta SELECT * FROM fresh.journal_meta;
             DETACH DATABASE fresh;",
        )
        .unwrap();
    }
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
    Connection::open(&path)
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
    Connection::open(&path)
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
    // ...writes need the document, and say what is wrong.
    let err = j.create(Mood::new(3, Utc::now())).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("j.onward"), "{err}");
    drop(j);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn compaction_folds_chunks_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "j.onward");
    let mut j = Journal::open(&path).unwrap();
    let ids = fill(&mut j, 40);
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
    let conn = Connection::open(&path).unwrap();
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

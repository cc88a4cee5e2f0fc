//! The outbox: a person's write is acknowledged without the Automerge document, and the
//! document catches up later, with every guarantee kept.

use chrono::{TimeZone, Utc};
use onward_core::model::*;
use onward_core::store::index;
use onward_core::Journal;
use std::path::{Path, PathBuf};

fn open(dir: &tempfile::TempDir, name: &str) -> (PathBuf, Journal) {
    let path = dir.path().join(name);
    let j = Journal::open(&path).unwrap();
    (path, j)
}

/// A journal with some history, its outbox applied and closed.
fn settled(path: &Path, records: usize) {
    let mut j = Journal::open(path).unwrap();
    for i in 0..records {
        j.add_application(Application::new(format!("Company {i}"), "Analyst"))
            .unwrap();
    }
    j.apply_pending().unwrap();
}

#[test]
fn a_write_after_a_cold_open_is_acknowledged_without_loading_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = open(&dir, "j.onward");
    settled(&path, 30);

    let mut j = Journal::open(&path).unwrap();
    let mood = j.create(Mood::new(2, Utc::now())).unwrap();
    assert!(!j.document_loaded(), "the write loaded the whole document");
    assert_eq!(j.pending_writes().unwrap(), 1);
    // Readable at once, and what the index shows is what applying it will give.
    assert_eq!(j.get::<Mood>(&mood.meta.id).unwrap(), mood);
    assert!(j.check_index().unwrap().is_consistent());
    // Acknowledged means durable: closed without applying, it is still there.
    drop(j);
    let mut j = Journal::open(&path).unwrap();
    assert_eq!(j.get::<Mood>(&mood.meta.id).unwrap(), mood);
    assert_eq!(j.apply_pending().unwrap(), 1);
    assert_eq!(j.pending_writes().unwrap(), 0);
    let in_document = j
        .with_document(|d| d.read(Kind::Mood, &mood.meta.id))
        .unwrap();
    assert!(
        in_document.is_some(),
        "applying put the mood in the document"
    );
    assert!(j.check_index().unwrap().is_consistent());
}

#[test]
fn edits_waiting_in_the_outbox_read_as_the_document_will_hold_them() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = open(&dir, "j.onward");
    let mut j = Journal::open(&path).unwrap();
    let app = j
        .add_application(Application::new("Acme", "Engineer"))
        .unwrap();
    let mut entry = Entry::new(EntryKind::Free, "First thoughts", Utc::now());
    entry.application_id = Some(app.meta.id.clone());
    let entry = j.add_entry(entry).unwrap();
    j.retag(&entry.meta.id, &["b".into(), "a".into(), "b".into()], &[])
        .unwrap();
    j.update::<Application>(&app.meta.id, |a| {
        a.company = "Acme Corp".into();
        a.notes = String::new();
        Ok(())
    })
    .unwrap();
    j.delete(&entry.meta.id).unwrap();
    j.restore(&entry.meta.id).unwrap();
    assert_eq!(j.pending_writes().unwrap(), 6);
    assert!(!j.document_loaded());
    // Tags as a set, the entry's title after its application's new name, the revision
    // counted: the index equals a rebuild from the document once these are applied.
    assert_eq!(
        j.get::<Entry>(&entry.meta.id).unwrap().meta.tags,
        ["a", "b"]
    );
    let check = j.check_index().unwrap();
    assert!(check.is_consistent(), "{:#?}", check.differences);
}

#[test]
fn writes_waiting_on_both_copies_merge_into_the_same_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (a_path, mut a) = open(&dir, "a.onward");
    let (b_path, mut b) = open(&dir, "b.onward");
    let shared = a
        .add_application(Application::new("Acme", "Engineer"))
        .unwrap();
    b.merge_file(&a_path).unwrap();
    // Offline, each copy writes; nothing is applied yet on either.
    a.log_mood(Mood::new(4, Utc::now())).unwrap();
    a.update::<Application>(&shared.meta.id, |x| {
        x.notes = "Called back on Tuesday".into();
        Ok(())
    })
    .unwrap();
    b.add_entry(Entry::new(EntryKind::Free, "A good talk", Utc::now()))
        .unwrap();
    let waiting = a.pending_writes().unwrap();
    assert!(waiting > 0 && b.pending_writes().unwrap() > 0);

    // b reads a's file: a's waiting writes come along, made into the changes a makes
    // when it applies them itself, so the two never differ on a change of a's.
    b.merge_file(&a_path).unwrap();
    assert_eq!(
        a.pending_writes().unwrap(),
        waiting,
        "a's file was only read"
    );
    a.apply_pending().unwrap();
    let again = b.merge_file(&a_path).unwrap();
    assert!(again.is_empty(), "a's own changes were new to b: {again:?}");
    a.merge_file(&b_path).unwrap();
    // Each has every change of the other now.
    assert!(a.merge_file(&b_path).unwrap().is_empty());
    assert!(b.merge_file(&a_path).unwrap().is_empty());
    assert_eq!(
        index::dump(a.connection()).unwrap(),
        index::dump(b.connection()).unwrap()
    );
    assert!(a.check_index().unwrap().is_consistent());
    assert!(b.check_index().unwrap().is_consistent());
}

#[test]
fn an_import_is_acknowledged_through_the_outbox_and_applied_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = open(&dir, "j.onward");
    let mut j = Journal::open(&path).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap();
    let records: Vec<Record> = (0..1200)
        .map(|i| {
            let mut app = Application::new(format!("Company {i}"), "Analyst");
            app.applied_at = Some(at);
            Record::Application(app)
        })
        .collect();
    let counts = j.put_records(records, true, &mut |_, _| {}).unwrap();
    assert_eq!(counts.written, 1200);
    assert!(!j.document_loaded());
    assert_eq!(j.list::<Application>().unwrap().len(), 1200);
    // One waiting write per batch, each one change once applied.
    assert_eq!(
        j.pending_writes().unwrap(),
        1200usize.div_ceil(onward_core::journal::WRITE_BATCH)
    );
    assert!(j.check_index().unwrap().is_consistent());
    j.apply_pending().unwrap();
    let in_document = j.with_document(|d| d.ids(Kind::Application)).unwrap();
    assert_eq!(in_document.len(), 1200);
}

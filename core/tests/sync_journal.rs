//! The journal's side of sync, without a network: pulled changes merge through the
//! normal write path (the index follows), the cursor and the relay's heads move with
//! them in one transaction, changes that wait for a dependency are kept until it comes,
//! and what can't be merged changes nothing.

use automerge::{transaction::Transactable, AutoCommit, Change, ROOT};
use chrono::Utc;
use onward_core::model::{Entry, EntryKind};
use onward_core::sync::batches::ChangeRef;
use onward_core::sync::device_list;
use onward_core::sync::keys::{random32, MemberSecrets};
use onward_core::sync::RefusedBatch;
use onward_core::{Error, Journal};
use onward_protocol::members::LoggedOp;

const ID1: &str = "00112233445566778899aabbccddee01";
const ID2: &str = "00112233445566778899aabbccddee02";

/// A pulled batch of one change: its bytes and what it is.
fn one(change: &Change) -> (&[u8], Vec<ChangeRef>) {
    (change.raw_bytes(), vec![ChangeRef::from(change)])
}

/// Every change of a journal, dependencies first.
fn changes_of(journal: &mut Journal) -> Vec<Change> {
    let mut doc = AutoCommit::load(&journal.document_bytes().unwrap()).unwrap();
    doc.get_changes(&[])
}

/// Turns sync on with a device list of its own (the relay is never contacted here).
fn enable(j: &mut Journal, name: &str) -> onward_core::Result<()> {
    let (keys, genesis) = device_list::genesis(&MemberSecrets::generate(), random32(), name, 0)?;
    j.enable_sync(
        "http://127.0.0.1:9",
        &keys,
        &[LoggedOp {
            op: genesis,
            seq: 0,
        }],
        name,
    )
}

fn syncing(path: &std::path::Path) -> Journal {
    let mut j = Journal::open(path).unwrap();
    enable(&mut j, "phone").unwrap();
    j
}

#[test]
fn a_change_waits_for_its_dependency_then_applies_and_is_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let mut laptop = Journal::open(dir.path().join("laptop.onward")).unwrap();
    let entry = laptop
        .add_entry(Entry::new(EntryKind::Free, "A first draft", Utc::now()))
        .unwrap();
    laptop
        .update::<Entry>(&entry.meta.id, |e| {
            e.body = "The second version, about lighthouses".into();
            Ok(())
        })
        .unwrap();
    let changes = changes_of(&mut laptop);
    assert_eq!(changes.len(), 3, "genesis, add, edit");

    let path = dir.path().join("phone.onward");
    let mut phone = syncing(&path);
    // The edit arrives before the entry it edits.
    let (bytes, refs) = one(&changes[2]);
    let merged = phone.merge_pulled(1, ID1, bytes, &refs).unwrap();
    assert_eq!(merged.new_changes, 0);
    assert_eq!(phone.waiting_batches().unwrap(), 1);
    assert!(matches!(
        phone.get::<Entry>(&entry.meta.id),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(phone.sync_enabled().unwrap().cursor, 1);

    // Kept across a restart.
    drop(phone);
    let mut phone = Journal::open(&path).unwrap();
    assert_eq!(phone.waiting_batches().unwrap(), 1);

    // With the journal's first change, as the relay's first batch always has it: only
    // changes whose every dependency came from the relay count as held there.
    let mut bytes = changes[0].raw_bytes().to_vec();
    bytes.extend_from_slice(changes[1].raw_bytes());
    let refs = vec![ChangeRef::from(&changes[0]), ChangeRef::from(&changes[1])];
    let merged = phone.merge_pulled(2, ID2, &bytes, &refs).unwrap();
    assert_eq!(merged.new_changes, 2);
    assert_eq!(merged.changed.ids, vec![entry.meta.id.clone()]);
    assert_eq!(phone.waiting_batches().unwrap(), 0);
    assert_eq!(
        phone.get::<Entry>(&entry.meta.id).unwrap().body,
        "The second version, about lighthouses"
    );
    assert_eq!(phone.search("lighthouses", 5).unwrap().len(), 1);
    assert_eq!(phone.sync_enabled().unwrap().cursor, 2);
    assert_eq!(
        phone.sync_enabled().unwrap().cursor_id.as_deref(),
        Some(ID2)
    );
    // The edit came before what it depends on, so it isn't counted as held by the relay
    // (the relay may have lost what it depended on): it goes out again, which changes
    // nothing for a relay or device that has it. The rest came from the relay.
    assert_eq!(phone.pending_changes().unwrap().len(), 1);
    let check = phone.check_index().unwrap();
    assert!(check.is_consistent(), "{:?}", check.differences);
}

#[test]
fn what_cannot_be_merged_changes_nothing_and_a_refusal_moves_the_cursor() {
    let dir = tempfile::tempdir().unwrap();
    let mut phone = syncing(&dir.path().join("phone.onward"));
    phone
        .add_entry(Entry::new(EntryKind::Free, "Mine", Utc::now()))
        .unwrap();
    let pending_before = phone.pending_changes().unwrap().len();

    let err = phone
        .merge_pulled(1, ID1, b"not automerge at all", &[])
        .unwrap_err();
    assert!(matches!(err, Error::Document(_)), "{err}");
    // Another journal's document: valid Automerge of another shape.
    let mut stranger = AutoCommit::new();
    stranger.put(ROOT, "entries", "not a map").unwrap();
    let err = phone
        .merge_pulled(1, ID1, &stranger.save(), &[])
        .unwrap_err();
    assert!(err.to_string().contains("different journal"), "{err}");
    assert_eq!(phone.sync_enabled().unwrap().cursor, 0);
    assert_eq!(phone.pending_changes().unwrap().len(), pending_before);
    assert_eq!(phone.search("Mine", 5).unwrap().len(), 1);

    phone
        .refuse_pulled(&RefusedBatch {
            seq: 1,
            batch_id: ID1.into(),
            reason: "it didn't open".into(),
            at: Utc::now(),
            prev_id: None,
        })
        .unwrap();
    assert_eq!(phone.sync_enabled().unwrap().cursor, 1);
    assert_eq!(
        phone.sync_enabled().unwrap().cursor_id.as_deref(),
        Some(ID1)
    );
    let refused = phone.refused_batches().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].seq, 1);
    assert_eq!(refused[0].reason, "it didn't open");
}

#[test]
fn pushed_changes_stop_being_pending_and_sync_off_keeps_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let mut laptop = syncing(&dir.path().join("laptop.onward"));
    for text in ["one", "two", "three"] {
        laptop
            .add_entry(Entry::new(EntryKind::Free, text, Utc::now()))
            .unwrap();
    }
    let pending = laptop.pending_changes().unwrap();
    assert_eq!(pending.len(), 4, "genesis and three entries");
    let first_two: Vec<ChangeRef> = pending[..2].iter().map(ChangeRef::from).collect();
    laptop.record_pushed(&first_two, 1, ID1).unwrap();
    let left = laptop.pending_changes().unwrap();
    assert_eq!(left.len(), 2);
    assert_eq!(left[0].hash(), pending[2].hash());

    assert!(matches!(
        enable(&mut laptop, "laptop"),
        Err(Error::SyncAlreadyEnabled { .. })
    ));
    assert!(laptop.disable_sync().unwrap());
    assert!(laptop.sync_settings().unwrap().is_none());
    assert!(matches!(
        laptop.pending_changes(),
        Err(Error::SyncNotEnabled)
    ));
    assert_eq!(laptop.search("three", 5).unwrap().len(), 1);
    assert!(!laptop.disable_sync().unwrap());
}

/// A journal much smaller than a snapshot (a new device with one entry of its own)
/// takes the snapshot whole: every record of both is there and indexed as a rebuild
/// would, the index build reports from 0 to the total, the cursor moves to what the
/// snapshot covers, its own entry stays pending for the relay, and all of it is saved.
#[test]
fn a_small_journal_takes_a_big_snapshot_whole_and_keeps_its_own_changes() {
    use onward_core::sync::sealed::SnapshotHeader;
    let dir = tempfile::tempdir().unwrap();
    let mut laptop = Journal::open(dir.path().join("laptop.onward")).unwrap();
    let mut theirs = Vec::new();
    for i in 0..40 {
        let body = format!("Day {i}: wrote to the hiring manager about the lighthouse project");
        let entry = laptop
            .add_entry(Entry::new(EntryKind::Free, body, Utc::now()))
            .unwrap();
        theirs.push(entry.meta.id);
    }
    let snapshot = laptop.document_bytes().unwrap();
    let heads = AutoCommit::load(&snapshot).unwrap().get_heads();

    let path = dir.path().join("phone.onward");
    let mut phone = syncing(&path);
    let mine = phone
        .add_entry(Entry::new(
            EntryKind::Free,
            "Written on the phone",
            Utc::now(),
        ))
        .unwrap();
    let header = SnapshotHeader {
        covers: 7,
        covers_id: ID1.into(),
        heads,
    };
    let reports = std::sync::Mutex::new(Vec::new());
    let merged = phone
        .merge_snapshot_reporting(&header, &snapshot, &|done, total| {
            reports.lock().unwrap().push((done, total))
        })
        .unwrap();
    assert_eq!(merged.new_changes, 40, "the laptop's entries");
    assert_eq!(merged.changed.ids.len(), 41);
    let reports = reports.into_inner().unwrap();
    assert_eq!(reports.first(), Some(&(0, 41)));
    assert_eq!(reports.last(), Some(&(41, 41)));
    assert!(phone.check_index().unwrap().is_consistent());
    assert_eq!(phone.sync_enabled().unwrap().cursor, 7);
    let pending = phone.pending_changes().unwrap();
    assert_eq!(
        pending.len(),
        1,
        "only the phone's own entry is not on the relay"
    );

    drop(phone);
    let mut phone = Journal::open(&path).unwrap();
    for id in theirs.iter().chain([&mine.meta.id]) {
        phone.get::<Entry>(id).unwrap();
    }
    assert_eq!(phone.search("lighthouse", 100).unwrap().len(), 40);
    assert!(phone.check_index().unwrap().is_consistent());
    assert_eq!(
        phone.storage_sizes().unwrap().snapshot_bytes,
        snapshot.len() as i64,
        "the snapshot is stored as it came"
    );
}

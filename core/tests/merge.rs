//! Two copies of one journal, edited apart, merged: nothing is lost.

use automerge::{transaction::Transactable, AutoCommit, ReadDoc, ROOT};
use chrono::{TimeZone, Utc};
use onward_core::model::*;
use onward_core::{Filter, Journal};
use std::path::PathBuf;

fn open(dir: &tempfile::TempDir, name: &str) -> (PathBuf, Journal) {
    let path = dir.path().join(name);
    let j = Journal::open(&path).unwrap();
    (path, j)
}

#[test]
fn two_offline_edits_of_the_same_text_both_survive() {
    let dir = tempfile::tempdir().unwrap();
    let (laptop_path, mut laptop) = open(&dir, "laptop.onward");
    let entry = laptop
        .add_entry(Entry::new(
            EntryKind::RejectionReflection,
            "It stung.\nI still know my craft.",
            Utc::now(),
        ))
        .unwrap();

    // The phone starts as a copy of the laptop's journal.
    let (phone_path, mut phone) = open(&dir, "phone.onward");
    phone.merge_file(&laptop_path).unwrap();
    assert_eq!(phone.get::<Entry>(&entry.meta.id).unwrap().body, entry.body);

    // Offline, both edit the same body.
    laptop
        .update::<Entry>(&entry.meta.id, |e| {
            e.body = "It stung, on the train home.\nI still know my craft.".into();
            Ok(())
        })
        .unwrap();
    phone
        .update::<Entry>(&entry.meta.id, |e| {
            e.body.push_str("\nTomorrow: coffee with Sam.");
            Ok(())
        })
        .unwrap();

    laptop.merge_file(&phone_path).unwrap();
    phone.merge_file(&laptop_path).unwrap();
    let on_laptop = laptop.get::<Entry>(&entry.meta.id).unwrap().body;
    let on_phone = phone.get::<Entry>(&entry.meta.id).unwrap().body;
    assert_eq!(on_laptop, on_phone);
    assert!(on_laptop.contains("on the train home"), "{on_laptop}");
    assert!(on_laptop.contains("coffee with Sam"), "{on_laptop}");
    // Both versions are kept and the record says so.
    let merged = laptop.get::<Entry>(&entry.meta.id).unwrap();
    assert_eq!(merged.meta.conflicts, ["body"]);
    assert!(laptop.check_index().unwrap().is_consistent());
    assert_eq!(laptop.search("coffee", 5).unwrap().len(), 1);
    assert_eq!(laptop.search("train", 5).unwrap().len(), 1);

    // The person tidies it up on the phone; that settles it on both after a merge.
    phone
        .update::<Entry>(&entry.meta.id, |e| {
            e.body =
                "It stung, on the train home.\nI still know my craft.\nTomorrow: coffee with Sam."
                    .into();
            Ok(())
        })
        .unwrap();
    laptop.merge_file(&phone_path).unwrap();
    let settled = laptop.get::<Entry>(&entry.meta.id).unwrap();
    assert!(settled.meta.conflicts.is_empty());
    assert_eq!(settled.body.lines().count(), 3);
}

#[test]
fn journals_created_apart_merge_without_hiding_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut a) = open(&dir, "a.onward");
    let (b_path, mut b) = open(&dir, "b.onward");
    a.add_application(Application::new("Acme", "Dev")).unwrap();
    b.add_application(Application::new("Globex", "Ops"))
        .unwrap();
    let changed = a.merge_file(&b_path).unwrap();
    assert_eq!(changed.ids.len(), 1);
    let companies: Vec<String> = a
        .list::<Application>()
        .unwrap()
        .into_iter()
        .map(|x| x.company)
        .collect();
    assert_eq!(companies.len(), 2, "{companies:?}");
    // Merging the same copy again changes nothing.
    assert!(a.merge_file(&b_path).unwrap().ids.is_empty());
}

#[test]
fn fields_from_a_newer_version_are_kept_through_edits() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut j) = open(&dir, "j.onward");
    let app = j.add_application(Application::new("Acme", "Dev")).unwrap();

    // A newer Onward adds a field this version does not know.
    let mut doc = AutoCommit::load(&j.document_bytes().unwrap()).unwrap();
    let apps = doc.get(ROOT, "applications").unwrap().unwrap().1;
    let obj = doc.get(&apps, app.meta.id.as_str()).unwrap().unwrap().1;
    doc.put(&obj, "team_size", 12_i64).unwrap();
    doc.commit();
    let (other_path, mut other) = open(&dir, "newer.onward");
    other.merge_bytes(&doc.save()).unwrap();
    drop(other);
    j.merge_file(&other_path).unwrap();

    // This version edits the record: the unknown field stays.
    j.move_stage(&app.meta.id, Stage::Screening, None).unwrap();
    let saved = AutoCommit::load(&j.document_bytes().unwrap()).unwrap();
    let apps = saved.get(ROOT, "applications").unwrap().unwrap().1;
    let obj = saved.get(&apps, app.meta.id.as_str()).unwrap().unwrap().1;
    let team = saved.get(&obj, "team_size").unwrap().unwrap().0;
    assert_eq!(team.as_i64(), Some(12));
    let _ = path;
}

#[test]
fn bytes_that_are_not_automerge_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut j) = open(&dir, "j.onward");
    j.create(Mood::new(3, Utc::now())).unwrap();
    let before = j.document_bytes().unwrap();
    let err = j.merge_bytes(b"definitely not automerge").unwrap_err();
    assert!(err.to_string().contains("could not be read"), "{err}");
    assert_eq!(j.document_bytes().unwrap(), before);
    assert_eq!(j.list::<Mood>().unwrap().len(), 1);
}

#[test]
fn concurrent_tag_additions_on_two_devices_both_stay() {
    let dir = tempfile::tempdir().unwrap();
    let (a_path, mut a) = open(&dir, "a.onward");
    let app = a.add_application(Application::new("Acme", "Dev")).unwrap();
    let (b_path, mut b) = open(&dir, "b.onward");
    b.merge_file(&a_path).unwrap();
    a.retag(&app.meta.id, &["dream-job".into()], &[]).unwrap();
    b.retag(&app.meta.id, &["remote".into()], &[]).unwrap();
    a.merge_file(&b_path).unwrap();
    let tags = a.record(&app.meta.id).unwrap().meta().tags.clone();
    assert_eq!(tags, ["dream-job", "remote"]);
}

#[test]
fn a_different_journal_s_changes_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut j) = open(&dir, "j.onward");
    let app = j.add_application(Application::new("Acme", "Dev")).unwrap();
    // Some other Automerge document that also has an "applications" map.
    let mut stranger = AutoCommit::new();
    stranger
        .put_object(ROOT, "applications", automerge::ObjType::Map)
        .unwrap();
    stranger.commit();
    let err = j.merge_bytes(&stranger.save()).unwrap_err();
    assert!(err.to_string().contains("different journal"), "{err}");
    // Nothing was hidden, in memory or on disk.
    assert_eq!(j.list::<Application>().unwrap().len(), 1);
    j.move_stage(&app.meta.id, Stage::Screening, None).unwrap();
    let reopened = Journal::open(j.path()).unwrap();
    assert_eq!(
        reopened.get::<Application>(&app.meta.id).unwrap().stage,
        Stage::Screening
    );
}

#[test]
fn records_put_as_they_are_keep_ids_and_times_and_are_not_doubled() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut source) = open(&dir, "source.onward");
    let app = source
        .add_application(Application::new("Acme", "Dev"))
        .unwrap();
    source.create(Mood::new(4, Utc::now())).unwrap();
    let records: Vec<Record> = source
        .timeline(&onward_core::Filter::default())
        .unwrap()
        .into_iter()
        .map(|l| l.record)
        .collect();

    let (_, mut copy) = open(&dir, "copy.onward");
    let mut seen = Vec::new();
    let stored = copy
        .put_records(records.clone(), true, &mut |done, total| {
            seen.push((done, total))
        })
        .unwrap();
    assert_eq!((stored.written, stored.skipped), (2, 0));
    assert_eq!(seen, [(2, 2)]);
    assert_eq!(copy.get::<Application>(&app.meta.id).unwrap(), app);
    let again = copy.put_records(records, true, &mut |_, _| {}).unwrap();
    assert_eq!((again.written, again.skipped), (0, 2));
    assert_eq!(
        copy.timeline(&onward_core::Filter::default())
            .unwrap()
            .len(),
        2
    );
}

/// A journal file copied from a device whose clock was decades off (in either
/// direction) merges whole: every record arrives as written, the index matches the
/// document, and the records sort by the times they carry. Automerge orders by
/// causality, not by clocks, so a wrong clock can hide nothing.
#[test]
fn a_copy_from_a_device_with_a_clock_far_off_merges_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut here) = open(&dir, "here.onward");
    let mood_here = here.create(Mood::new(3, Utc::now())).unwrap();
    let mut copies = Vec::new();
    for (name, year) in [("past.onward", 1971), ("future.onward", 2199)] {
        let (path, mut there) = open(&dir, name);
        let clock = Utc.with_ymd_and_hms(year, 6, 1, 12, 0, 0).unwrap();
        there.set_clock(move || clock);
        let mood = there.create(Mood::new(4, there.now())).unwrap();
        assert_eq!(mood.meta.created_at, clock);
        let entry = there
            .add_entry(Entry::new(
                EntryKind::Free,
                format!("Written in {year}"),
                there.now(),
            ))
            .unwrap();
        drop(there);
        copies.push((path, year, mood, entry));
    }
    for (path, year, mood, entry) in &copies {
        let changed = here.merge_file(path).unwrap();
        assert!(changed.ids.contains(&mood.meta.id), "{year}");
        let back: Entry = here.get(&entry.meta.id).unwrap();
        assert_eq!(back.body, format!("Written in {year}"));
        assert_eq!(here.get::<Mood>(&mood.meta.id).unwrap(), *mood);
    }
    assert!(here.check_index().unwrap().is_consistent());
    let listed: Vec<String> = here
        .timeline(&Filter::default())
        .unwrap()
        .into_iter()
        .map(|l| l.record.id().to_string())
        .collect();
    // Newest first, by the times the records carry: 2199, now, 1971.
    let of = |i: usize| [copies[i].2.meta.id.clone(), copies[i].3.meta.id.clone()];
    assert_eq!(listed.len(), 5);
    assert!(
        of(1).contains(&listed[0]) && of(1).contains(&listed[1]),
        "{listed:?}"
    );
    assert!(
        of(0).contains(&listed[3]) && of(0).contains(&listed[4]),
        "{listed:?}"
    );
    assert!(listed.contains(&mood_here.meta.id));
    // And the other way: the far-off copies take this journal in as well.
    let here_path = dir.path().join("here.onward");
    drop(here);
    for (path, year, ..) in &copies {
        let mut there = Journal::open(path).unwrap();
        there.merge_file(&here_path).unwrap();
        assert!(there.record(&mood_here.meta.id).is_ok(), "{year}");
        assert!(there.check_index().unwrap().is_consistent(), "{year}");
    }
}

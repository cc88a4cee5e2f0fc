//! Property: random edits on two copies of a journal, merged in either order, give the
//! same document and the same index on both.

use chrono::Utc;
use onward_core::model::*;
use onward_core::store::index;
use onward_core::{Filter, Journal};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    AddApplication(u8),
    MoveStage(usize, Stage),
    AppendNotes(usize, String),
    AddEntry(String),
    RewriteBody(usize, String),
    Delete(usize),
    Restore(usize),
    Tag(usize, u8),
    /// Merge the other copy into this one mid-way.
    MergeOther,
}

fn op() -> impl Strategy<Value = Op> {
    let stage = prop::sample::select(Stage::ALL.to_vec());
    let words = "[a-z]{1,8}( [a-z]{1,8}){0,4}";
    prop_oneof![
        any::<u8>().prop_map(Op::AddApplication),
        (any::<usize>(), stage).prop_map(|(i, s)| Op::MoveStage(i, s)),
        (any::<usize>(), words).prop_map(|(i, t)| Op::AppendNotes(i, t)),
        words.prop_map(Op::AddEntry),
        (any::<usize>(), words).prop_map(|(i, t)| Op::RewriteBody(i, t)),
        any::<usize>().prop_map(Op::Delete),
        any::<usize>().prop_map(Op::Restore),
        (any::<usize>(), 0u8..4).prop_map(|(i, t)| Op::Tag(i, t)),
        Just(Op::MergeOther),
    ]
}

fn ids(j: &Journal, kind: Kind) -> Vec<String> {
    let filter = Filter {
        kinds: vec![kind],
        include_deleted: true,
        limit: 10_000,
        ..Default::default()
    };
    let mut ids: Vec<String> = j
        .timeline(&filter)
        .unwrap()
        .iter()
        .map(|l| l.record.id().to_string())
        .collect();
    ids.sort();
    ids
}

fn pick(list: &[String], i: usize) -> Option<&String> {
    (!list.is_empty()).then(|| &list[i % list.len()])
}

fn apply(j: &mut Journal, other: &std::path::Path, op: &Op) {
    let apps = ids(j, Kind::Application);
    let entries = ids(j, Kind::Entry);
    let all: Vec<String> = apps.iter().chain(&entries).cloned().collect();
    match op {
        Op::AddApplication(n) => {
            j.add_application(Application::new(format!("Company {n}"), "Engineer"))
                .unwrap();
        }
        Op::MoveStage(i, stage) => {
            if let Some(id) = pick(&apps, *i) {
                j.move_stage(id, *stage, None).unwrap();
            }
        }
        Op::AppendNotes(i, text) => {
            if let Some(id) = pick(&apps, *i) {
                j.update::<Application>(id, |a| {
                    a.notes.push_str(text);
                    a.notes.push('\n');
                    Ok(())
                })
                .unwrap();
            }
        }
        Op::AddEntry(text) => {
            j.add_entry(Entry::new(EntryKind::Free, text.clone(), Utc::now()))
                .unwrap();
        }
        Op::RewriteBody(i, text) => {
            if let Some(id) = pick(&entries, *i) {
                j.update::<Entry>(id, |e| {
                    e.body = format!("{text} {}", e.body);
                    Ok(())
                })
                .unwrap();
            }
        }
        Op::Delete(i) => {
            if let Some(id) = pick(&all, *i) {
                j.delete(id).unwrap();
            }
        }
        Op::Restore(i) => {
            if let Some(id) = pick(&all, *i) {
                j.restore(id).unwrap();
            }
        }
        Op::Tag(i, t) => {
            if let Some(id) = pick(&all, *i) {
                j.retag(id, &[format!("tag{t}")], &[]).unwrap();
            }
        }
        Op::MergeOther => {
            j.merge_file(other).unwrap();
        }
    }
}

fn heads(j: &mut Journal) -> Vec<String> {
    let mut heads: Vec<String> = j
        .with_document(|d| Ok(d.heads()))
        .unwrap()
        .iter()
        .map(|h| h.to_string())
        .collect();
    heads.sort();
    heads
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn copies_converge(
        shared in prop::collection::vec(op(), 0..6),
        on_a in prop::collection::vec(op(), 0..12),
        on_b in prop::collection::vec(op(), 0..12),
        a_first in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (pa, pb) = (dir.path().join("a.onward"), dir.path().join("b.onward"));
        let mut a = Journal::open(&pa).unwrap();
        let mut b = Journal::open(&pb).unwrap();
        for op in &shared {
            apply(&mut a, &pb, op);
        }
        b.merge_file(&pa).unwrap();
        // Interleave the two devices' offline edits.
        for i in 0..on_a.len().max(on_b.len()) {
            if let Some(op) = on_a.get(i) { apply(&mut a, &pb, op); }
            if let Some(op) = on_b.get(i) { apply(&mut b, &pa, op); }
        }
        if a_first {
            a.merge_file(&pb).unwrap();
            b.merge_file(&pa).unwrap();
        } else {
            b.merge_file(&pa).unwrap();
            a.merge_file(&pb).unwrap();
        }
        prop_assert_eq!(heads(&mut a), heads(&mut b));
        prop_assert_eq!(index::dump(a.connection()).unwrap(), index::dump(b.connection()).unwrap());
        prop_assert!(a.check_index().unwrap().is_consistent());
        prop_assert!(b.check_index().unwrap().is_consistent());
    }
}

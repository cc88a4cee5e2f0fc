//! The Automerge export opens in other Automerge tools: a separate program that knows
//! nothing of Onward (`read-automerge`, the automerge crate alone) reads records by the
//! paths docs/DOCUMENT.md gives.

use chrono::Utc;
use onward_core::model::{Application, Entry, EntryKind, Stage};
use onward_core::{export, Journal};
use std::process::Command;

#[test]
fn the_automerge_export_is_read_by_the_paths_the_docs_give() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path().join("j.onward")).unwrap();
    let mut app = Application::new("Zoë & Co", "Data Engineer");
    app.applied_at = Some(Utc::now());
    let app = j.add_application(app).unwrap();
    j.move_stage(&app.meta.id, Stage::Screening, None).unwrap();
    j.retag(&app.meta.id, &["dream".into(), "berlin".into()], &[])
        .unwrap();
    let mut entry = Entry::new(EntryKind::Debrief, "Felt good overall.", Utc::now());
    entry
        .answers
        .insert("showed".into(), "The caching trade-offs.".into());
    let entry = j.add_entry(entry).unwrap();

    let file = dir.path().join("journal.automerge");
    std::fs::write(&file, export::automerge::bytes(&mut j).unwrap()).unwrap();
    drop(j);

    let (a, e) = (&app.meta.id, &entry.meta.id);
    let paths = [
        "layout".to_string(),
        format!("applications/{a}/company"),
        format!("applications/{a}/stage"),
        format!("applications/{a}/history"),
        format!("applications/{a}/tags"),
        format!("entries/{e}/body"),
        format!("entries/{e}/answers/showed"),
    ];
    let out = Command::new(env!("CARGO_BIN_EXE_read-automerge"))
        .arg(&file)
        .args(&paths)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0], 1, "layout version");
    assert_eq!(lines[1], "Zoë & Co");
    assert_eq!(lines[2], "screening");
    assert_eq!(lines[3], 2, "applied, then screening");
    assert_eq!(lines[4], serde_json::json!(["berlin", "dream"]));
    assert_eq!(lines[5], "Felt good overall.");
    assert_eq!(lines[6], "The caching trade-offs.");
}

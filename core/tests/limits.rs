//! Sizes beyond the usual work, or fail in a few clear words. The full sizes and their
//! peak memory are measured by `onward-bench --limits` (see RELIABILITY.md); these are
//! the outcomes, at sizes an unoptimised test build gets through quickly.

use chrono::{TimeZone, Utc};
use onward_core::import::{csv, json};
use onward_core::model::{Entry, EntryKind, Kind};
use onward_core::Journal;

/// Random-looking bytes without a newline (a photo, an archive, a disk image).
fn random_bytes(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            match state as u8 {
                b'\n' | b'\r' => b'x',
                b => b,
            }
        })
        .collect()
}

#[test]
fn a_five_megabyte_entry_is_kept_whole_found_and_edited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.onward");
    let mut text = "I went over the interview again and wrote down what I learned. ".repeat(84_000);
    text.push_str("lighthouse");
    assert!(text.len() > 5 << 20);
    let at = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
    let id = {
        let mut j = Journal::open(&path).unwrap();
        j.add_entry(Entry::new(EntryKind::Free, text.clone(), at))
            .unwrap()
            .meta
            .id
    };
    let mut j = Journal::open(&path).unwrap();
    let back: Entry = j.get(&id).unwrap();
    assert!(back.body == text, "the entry came back changed");
    assert_eq!(j.search("lighthouse", 5).unwrap().len(), 1);
    j.update::<Entry>(&id, |e| {
        e.body.push_str(" And then I slept.");
        Ok(())
    })
    .unwrap();
    drop(j);
    let j = Journal::open(&path).unwrap();
    assert!(j
        .get::<Entry>(&id)
        .unwrap()
        .body
        .ends_with("And then I slept."));
}

#[test]
fn a_big_csv_imports_every_row() {
    let rows = 1_000;
    let mut text = String::from("Company,Role,Status,Applied,Notes\n");
    for i in 0..rows {
        text.push_str(&format!(
            "Company {i},Engineer {},Applied,2025-{:02}-{:02},\"note, {i}\"\n",
            i % 7,
            i % 12 + 1,
            i % 28 + 1
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path().join("j.onward")).unwrap();
    let parsed = csv::read(text.as_bytes(), &csv::Options::default(), j.zone(), j.now()).unwrap();
    assert_eq!((parsed.rows.len(), parsed.errors.len()), (rows, 0));
    let done = csv::import(&mut j, parsed.rows, &mut |_, _| {}).unwrap();
    assert_eq!(done.added, rows);
    assert_eq!(j.counts().unwrap(), vec![(Kind::Application, rows as i64)]);
}

#[test]
fn megabytes_of_random_bytes_are_refused_in_a_few_words() {
    let bytes = random_bytes(5 << 20);
    let now = Utc::now();
    let err = csv::read(
        &bytes,
        &csv::Options::default(),
        onward_core::zone::DEFAULT,
        now,
    )
    .expect_err("not a spreadsheet");
    let message = err.to_string();
    assert!(
        message.contains("no column names a company or a role"),
        "{message:.300}"
    );
    assert!(
        message.len() < 1_000,
        "a message of {} bytes",
        message.len()
    );

    let text = String::from_utf8_lossy(&bytes);
    let err = json::parse(&text).expect_err("not an export");
    assert!(err.to_string().len() < 1_000);
    assert!(err.to_string().contains("not valid JSON"), "{err}");
}

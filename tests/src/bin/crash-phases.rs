//! `crash-phases JOURNAL_PATH SEED MODE ARGS...`: the crash tests' writer for the long
//! actions beyond a person's single writes. It prints what it has done as it goes, in the
//! line protocol of `onward_tests::crash` (flushed lines), and the tests kill it at
//! random moments:
//!
//! - `import csv|json FILE`: imports FILE as the CLI does (`progress import DONE TOTAL`
//!   after each batch committed), then exits.
//! - `merge OTHER`: merges another journal file into this one, then exits.
//! - `push`: on a journal that syncs, over and over: writes a few records (acknowledged
//!   like `crash-writer`'s), pushes them (`progress pushing DONE TOTAL` after each batch
//!   the relay acknowledged), and every other time pulls and uploads a snapshot
//!   (`progress uploading BYTES TOTAL` as it starts and after each part); runs until
//!   killed.

use onward_core::import::{csv, json};
use onward_core::model::{Entry, EntryKind, Mood};
use onward_core::sync::{self, Phase, Progress, SyncRuntime};
use onward_core::Journal;
use onward_tests::crash::{emit, record_check, words, Line, IMPORT_NOW};
use rand::prelude::*;
use std::process::exit;
use std::sync::Mutex;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!(
            "usage: crash-phases JOURNAL_PATH SEED import csv|json FILE | merge OTHER | push"
        );
        exit(2);
    }
    let seed: u64 = args[2].parse().unwrap_or_else(|_| {
        eprintln!("crash-phases: SEED must be a number");
        exit(2)
    });
    emit(&Line::Opening);
    let j = Journal::open(&args[1]).unwrap_or_else(|e| fail("open", e));
    emit(&Line::Open);
    match (args[3].as_str(), args.get(4), args.get(5)) {
        ("import", Some(format), Some(file)) => import(j, format, file),
        ("merge", Some(other), None) => merge(j, other),
        ("push", None, None) => push_until_killed(j, seed),
        _ => {
            eprintln!("crash-phases: unknown mode {:?}", &args[3..]);
            exit(2)
        }
    }
}

fn fail(what: &str, e: onward_core::Error) -> ! {
    eprintln!("crash-phases: {what} failed: {e}");
    exit(1)
}

fn try_op(op: &str) {
    emit(&Line::Try {
        op: op.to_string(),
        creates: 0,
        ids: vec![],
    });
}

fn done(op: &str) {
    emit(&Line::Done { op: op.to_string() });
}

fn progress(what: &str, done: usize, total: usize) {
    emit(&Line::Progress {
        what: what.to_string(),
        done: done as u64,
        total: total as u64,
    });
}

fn import(mut j: Journal, format: &str, file: &str) {
    let bytes = std::fs::read(file).unwrap_or_else(|e| {
        eprintln!("crash-phases: reading {file}: {e}");
        exit(1)
    });
    let on_batch = &mut |done, total| progress("import", done, total);
    try_op("import");
    match format {
        "csv" => {
            let now = IMPORT_NOW.parse().expect("a valid instant");
            let parsed = csv::read(&bytes, &csv::Options::default(), j.zone(), now)
                .unwrap_or_else(|e| fail("reading the CSV", e));
            csv::import(&mut j, parsed.rows, on_batch).unwrap_or_else(|e| fail("import", e));
        }
        "json" => {
            let text = String::from_utf8(bytes).unwrap_or_else(|_| exit(1));
            let parsed = json::parse(&text).unwrap_or_else(|e| fail("reading the JSON", e));
            json::store(&mut j, parsed, on_batch).unwrap_or_else(|e| fail("import", e));
        }
        other => {
            eprintln!("crash-phases: import csv or json, not {other}");
            exit(2)
        }
    }
    done("import");
}

fn merge(mut j: Journal, other: &str) {
    try_op("merge");
    j.merge_file(std::path::Path::new(other))
        .unwrap_or_else(|e| fail("merge", e));
    done("merge");
}

/// Writes, pushes and now and then uploads a snapshot until killed.
fn push_until_killed(j: Journal, seed: u64) -> ! {
    let mut rng = StdRng::seed_from_u64(seed);
    let journal = Mutex::new(j);
    let rt = SyncRuntime::new().unwrap_or_else(|e| fail("starting sync", e));
    let on_progress = |p: Progress| match p.phase {
        Phase::Pushing => progress("pushing", p.done as usize, p.total as usize),
        Phase::UploadingSnapshot => progress("uploading", p.done as usize, p.total as usize),
        _ => {}
    };
    for round in 0.. {
        for _ in 0..rng.random_range(1..=3) {
            write_one(&journal, &mut rng);
        }
        try_op("push");
        rt.block_on(sync::push(&journal, rt.relays(), &on_progress))
            .unwrap_or_else(|e| fail("push", e));
        done("push");
        if round % 2 == 1 {
            // A snapshot is made only by a device that pulled what the relay holds.
            try_op("pull");
            rt.block_on(sync::pull(&journal, rt.relays(), &|_| {}))
                .unwrap_or_else(|e| fail("pull", e));
            done("pull");
            try_op("snapshot");
            rt.block_on(sync::upload_snapshot(&journal, rt.relays(), &on_progress))
                .unwrap_or_else(|e| fail("snapshot upload", e));
            done("snapshot");
        }
    }
    unreachable!("the loop above runs until the process is killed")
}

/// One acknowledged write: an entry (now and then a long one) or a mood.
fn write_one(journal: &Mutex<Journal>, rng: &mut StdRng) {
    let mut j = journal.lock().unwrap_or_else(|p| p.into_inner());
    let now = j.now();
    let written = if rng.random_bool(0.7) {
        let len = if rng.random_bool(0.2) { 4_000 } else { 300 };
        let entry = Entry::new(EntryKind::Free, words(rng, 10, len), now);
        begin("add_entry", &entry.meta.id);
        j.add_entry(entry).map(|e| e.meta.id)
    } else {
        let mood = Mood::new(rng.random_range(1..=5), now);
        begin("add_mood", &mood.meta.id);
        j.create(mood).map(|m| m.meta.id)
    };
    let id = written.unwrap_or_else(|e| fail("a write", e));
    let record = j.record(&id).unwrap_or_else(|e| fail("reading back", e));
    emit(&Line::Ack {
        id,
        check: record_check(&record),
    });
    done("write");
}

fn begin(op: &str, id: &str) {
    emit(&Line::Try {
        op: op.to_string(),
        creates: 0,
        ids: vec![(id.to_string(), true)],
    });
}

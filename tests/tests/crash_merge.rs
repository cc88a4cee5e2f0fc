//! Crash safety of a merge: `Journal::merge_file` of another journal file, killed at any
//! moment, leaves every record of this journal as it was or as the other file had it at
//! some point of its history (never something else), the other file untouched, and
//! merging again finishes the job.
//!
//! Knobs: `ONWARD_CRASH_MERGE_KILLS` (8), `ONWARD_CRASH_MERGE_WRITES` (60: writes the
//! other journal made after the two parted); `ONWARD_CRASH_SEED` replays a run.

mod crash_support;

use crash_support::*;
use onward_core::model::{Entry, EntryKind};
use onward_core::Journal;
use onward_tests::crash::{record_check, words};
use rand::prelude::*;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// Checks a killed merge: this journal's own records as they were, the shared ones as
/// they were or at a version the other file had, the other's as it had them or absent.
/// Returns how many of the other's records are there.
fn verify_merge(
    seen: &Seen,
    own: &Model,
    shared: &Model,
    history: &HashMap<String, HashSet<String>>,
) -> Result<usize, String> {
    let mut from_other = 0;
    for (id, want) in own {
        if seen.checks.get(id) != Some(want) {
            return Err(format!("{id}, written here only, is gone or changed"));
        }
    }
    for id in shared.keys() {
        if !seen.checks.contains_key(id) {
            return Err(format!("{id}, which both journals had, is gone"));
        }
    }
    for (id, got) in &seen.checks {
        if own.contains_key(id) {
            continue;
        }
        let as_before = shared.get(id) == Some(got);
        let as_other = history.get(id).is_some_and(|h| h.contains(got));
        if !(as_before || as_other) {
            return Err(format!(
                "{id} is neither as this journal had it nor as the other file ever had it"
            ));
        }
        from_other += usize::from(as_other && !as_before);
    }
    Ok(from_other)
}

#[test]
fn a_merge_killed_midway_keeps_every_record_as_one_side_wrote_it() {
    let seed = seed_from_env("merge crash test");
    let kills = env_number("ONWARD_CRASH_MERGE_KILLS", 8);
    let writes = env_number("ONWARD_CRASH_MERGE_WRITES", 60) as usize;
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch();
    let started = Instant::now();

    // A journal both sides share, compacted, ...
    let shared_path = dir.join("shared.onward");
    let mut entries = Vec::new();
    {
        let mut j = Journal::open(&shared_path).unwrap();
        for _ in 0..20 {
            let body = words(&mut rng, 20, 400);
            let entry = j
                .add_entry(Entry::new(EntryKind::Free, body, j.now()))
                .unwrap();
            entries.push(entry.meta.id);
        }
        j.compact().unwrap();
    }
    let shared = inspect(&shared_path).unwrap().checks;
    // ... the other file, which went on alone: new entries and edits of shared ones,
    // each its own change chunk, every version of every record noted.
    let other_path = dir.join("other.onward");
    std::fs::copy(&shared_path, &other_path).unwrap();
    // Another device writes as another Automerge actor. (A file copied by hand keeps its
    // actor: two copies both written to then don't merge, "duplicate seq".)
    onward_core::store::page_checksums::connect_default(&other_path)
        .unwrap()
        .execute("DELETE FROM journal_meta WHERE key = 'actor'", [])
        .unwrap();
    let mut history: HashMap<String, HashSet<String>> = HashMap::new();
    {
        let mut j = Journal::open(&other_path).unwrap();
        for n in 0..writes {
            let id = if rng.random_bool(0.6) {
                let body = words(&mut rng, 20, 600);
                let entry = j
                    .add_entry(Entry::new(EntryKind::Free, body, j.now()))
                    .unwrap();
                entries.push(entry.meta.id.clone());
                entry.meta.id
            } else {
                let id = entries.choose(&mut rng).unwrap().clone();
                let more = words(&mut rng, 5, 200);
                j.update::<Entry>(&id, |e| {
                    e.body.push_str(&more);
                    Ok(())
                })
                .unwrap();
                id
            };
            let check = record_check(&j.record(&id).unwrap());
            history.entry(id).or_default().insert(check);
            // As the apps' background tidy does: each write becomes a change chunk of
            // its own, so that a kill can land between two of them. The last few stay
            // waiting in the outbox, which the merge reads too.
            if n + 5 < writes {
                j.apply_pending().unwrap();
            }
        }
    }
    let other = inspect(&other_path).unwrap().checks;
    let other_before = fingerprint(&other_path);
    // ... and this journal, which wrote a few of its own.
    let mine_path = dir.join("mine.onward");
    std::fs::copy(&shared_path, &mine_path).unwrap();
    {
        let mut j = Journal::open(&mine_path).unwrap();
        for _ in 0..3 {
            let body = words(&mut rng, 20, 200);
            j.add_entry(Entry::new(EntryKind::Free, body, j.now()))
                .unwrap();
        }
    }
    let mine = inspect(&mine_path).unwrap().checks;
    let own: Model = mine
        .iter()
        .filter(|(id, _)| !shared.contains_key(*id))
        .map(|(id, c)| (id.clone(), c.clone()))
        .collect();
    // What a whole merge leaves: the other's records and this journal's own.
    let mut whole = other.clone();
    whole.extend(own.clone());

    // How long a whole merge takes here, to aim the kills into it.
    let probe = dir.join("probe.onward");
    std::fs::copy(&mine_path, &probe).unwrap();
    let took = {
        let t = Instant::now();
        Journal::open(&probe)
            .unwrap()
            .merge_file(&other_path)
            .unwrap();
        t.elapsed()
    };
    assert_eq!(inspect(&probe).unwrap().checks, whole, "a whole merge");
    // Within it (the other process also reads the other file first); the window then
    // follows what the kills find.
    let mut window_us = took.as_micros() as u64 * 4 / 5 + 1_000;

    let (mut mid_merge, mut partly, mut finished, mut checked) = (0, 0, 0, 0);
    for round in 0..kills {
        let path = dir.join(format!("round-{round}.onward"));
        std::fs::copy(&mine_path, &path).unwrap();
        let delay = Duration::from_micros(rng.random_range(0..=window_us));
        let other_arg = other_path.to_str().unwrap();
        let killed = run_phase_and_kill(
            &path,
            rng.random(),
            &["merge", other_arg],
            Aim::after("try merge"),
            delay,
        )
        .unwrap_or_else(|e| fail(&dir, seed, round, e));
        let run = apply(&killed.stdout, &mut Model::new());
        let outcome = inspect(&path).and_then(|seen| {
            let from_other = verify_merge(&seen, &own, &shared, &history)?;
            if run.opened && run.pending.is_none() && seen.checks != whole {
                return Err("the merge said it was done, but not everything is there".into());
            }
            if fingerprint(&other_path) != other_before {
                return Err("the other file changed: a merge only reads it".into());
            }
            Ok((seen.checks.len(), from_other))
        });
        let (n, from_other) = outcome.unwrap_or_else(|e| {
            fail(
                &dir,
                seed,
                round,
                format!("{e}\n(killed after {:?})", killed.ran),
            )
        });
        checked += n;
        let inside = run.pending.as_ref().is_some_and(|p| p.op == "merge");
        mid_merge += usize::from(inside);
        partly += usize::from(inside && from_other > 0 && n < whole.len());
        finished += usize::from(run.opened && run.pending.is_none());
        window_us = if inside {
            window_us * 5 / 4
        } else {
            (window_us * 2 / 3).max(1_000)
        };
        // Merging again finishes the job.
        let again = run_phase_and_kill(
            &path,
            rng.random(),
            &["merge", other_arg],
            Aim::Start,
            Duration::from_secs(600),
        )
        .unwrap_or_else(|e| fail(&dir, seed, round, e));
        assert!(again.finished);
        let seen = inspect(&path).unwrap_or_else(|e| fail(&dir, seed, round, e));
        if seen.checks != whole {
            fail(
                &dir,
                seed,
                round,
                "merging again after the kill did not bring everything".into(),
            );
        }
        checked += seen.checks.len();
        let _ = std::fs::remove_file(&path);
    }
    println!(
        "merge crash test: {kills} kills survived ({mid_merge} inside a merge, {partly} of them \
         with part of the other file merged; {finished} after it finished), the other file \
         {writes} writes ahead, a whole merge takes {took:.1?}, {checked} record checks, in {:.1?}",
        started.elapsed()
    );
    assert!(
        mid_merge * 2 >= kills as usize,
        "only {mid_merge} of {kills} kills landed inside a merge: the aim is off"
    );
    // The other file's writes are change chunks of their own, merged one transaction
    // each: kills inside a merge must find some merged and some not (with the writes all
    // in one chunk, a merge is one transaction and this test would prove less).
    assert!(
        partly * 4 >= mid_merge,
        "only {partly} of {mid_merge} kills inside a merge left part of the other file merged"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! Crash safety of `onward doctor --recover NEW_PATH` (the real CLI): killed at any
//! moment, it leaves either no file at NEW_PATH or a whole recovery there (what an
//! uninterrupted one gives), never a half-made journal that looks like one; the damaged
//! journal keeps its bytes and modification time; and recovering again into the same
//! path works.
//!
//! Knobs: `ONWARD_CRASH_RECOVER_KILLS` (8); `ONWARD_CRASH_SEED` replays a run.

mod crash_support;
mod sync_support;

use crash_support::*;
use onward_core::model::{Application, Entry, EntryKind};
use onward_core::Journal;
use onward_tests::crash::words;
use rand::prelude::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn recover_command(damaged: &Path, into: &Path) -> Command {
    let mut command = Command::new(sync_support::onward_binary());
    command
        .arg("--journal")
        .arg(damaged)
        .args(["doctor", "--recover"])
        .arg(into)
        .env_remove("ONWARD_JOURNAL")
        .env_remove("ONWARD_NOW")
        .env("ONWARD_TIME_ZONE", "UTC");
    command
}

/// Runs `command` and kills it with SIGKILL `delay` after `appears` exists (polled every
/// millisecond; after its start when `None`, or when the file never shows). Returns
/// whether it had finished by itself first, successfully, and how long it ran.
fn kill_when(
    mut command: Command,
    appears: Option<&Path>,
    delay: Duration,
) -> Result<(bool, Duration), String> {
    let started = Instant::now();
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut from = started;
    if let Some(path) = appears {
        while !path.exists() && started.elapsed() < Duration::from_secs(60) {
            if child.try_wait().map_err(|e| e.to_string())?.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        from = Instant::now();
    }
    while from.elapsed() < delay {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_micros(200).min(delay));
    }
    let finished = match child.try_wait().map_err(|e| e.to_string())? {
        Some(status) if status.success() => true,
        Some(status) => {
            let mut err = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
            return Err(format!("the recovery failed by itself ({status}): {err}"));
        }
        None => {
            let _ = child.kill();
            let _ = child.wait();
            false
        }
    };
    Ok((finished, started.elapsed()))
}

#[test]
fn a_recovery_killed_midway_leaves_no_half_made_journal() {
    let seed = seed_from_env("recovery crash test");
    let kills = env_number("ONWARD_CRASH_RECOVER_KILLS", 8);
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch();
    let started = Instant::now();

    // The journal recovered from: a sound one (recovery reads its snapshot, chunks and
    // index all the same; what a damaged one gives is `damage.rs`'s to test).
    let whole_path = dir.join("source.onward");
    {
        let mut j = Journal::open(&whole_path).unwrap();
        for i in 0..150 {
            let app = j
                .add_application(Application::new(format!("Company {i}"), "Analyst"))
                .unwrap();
            let mut note = Entry::new(EntryKind::Free, words(&mut rng, 20, 300), j.now());
            note.application_id = Some(app.meta.id);
            j.add_entry(note).unwrap();
        }
    }
    let damaged = whole_path;
    let damaged_before = fingerprint(&damaged);

    // What a recovery nobody interrupts gives, and how long it takes here.
    let reference_path = dir.join("reference.onward");
    sync_support::onward_binary(); // built (if need be) before anything is timed
    let t = Instant::now();
    let out = recover_command(&damaged, &reference_path).output().unwrap();
    let took = t.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference = inspect(&reference_path).unwrap().checks;
    assert!(!reference.is_empty(), "the recovery found nothing");
    // Every other kill comes a random short time after the new journal's partial file
    // appears (the part that writes it is short next to reading the source); the others
    // anywhere in the run.
    let run_us = took.as_micros() as u64 * 6 / 5;
    let mut write_window_us = 20_000u64;

    let (mut cut_off, mut not_begun, mut whole, mut checked) = (0, 0, 0, 0);
    for round in 0..kills {
        let into = dir.join(format!("recovered-{round}.onward"));
        let partial = onward_core::journal::partial_recovery_path(&into);
        let aimed = round % 2 == 0;
        let delay = Duration::from_micros(if aimed {
            rng.random_range(0..=write_window_us)
        } else {
            rng.random_range(0..=run_us)
        });
        let killed = kill_when(
            recover_command(&damaged, &into),
            aimed.then_some(&partial),
            delay,
        )
        .unwrap_or_else(|e| fail(&dir, seed, round, e));
        let began = partial.exists();
        let outcome = (|| {
            if fingerprint(&damaged) != damaged_before {
                return Err("the damaged journal changed: recovery only reads it".to_string());
            }
            if into.exists() {
                let seen = inspect(&into)?;
                if seen.checks != reference {
                    return Err(format!(
                        "a recovery cut off left a journal at the new path with {} records \
                         and states, a whole one has {}",
                        seen.checks.len(),
                        reference.len()
                    ));
                }
                checked += seen.checks.len();
            } else if killed.0 {
                return Err("the recovery said it was done, but left no file".into());
            }
            Ok(())
        })();
        if let Err(e) = outcome {
            fail(
                &dir,
                seed,
                round,
                format!("{e}\n(killed after {:?}, began: {began})", killed.1),
            );
        }
        if aimed {
            // The window follows what the aimed kills find.
            write_window_us = if into.exists() {
                (write_window_us * 2 / 3).max(200)
            } else {
                write_window_us * 5 / 4
            };
        }
        if into.exists() {
            whole += 1;
        } else {
            if began {
                cut_off += 1;
            } else {
                not_begun += 1;
            }
            // Recovering again into the same path works, a leftover notwithstanding.
            let out = recover_command(&damaged, &into).output().unwrap();
            let again = (|| {
                if !out.status.success() {
                    return Err(format!(
                        "recovering again failed: {}",
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
                if partial.exists() {
                    return Err("recovering again left its partial file behind".into());
                }
                let seen = inspect(&into)?;
                if seen.checks != reference {
                    return Err("recovering again did not give the whole recovery".into());
                }
                checked += seen.checks.len();
                Ok(())
            })();
            if let Err(e) = again {
                fail(&dir, seed, round, e);
            }
        }
    }
    println!(
        "recovery crash test (last aim {write_window_us} µs after the partial file appeared): {kills} kills survived ({cut_off} cut a recovery off midway, \
         {not_begun} before it began writing, {whole} left it whole), a recovery of {} records \
         takes {took:.1?}, {checked} record checks, in {:.1?}",
        reference.len(),
        started.elapsed()
    );
    assert!(
        cut_off * 4 >= kills as usize,
        "only {cut_off} of {kills} kills cut a recovery off midway: the aim is off"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

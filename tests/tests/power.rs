//! Power cuts and full or failing disks: an acknowledged write survives them.
//!
//! A kill (`crash.rs`) stops the writer but leaves everything it wrote in the operating
//! system's cache, which reaches the disk anyway. A power cut also loses what was
//! written but not yet synced. Here the `crash-writer` runs its files through the
//! power-cut VFS (`onward_tests::power_cut`), which at a chosen I/O call (a write, a
//! truncation or a sync of the database, its WAL or its rollback journal) takes back
//! every write since each file's last fsync, or a random torn part of them, sector by
//! sector, and ends the process. The journal is then checked as after a kill (the
//! `inspect`/`verify` steps of `crash_support`): it opens, `integrity_check` is ok, the
//! index equals a rebuild, every acknowledged record holds its last acknowledged
//! content, the write in flight is all or nothing.
//!
//! Cuts land in writes, index rebuilds and compactions (`power_cuts_lose_no_acknowledged_write`),
//! in an upgrading open (`power_cuts_during_a_migration_lose_nothing`) and in a sync
//! pull from a real relay (`power_cuts_during_a_pull_lose_nothing`).
//! `the_power_cut_harness_catches_a_writer_that_does_not_sync` shows the harness failing
//! on a writer with SQLite's durability turned down, which a kill never catches.
//! `a_full_or_failing_disk_...` fills or fails the disk under the writer.
//!
//! Knobs (environment): `ONWARD_POWER_CUTS` (30), `ONWARD_POWER_MIGRATION_CUTS` (6),
//! `ONWARD_POWER_MIGRATION_RECORDS` (40: applications, each with a note, in the old
//! journal), `ONWARD_POWER_PULL_CUTS` (4), `ONWARD_POWER_PULL_BATCHES` (8), `ONWARD_POWER_ROTATE`
//! (10: cuts per journal before a fresh one), `ONWARD_DISK_ROUNDS` (4), and
//! `ONWARD_CRASH_SEED` to replay a run. A long run:
//! `ONWARD_POWER_CUTS=300 cargo nextest run -p onward-tests --test power --no-capture`

mod crash_support;

use crash_support::*;
use onward_tests::power_cut::{
    ARMED_BY_VAR, CUT_AT_VAR, CUT_STATUS, FAILING_VAR, FULL_VAR, TEAR_VAR,
};
use rand::prelude::*;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const WRITER: &str = env!("CARGO_BIN_EXE_crash-writer");

/// The longest one writer run may take before the test gives up on it.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// How a writer run ended.
struct Ended {
    stdout: String,
    stderr: String,
    /// `None`: still running at the limit, and killed.
    status: Option<ExitStatus>,
}

impl Ended {
    fn cut(&self) -> bool {
        self.status.and_then(|s| s.code()) == Some(CUT_STATUS)
    }
}

/// Runs the writer with `env` until it ends (its power cut, or an error); one still
/// running after `limit` is killed.
fn run_writer(
    path: &Path,
    seed: u64,
    mode: &[&str],
    env: &[(&str, String)],
    limit: Duration,
) -> Result<Ended, String> {
    let mut child = Command::new(WRITER)
        .arg(path)
        .arg(seed.to_string())
        .args(mode)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {WRITER}: {e}"))?;
    let read = |mut from: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = from.read_to_string(&mut text);
            text
        })
    };
    let out = read(Box::new(child.stdout.take().expect("stdout")));
    let err = read(Box::new(child.stderr.take().expect("stderr")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Ok(Ended {
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
        status,
    })
}

/// The environment of a writer whose power goes at I/O call `at`: a clean cut, or a
/// torn one with `tear` as the seed.
fn cut_env(at: u64, tear: Option<u64>) -> Vec<(&'static str, String)> {
    let mut env = vec![(CUT_AT_VAR, at.to_string())];
    env.extend(tear.map(|seed| (TEAR_VAR, seed.to_string())));
    env
}

/// Where the cut window goes next: wider after a cut that came before the writer's
/// first action was done, narrower after one that came later, so that about a third
/// land in opening the journal and the rest among the writes.
fn adapt(window: u64, early: bool) -> u64 {
    if early {
        (window * 5 / 4).min(20_000)
    } else {
        (window * 9 / 10).max(20)
    }
}

/// What the write rounds saw, for the summary line.
#[derive(Default)]
struct Tally {
    cuts: usize,
    torn: usize,
    in_open: usize,
    in_flight: usize,
    in_compaction: usize,
    /// Cuts that left a rollback journal beside the file: inside the one write made in
    /// rollback mode, the rewrite that gives an older journal its page checksums (or a
    /// new file's switch to WAL).
    rollback_journal: usize,
    acks: usize,
    comparisons: usize,
}

/// A writer run that ends in a power cut.
struct Cut<'a> {
    /// The writer's mode (`mix`, `compact`).
    mode: &'a str,
    /// The I/O call at which the power goes.
    at: u64,
    /// `Some(seed)`: a torn cut.
    tear: Option<u64>,
    writer_seed: u64,
    /// More environment for the writer.
    extra: &'a [(&'static str, String)],
}

impl<'a> Cut<'a> {
    /// A cut at a random call up to `window`, clean or torn, of a writer in `mode`.
    fn random(rng: &mut StdRng, mode: &'a str, window: u64) -> Cut<'a> {
        Cut {
            mode,
            at: rng.random_range(1..=window),
            tear: rng.random_bool(0.5).then(|| rng.random()),
            writer_seed: rng.random(),
            extra: &[],
        }
    }
}

/// One power cut on the journal at `path`, then a check of the journal against
/// `model` (which becomes what was found).
fn cut_round(path: &Path, model: &mut Model, cut: &Cut, tally: &mut Tally) -> Result<Run, String> {
    let Cut {
        mode,
        at,
        tear,
        writer_seed,
        extra,
    } = *cut;
    let mut env = cut_env(at, tear);
    env.extend_from_slice(extra);
    let ended = run_writer(path, writer_seed, &[mode], &env, RUN_LIMIT)?;
    if !ended.cut() {
        return Err(format!(
            "the writer ended ({:?}) without its power cut at I/O call {at}:\n{}\nlast output:\n{}",
            ended.status,
            ended.stderr,
            tail(&ended.stdout, 10)
        ));
    }
    let run = apply(&ended.stdout, model);
    let describe = |e: String| {
        format!(
            "{e}\n(writer seed {writer_seed}, mode {mode}, power cut at I/O call {at}, {}, \
             in flight: {:?})",
            tear.map_or("clean".to_string(), |s| format!("torn with seed {s}")),
            run.pending
        )
    };
    tally.rollback_journal += usize::from(
        std::fs::metadata(format!("{}-journal", path.display())).is_ok_and(|m| m.len() > 0),
    );
    let seen = inspect(path).map_err(describe)?;
    tally.comparisons += verify(&seen, model, run.pending.as_ref()).map_err(describe)?;
    tally.cuts += 1;
    tally.torn += usize::from(tear.is_some());
    tally.in_open += usize::from(!run.opened);
    tally.in_flight += usize::from(run.pending.is_some());
    tally.in_compaction += usize::from(run.pending.as_ref().is_some_and(|p| p.op == "compact"));
    tally.acks += run.acks;
    Ok(run)
}

/// Power cuts while a person's random day is written (index rebuilds and compactions
/// among the writes), and every fourth round in or just after a compaction (large
/// entries, compacted after about every other one): every acknowledged write is there
/// after each, as acknowledged, and a compaction is all or nothing.
#[test]
fn power_cuts_lose_no_acknowledged_write() {
    let seed = seed_from_env("power-cut test");
    let cuts = env_number("ONWARD_POWER_CUTS", 30);
    let rotate = env_number("ONWARD_POWER_ROTATE", 10).max(1);
    let verbose = std::env::var_os("ONWARD_CRASH_VERBOSE").is_some();
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch_named("onward-power-");
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut model = Model::new();
    let mut path = dir.join("journal-0.onward");
    let mut window = 200;
    let mut compact_window = 100;
    let armed_by_compaction = [(ARMED_BY_VAR, "compact".to_string())];
    for round in 0..cuts {
        if round % rotate == 0 {
            path = dir.join(format!("journal-{}.onward", round / rotate));
            model.clear();
        }
        // Every fourth round writes large entries and compacts, with the cut counted
        // from the start of its first compaction.
        let compacting = round % 4 == 3;
        let cut = if compacting {
            Cut {
                extra: &armed_by_compaction,
                ..Cut::random(&mut rng, "compact", compact_window)
            }
        } else {
            Cut::random(&mut rng, "mix", window)
        };
        let mode = cut.mode;
        let run = cut_round(&path, &mut model, &cut, &mut tally)
            .unwrap_or_else(|e| fail(&dir, seed, round, e));
        if verbose {
            println!(
                "round {round}: {mode}, cut at I/O call {} ({}), {} actions, \
                 {} acks, in flight {:?}",
                cut.at,
                if cut.tear.is_some() { "torn" } else { "clean" },
                run.ops_done,
                run.acks,
                run.pending.as_ref().map(|p| &p.op)
            );
        }
        if compacting {
            // About half inside the compaction, half in what follows it.
            let inside = run.pending.as_ref().is_some_and(|p| p.op == "compact");
            compact_window = if inside {
                compact_window * 5 / 4
            } else {
                (compact_window * 4 / 5).max(5)
            };
        } else {
            window = adapt(window, run.ops_done == 0);
        }
    }
    println!(
        "power-cut test: {} power cuts survived ({} torn, {} inside Journal::open, {} with an \
         action in flight, {} of them a compaction), {} acks, {} record comparisons, in {:.1?}",
        tally.cuts,
        tally.torn,
        tally.in_open,
        tally.in_flight,
        tally.in_compaction,
        tally.acks,
        tally.comparisons,
        started.elapsed()
    );
    assert!(tally.acks > 0, "no write was acknowledged before a cut");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The harness has teeth: a writer that sets SQLite's `synchronous` to NORMAL (in WAL
/// mode, commits are then synced only at checkpoints: safe from a kill, not from a power
/// cut) or OFF loses acknowledged writes to a power cut, and the check says so within a
/// few cuts.
#[test]
fn the_power_cut_harness_catches_a_writer_that_does_not_sync() {
    let seed = seed_from_env("power-cut teeth test");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch_named("onward-power-");
    for level in ["NORMAL", "OFF"] {
        let path = dir.join(format!("synchronous-{level}.onward"));
        let mut model = Model::new();
        let mut tally = Tally::default();
        let broken = [("ONWARD_WRITER_SYNCHRONOUS", level.to_string())];
        let caught = (0..10).find_map(|_| {
            let cut = Cut {
                at: rng.random_range(100..=400),
                tear: None,
                extra: &broken,
                ..Cut::random(&mut rng, "mix", 1)
            };
            cut_round(&path, &mut model, &cut, &mut tally).err()
        });
        let Some(found) = caught else {
            panic!(
                "with synchronous={level}, {} power cuts lost nothing ({} acks): the harness \
                 has no teeth (seed {seed})",
                tally.cuts, tally.acks
            );
        };
        assert!(
            found.contains("lost an acknowledged write") || found.contains("not as acknowledged"),
            "with synchronous={level}, the harness failed for another reason: {found}"
        );
        println!(
            "power-cut teeth test: synchronous={level} caught after {} clean cuts: {}",
            tally.cuts + 1,
            found.lines().next().unwrap_or_default()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Power cuts while `Journal::open` upgrades a journal an older Onward left (schema 1,
/// or an index an older version built): the next open finishes the upgrade and nothing
/// the old journal held is lost.
#[test]
fn power_cuts_during_a_migration_lose_nothing() {
    let seed = seed_from_env("migration power-cut test");
    let cuts = env_number("ONWARD_POWER_MIGRATION_CUTS", 6);
    // The cuts are aimed by I/O calls, not time: a small journal is upgraded as a big one.
    let records = env_number("ONWARD_POWER_MIGRATION_RECORDS", 40) as usize;
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch_named("onward-power-");
    let started = Instant::now();
    let old = OldJournals::make(&dir, &mut rng, records).unwrap_or_else(|e| fail(&dir, seed, 0, e));
    let mut tally = Tally::default();
    let mut window = 100;
    for round in 0..cuts {
        let (template, what) = if round % 3 == 2 {
            (&old.old_index, "an older index")
        } else {
            (&old.schema_1, "schema 1")
        };
        let path = dir.join(format!("round-{round}.onward"));
        std::fs::copy(template, &path).unwrap();
        let mut model = old.checks.clone();
        let cut = Cut::random(&mut rng, "mix", window);
        let run = cut_round(&path, &mut model, &cut, &mut tally)
            .and_then(|run| match versions(&path) {
                v if v != CURRENT => Err(format!(
                    "after reopening, the journal is at {v:?}, not {CURRENT:?}"
                )),
                _ if !has_page_checksums(&path) => {
                    Err("after reopening, its pages have no checksums".into())
                }
                _ => Ok(run),
            })
            .unwrap_or_else(|e| fail(&dir, seed, round, format!("{e}\n(upgrading {what})")));
        window = adapt(window, !run.opened);
        let _ = std::fs::remove_file(&path);
    }
    println!(
        "migration power-cut test: {} power cuts survived ({} inside the upgrading open, {} \
         of them while its pages gained checksums; {} torn), journals of {} records, {} \
         record comparisons, in {:.1?}",
        tally.cuts,
        tally.in_open,
        tally.rollback_journal,
        tally.torn,
        old.checks.len(),
        tally.comparisons,
        started.elapsed()
    );
    assert!(
        tally.in_open > 0,
        "no cut landed inside the upgrading open: the window is off"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Power cuts while a device joins a journal and pulls it from a real relay on
/// loopback: after each, the journal is sound, its saved cursor never went back from
/// the last acknowledged one, every record merged before it is there, nothing is there
/// that the other device didn't write as it wrote it; a final sync brings everything.
#[test]
fn power_cuts_during_a_pull_lose_nothing() {
    use onward_core::sync::SyncRuntime;
    let rt = SyncRuntime::new().unwrap();
    let seed = seed_from_env("pull power-cut test");
    let cuts = env_number("ONWARD_POWER_PULL_CUTS", 4);
    let batches = env_number("ONWARD_POWER_PULL_BATCHES", 8);
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch_named("onward-power-");
    let started = Instant::now();
    let source = PullSource::push(&rt, &dir, &mut rng, batches, 8)
        .unwrap_or_else(|e| fail(&dir, seed, 0, e));
    let (mut mid_pull, mut caught_up, mut checked, mut torn) = (0, 0, 0, 0);
    let mut window = 300;
    let mut device = 0;
    let mut path = dir.join("device-b-0.onward");
    for round in 0..cuts {
        let code = source.invitation(&rt);
        let at = rng.random_range(1..=window);
        let tear = rng.random_bool(0.5).then(|| rng.random());
        torn += usize::from(tear.is_some());
        // A writer that catches up before its cut cuts the power then.
        let ended = run_writer(
            &path,
            rng.random(),
            &["pull", &code],
            &cut_env(at, tear),
            RUN_LIMIT,
        )
        .unwrap_or_else(|e| fail(&dir, seed, round, e));
        let run = parse_pull(&ended.stdout);
        if !ended.cut() {
            fail(
                &dir,
                seed,
                round,
                format!("the puller ended ({:?}): {}", ended.status, ended.stderr),
            );
        }
        if run.caught_up {
            caught_up += 1;
            window = (window * 2 / 3).max(20);
        } else {
            mid_pull += usize::from(run.acks > 0);
            window = window * 5 / 4;
        }
        checked += verify_pulled(&path, &source.checks, &run).unwrap_or_else(|e| {
            fail(
                &dir,
                seed,
                round,
                format!(
                    "{e}\n(power cut at I/O call {at}, {} batches acknowledged)",
                    run.acks
                ),
            )
        });
        if run.caught_up || round % 2 == 1 || round + 1 == cuts {
            checked +=
                finish_sync(&path, &source.checks).unwrap_or_else(|e| fail(&dir, seed, round, e));
            device += 1;
            path = dir.join(format!("device-b-{device}.onward"));
        }
    }
    println!(
        "pull power-cut test: {cuts} power cuts survived ({mid_pull} mid-pull, {caught_up} \
         after catching up, {torn} torn), {batches} batches of 16 records, {checked} record \
         checks, in {:.1?}",
        started.elapsed()
    );
    drop(source);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A disk that fills up, or a device that starts failing, under a writer: the write
/// that met it fails with an error naming the journal and saying what to do, nothing
/// acknowledged before it is lost, and once there is space again the journal opens and
/// takes writes as before.
#[test]
fn a_full_or_failing_disk_gives_a_clear_error_and_loses_nothing() {
    let seed = seed_from_env("full-disk test");
    let rounds = env_number("ONWARD_DISK_ROUNDS", 4);
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = scratch_named("onward-power-");
    let path = dir.join("journal.onward");
    let mut model = Model::new();
    let mut tally = Tally::default();
    let shown = path.display().to_string();
    for round in 0..rounds {
        let (var, says, does) = if round % 2 == 0 {
            (
                FULL_VAR,
                "the disk is full",
                "Free some space on the disk, then try again",
            )
        } else {
            (FAILING_VAR, "the disk reported an error", "then try again")
        };
        let budget = rng.random_range(20_000..200_000u64);
        let ended = run_writer(
            &path,
            rng.random(),
            &["mix"],
            &[(var, budget.to_string())],
            RUN_LIMIT,
        )
        .unwrap_or_else(|e| fail(&dir, seed, round, e));
        let code = ended.status.and_then(|s| s.code());
        let message = ended.stderr.trim();
        if code != Some(1)
            || !message.contains(&shown)
            || !message.contains(says)
            || !message.contains(does)
        {
            fail(
                &dir,
                seed,
                round,
                format!(
                    "after {budget} bytes ({var}), the writer ended with {code:?} and said \
                     {message:?}; wanted an error naming {shown}, saying {says:?} and {does:?}"
                ),
            );
        }
        let run = apply(&ended.stdout, &mut model);
        let checked = inspect(&path)
            .and_then(|seen| verify(&seen, &mut model, run.pending.as_ref()))
            .unwrap_or_else(|e| {
                fail(
                    &dir,
                    seed,
                    round,
                    format!(
                        "after the disk trouble ({var}={budget}): {e}\n(the writer said \
                         {message:?}; acknowledged in this run: {:?}; in flight: {:?})",
                        run.acked_ids, run.pending
                    ),
                )
            });
        // Space is back: the journal takes writes again (until a power cut ends them).
        let cut = Cut {
            at: rng.random_range(100..=400),
            ..Cut::random(&mut rng, "mix", 1)
        };
        cut_round(&path, &mut model, &cut, &mut tally)
            .unwrap_or_else(|e| fail(&dir, seed, round, format!("with space back: {e}")));
        println!(
            "full-disk test: round {round}: {var}={budget}: {} acks, then {message:?}; \
             {checked} records checked; {} acks after",
            run.acks, tally.acks
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

//! The fuzz corpus on stable Rust: every file under `fuzz/corpus/TARGET/` (the seeds and
//! each finding kept as a regression) and deterministic mutations of them go through the
//! same entry points as the cargo-fuzz targets (`onward_core::fuzz_targets`, and
//! `onward_relay::fuzz_targets` for the relay's HTTP API). A panic
//! fails the test and names the target, the file and the mutation.
//!
//! `ONWARD_FUZZ_MUTATIONS` (default 24) sets the mutations per corpus file (half
//! of that for the journal-file target, whose every input is a database to open);
//! `ONWARD_FUZZ_SEED` replays another round of them.

use onward_core::fuzz_targets;
use rand::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no seed", dir.display());
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// One mutation as libFuzzer makes them: bits flipped, bytes changed, inserted or
/// removed, the input cut, a part repeated, or another corpus file spliced in.
fn mutate(rng: &mut StdRng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = out.len();
        match rng.random_range(0..7) {
            0 if len > 0 => {
                let at = rng.random_range(0..len);
                out[at] ^= 1 << rng.random_range(0..8);
            }
            1 if len > 0 => {
                let at = rng.random_range(0..len);
                out[at] = *[0u8, 0xff, 0x7f, 0x80, b'"', b',', b'\n', b'{']
                    .choose(rng)
                    .unwrap();
            }
            2 => {
                let at = rng.random_range(0..=len);
                let n = rng.random_range(1..16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                out.splice(at..at, bytes);
            }
            3 if len > 0 => {
                let from = rng.random_range(0..len);
                let to = (from + rng.random_range(1..64)).min(len);
                out.drain(from..to);
            }
            4 => out.truncate(rng.random_range(0..=len)),
            5 if len > 0 => {
                let from = rng.random_range(0..len);
                let to = (from + rng.random_range(1..256)).min(len);
                let part = out[from..to].to_vec();
                let at = rng.random_range(0..=len);
                out.splice(at..at, part);
            }
            _ if !other.is_empty() => {
                let from = rng.random_range(0..other.len());
                let to = (from + rng.random_range(1..512)).min(other.len());
                let at = rng.random_range(0..=len);
                out.splice(at..at, other[from..to].iter().copied());
            }
            _ => {}
        }
    }
    out
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} must be a number"))
        })
        .unwrap_or(default)
}

/// Replays the corpus of `target` and `per_file` mutations of each file.
fn replay(target: &str, run: Target, per_file: u64) {
    let seed = env_number("ONWARD_FUZZ_SEED", 6);
    let mut rng = StdRng::seed_from_u64(seed ^ target.len() as u64);
    let files = corpus(target);
    let mut inputs = 0;
    for (i, (path, bytes)) in files.iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy();
        call(run, bytes, &format!("{target}: {name} as it is"));
        inputs += 1;
        let other = &files[(i + 1) % files.len()].1;
        for n in 0..per_file {
            let mutated = mutate(&mut rng, bytes, other);
            call(
                run,
                &mutated,
                &format!("{target}: mutation {n} of {name} (ONWARD_FUZZ_SEED={seed})"),
            );
            inputs += 1;
        }
    }
    println!(
        "{target}: {inputs} inputs from {} corpus files",
        files.len()
    );
}

fn call(run: Target, input: &[u8], what: &str) {
    if catch_unwind(AssertUnwindSafe(|| run(input))).is_err() {
        let kept = std::env::temp_dir().join("onward-fuzz-failure");
        let _ = std::fs::write(&kept, input);
        panic!(
            "{what} panicked; the input is kept in {} (add it to the corpus once fixed)",
            kept.display()
        );
    }
}

fn mutations() -> u64 {
    env_number("ONWARD_FUZZ_MUTATIONS", 24)
}

#[test]
fn csv_import_corpus() {
    replay("csv_import", fuzz_targets::csv_import, mutations());
}

#[test]
fn json_import_corpus() {
    replay("json_import", fuzz_targets::json_import, mutations());
}

#[test]
fn automerge_merge_corpus() {
    replay(
        "automerge_merge",
        fuzz_targets::automerge_merge,
        mutations(),
    );
}

#[test]
fn journal_file_corpus() {
    replay(
        "journal_file",
        fuzz_targets::journal_file,
        mutations().div_ceil(2),
    );
}

#[test]
fn pairing_code_corpus() {
    replay("pairing_code", fuzz_targets::pairing_code, mutations());
}

#[test]
fn sync_envelope_corpus() {
    replay("sync_envelope", fuzz_targets::sync_envelope, mutations());
}

#[test]
fn pull_frames_corpus() {
    replay("pull_frames", fuzz_targets::pull_frames, mutations());
}

#[test]
fn relay_http_corpus() {
    replay(
        "relay_http",
        onward_relay::fuzz_targets::http_request,
        mutations(),
    );
}

/// The seeds reach past the first check: a real code reads, real frames split.
#[test]
fn the_seeds_are_well_formed_where_they_should_be() {
    let code = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/pairing_code/https.txt"),
    )
    .unwrap();
    let pairing = onward_core::sync::pairing::decode(&code).unwrap();
    assert_eq!(pairing.relay_url, "https://relay.example.org");
    let frames = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/pull_frames/two-frames.bin"),
    )
    .unwrap();
    let decoded = onward_protocol::frames::decode(&frames[8..]).unwrap();
    assert_eq!(decoded.iter().map(|f| f.seq).collect::<Vec<_>>(), [1, 2]);
    // The relay's seeds reach its handlers: a journal is created, takes a batch and
    // gives it back.
    let relay_seed = |name: &str| {
        let bytes = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../fuzz/corpus/relay_http")
                .join(name),
        )
        .unwrap();
        onward_relay::fuzz_targets::answer(&bytes).map(|s| s.as_u16())
    };
    assert_eq!(relay_seed("health.txt"), Some(200));
    assert!(matches!(relay_seed("create-journal.txt"), Some(200 | 201)));
    assert!(matches!(relay_seed("push-batch.txt"), Some(200 | 201)));
    assert_eq!(relay_seed("pull-batches.txt"), Some(200));
    assert_eq!(relay_seed("journal-status.txt"), Some(200));
    assert_eq!(relay_seed("pull-bad-query.txt"), Some(400));
}

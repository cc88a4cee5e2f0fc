//! The fuzz corpus on stable Rust: every file under `fuzz/corpus/TARGET/` (the seeds and
//! each finding kept as a regression) and deterministic mutations of them go through the
//! same entry points as the cargo-fuzz targets (`onward_core::fuzz_targets`, and
//! `onward_relay::fuzz_targets` for the relay's HTTP API). A panic
//! fails the test and names the target, the file and the mutation.
//!
//! `ONWARD_FUZZ_MUTATIONS` (default 24) sets the mutations per corpus file (half
//! of that for the journal-file target, whose every input is a database to open);
//! `ONWARD_FUZZ_SEED` replays another round of them.
//!
//! The `journal_file` seeds include a journal of every released schema (copies of
//! `core/tests/data/frozen/`, checked equal to them). The seeds of the sync targets are
//! real: envelopes (a batch, a snapshot with its header, a device's record) and frames
//! sealed and signed with `fuzz_targets::sync_keys()` (so the open and merge branches
//! are reached), a verified
//! device list with an add by invitation and a removal, signed wraps for the fuzz
//! targets' device, invitation and recovery-kit codes, and the relay's answers to a
//! device joining by invitation (made by the fuzz targets' device). `write_sync_seeds` (ignored;
//! `cargo nextest run -p onward-tests --test fuzz_corpus --run-ignored only`) writes them
//! again; `the_seeds_are_well_formed_where_they_should_be` checks that they still reach
//! past the first checks.

use onward_core::fuzz_targets;
use onward_tests::env_number;
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

/// How many inputs a replay ran, and how many of them went past the target's checks as
/// the target counts it (a journal that opened, a batch that reached the merge).
struct Replayed {
    files: usize,
    inputs: usize,
    seeds_through: usize,
    mutations_through: usize,
}

/// Replays the corpus of `target` and `per_file` mutations of each file.
fn replay(target: &str, run: Target, per_file: u64) {
    let replayed = replay_counting(
        target,
        |data| {
            run(data);
            0
        },
        per_file,
    );
    println!(
        "{target}: {} inputs from {} corpus files",
        replayed.inputs, replayed.files
    );
}

/// Replays as [`replay`] does, counting the corpus files and the mutations for which
/// `run` says it got through (returns more than 0).
fn replay_counting(target: &str, run: impl Fn(&[u8]) -> usize, per_file: u64) -> Replayed {
    let seed = env_number("ONWARD_FUZZ_SEED", 6);
    let mut rng = StdRng::seed_from_u64(seed ^ target.len() as u64);
    let files = corpus(target);
    let mut replayed = Replayed {
        files: files.len(),
        inputs: 0,
        seeds_through: 0,
        mutations_through: 0,
    };
    for (i, (path, bytes)) in files.iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy();
        let through = call(&run, bytes, &format!("{target}: {name} as it is")) > 0;
        replayed.seeds_through += usize::from(through);
        replayed.inputs += 1;
        let other = &files[(i + 1) % files.len()].1;
        for n in 0..per_file {
            let mutated = mutate(&mut rng, bytes, other);
            let through = call(
                &run,
                &mutated,
                &format!("{target}: mutation {n} of {name} (ONWARD_FUZZ_SEED={seed})"),
            ) > 0;
            replayed.mutations_through += usize::from(through);
            replayed.inputs += 1;
        }
    }
    replayed
}

fn call<R>(run: impl Fn(&[u8]) -> R, input: &[u8], what: &str) -> R {
    match catch_unwind(AssertUnwindSafe(|| run(input))) {
        Ok(out) => out,
        Err(_) => {
            let kept = std::env::temp_dir().join("onward-fuzz-failure");
            let _ = std::fs::write(&kept, input);
            panic!(
                "{what} panicked; the input is kept in {} (add it to the corpus once fixed)",
                kept.display()
            );
        }
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

/// The seeds include journals that released versions wrote (`core/tests/data/frozen/`):
/// they open, and so do some of their mutations.
#[test]
fn journal_file_corpus() {
    let replayed = replay_counting(
        "journal_file",
        |data| usize::from(fuzz_targets::journal_file(data)),
        mutations().div_ceil(2),
    );
    println!(
        "journal_file: {} inputs; opened and listed: {} of the {} corpus files, {} mutations",
        replayed.inputs, replayed.seeds_through, replayed.files, replayed.mutations_through
    );
    for version in 1..=3 {
        let name = format!("schema-{version}.onward");
        let frozen = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/data/frozen")
            .join(&name);
        assert!(
            std::fs::read(frozen).unwrap() == seed("journal_file", &name),
            "fuzz/corpus/journal_file/{name} is not the frozen journal: copy it again"
        );
    }
    assert!(
        replayed.seeds_through >= 3,
        "the frozen journals didn't open"
    );
    assert!(
        replayed.mutations_through > 0,
        "no mutated journal opened: the mutations never reach past the header"
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

/// Sealed seeds reach the merge, as do some of their mutations.
#[test]
fn pull_frames_corpus() {
    let replayed = replay_counting("pull_frames", fuzz_targets::pull_frames, mutations());
    println!(
        "pull_frames: {} inputs; reached the merge: {} of the {} corpus files, {} mutations",
        replayed.inputs, replayed.seeds_through, replayed.files, replayed.mutations_through
    );
    assert!(replayed.seeds_through > 0, "no seed reached the merge");
    assert!(
        replayed.mutations_through > 0,
        "no mutation reached the merge"
    );
}

#[test]
fn device_list_corpus() {
    replay("device_list", fuzz_targets::device_list, mutations());
}

#[test]
fn wrapped_key_corpus() {
    replay("wrapped_key", fuzz_targets::wrapped_key, mutations());
}

#[test]
fn invitation_answer_corpus() {
    replay(
        "invitation_answer",
        |data| {
            fuzz_targets::invitation_answer(data);
        },
        mutations(),
    );
}

#[test]
fn relay_http_corpus() {
    replay(
        "relay_http",
        onward_relay::fuzz_targets::http_request,
        mutations(),
    );
}

fn seed_path(target: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
        .join(name)
}

fn seed(target: &str, name: &str) -> Vec<u8> {
    let path = seed_path(target, name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The object id the sync_envelope target opens envelopes as.
const ENVELOPE_ID: &str = "00112233445566778899aabbccddeeff";

/// The seeds reach past the first check: real codes read, real frames split, open and
/// merge, a real device list verifies, real wraps open.
#[test]
fn the_seeds_are_well_formed_where_they_should_be() {
    use onward_core::sync::envelope::{self, Sealed};
    use onward_core::sync::pairing::{self, CodeKind};
    use onward_core::sync::{batches, device_list, sealed};
    use onward_protocol::members::{self, LoggedOp, SignedWrap};

    let text = |target: &str, name: &str| String::from_utf8(seed(target, name)).unwrap();
    let code = pairing::decode(
        CodeKind::Invitation,
        &text("pairing_code", "invitation.txt"),
    )
    .unwrap();
    assert_eq!(code.relay_url, "https://relay.example.org");
    let spaced = text("pairing_code", "invitation-loopback-spaced.txt");
    assert_eq!(
        pairing::decode(CodeKind::Invitation, &spaced)
            .unwrap()
            .relay_url,
        "http://127.0.0.1:8787"
    );
    let kit = text("pairing_code", "recovery-kit.txt");
    assert_eq!(
        pairing::decode(CodeKind::RecoveryKit, &kit)
            .unwrap()
            .secret
            .len(),
        32
    );
    let wrong = text("pairing_code", "invitation-wrong-check.txt");
    assert!(pairing::decode(CodeKind::Invitation, &wrong).is_err());
    let old = pairing::decode(
        CodeKind::Invitation,
        &text("pairing_code", "version-1-refused.txt"),
    )
    .unwrap_err();
    assert!(old.to_string().contains("earlier Onward"), "{old}");

    // Envelopes sealed with the fuzz targets' keys open, each as its kind.
    let keys = fuzz_targets::sync_keys();
    let batch = envelope::open(
        &keys,
        Sealed::Batch,
        ENVELOPE_ID,
        &seed("sync_envelope", "batch.bin"),
    )
    .unwrap();
    assert_eq!(batch.signer, keys.device_id());
    // The snapshot's plaintext has its header and a document; the device's record reads.
    let snapshot = envelope::open(
        &keys,
        Sealed::Snapshot,
        ENVELOPE_ID,
        &seed("sync_envelope", "snapshot.bin"),
    )
    .unwrap();
    let (header, document) = sealed::read_snapshot(&snapshot.plaintext).unwrap();
    assert_eq!(header.covers, 2);
    automerge::Automerge::load(document).unwrap();
    let record = envelope::open(
        &keys,
        Sealed::DeviceRecord,
        ENVELOPE_ID,
        &seed("sync_envelope", "device-record.bin"),
    )
    .unwrap();
    let record = sealed::read_record(&keys.device_id(), &record.plaintext).unwrap();
    assert_eq!((record.name.as_str(), record.counter), ("laptop", 3));

    let frames = seed("pull_frames", "two-frames.bin");
    let decoded = onward_protocol::frames::decode(&frames[8..]).unwrap();
    assert_eq!(decoded.iter().map(|f| f.seq).collect::<Vec<_>>(), [1, 2]);
    // The sealed frames open and hold Automerge changes: the merge is reached.
    let sealed = seed("pull_frames", "sealed-frames.bin");
    assert_eq!(&sealed[..8], &[0; 8], "the cursor is 0");
    let decoded = onward_protocol::frames::decode(&sealed[8..]).unwrap();
    assert_eq!(decoded.iter().map(|f| f.seq).collect::<Vec<_>>(), [1, 2]);
    for frame in decoded {
        match batches::unpack(&keys, frame) {
            batches::PulledBatch::Merge { refs, .. } => assert!(!refs.is_empty()),
            refused => panic!("a sealed frame was refused: {refused:?}"),
        }
    }

    // The device list verifies: a genesis, an add by invitation, a removal.
    let ops: Vec<LoggedOp> =
        serde_json::from_slice(&seed("device_list", "invite-and-remove.json")).unwrap();
    let journal = match members::parse_body(&ops[0].op).unwrap().op {
        members::Op::Genesis { journal, .. } => journal,
        other => panic!("{other:?}"),
    };
    let roster = members::verify_log(&journal, &ops).unwrap();
    assert_eq!(
        (roster.len, roster.epoch, roster.used_invitations.len()),
        (3, 1, 1)
    );
    assert_eq!(roster.active_members().count(), 1);

    // The wraps open for the fuzz targets' device.
    let (fuzz_keys, fuzz_roster) = fuzz_device();
    for (name, epoch, chained) in [
        ("epoch-0.json", 0, false),
        ("epoch-1-chained.json", 1, true),
    ] {
        let wrap: SignedWrap = serde_json::from_slice(&seed("wrapped_key", name)).unwrap();
        assert_eq!(wrap.epoch, epoch);
        let (_, prev) = device_list::unwrap(&fuzz_keys, &fuzz_roster, &wrap).unwrap();
        assert_eq!(prev.is_some(), chained, "{name}");
    }

    // The invitation answer made for the target's code opens; one for another code
    // doesn't.
    assert!(fuzz_targets::invitation_answer(&seed(
        "invitation_answer",
        "valid.json"
    )));
    assert!(!fuzz_targets::invitation_answer(&seed(
        "invitation_answer",
        "another-code.json"
    )));

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
    assert_eq!(relay_seed("members.txt"), Some(200));
    assert_eq!(relay_seed("pull-bad-query.txt"), Some(400));
}

/// The fuzz targets' device (as `fuzz_targets::wrapped_key` makes it): its keys, with
/// epoch 0's key, and its one-device list.
fn fuzz_device() -> (onward_core::sync::Keys, onward_protocol::members::Roster) {
    use onward_core::sync::device_list;
    use onward_core::sync::keys::MemberSecrets;
    let founder = MemberSecrets::derived(b"onward-fuzz", &[7; 32], "device");
    let (mut keys, op) =
        device_list::genesis_with_nonce(&founder, [7; 32], "fuzz", 0, [7; 16]).unwrap();
    let roster = onward_protocol::members::genesis(keys.journal_id(), &op).unwrap();
    keys.set_roster(roster.clone());
    (keys, roster)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the seeds of the sync targets again (see the module's docs).
#[test]
#[ignore = "writes fuzz/corpus: run it by hand after a change of the sync formats"]
fn write_sync_seeds() {
    use onward_core::sync::envelope::{self, Sealed};
    use onward_core::sync::keys::{credential_hash, MemberSecrets};
    use onward_core::sync::pairing::{self, Code, CodeKind};
    use onward_core::sync::relay::Frame;
    use onward_core::sync::{device_list, sealed};
    use onward_protocol::members::{self, Invitation, LoggedOp, MemberKind, Op};

    let write = |target: &str, name: &str, bytes: &[u8]| {
        let path = seed_path(target, name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    };

    // The relay's answers to a device joining by invitation: one for the target's code,
    // one for another code.
    write(
        "invitation_answer",
        "valid.json",
        &fuzz_targets::invitation_answer_seed(
            &fuzz_targets::invitation_secret(),
            1_767_226_200_000,
        ),
    );
    write(
        "invitation_answer",
        "another-code.json",
        &fuzz_targets::invitation_answer_seed(&[0x24; 16], 1_767_226_200_000),
    );

    // Codes.
    let code = |kind, secret: Vec<u8>, url: &str| {
        pairing::encode(&Code {
            kind,
            secret,
            journal_id: "0123456789abcdef0123456789abcdef".into(),
            relay_url: url.into(),
        })
    };
    let invitation = code(
        CodeKind::Invitation,
        (0..16).collect(),
        "https://relay.example.org",
    );
    write("pairing_code", "invitation.txt", invitation.as_bytes());
    let mut wrong = invitation.clone();
    let last = if wrong.ends_with('A') { "B" } else { "A" };
    wrong.replace_range(wrong.len() - 1.., last);
    write(
        "pairing_code",
        "invitation-wrong-check.txt",
        wrong.as_bytes(),
    );
    let loopback = code(
        CodeKind::Invitation,
        vec![0x42; 16],
        "http://127.0.0.1:8787",
    );
    let spaced: Vec<String> = loopback
        .to_lowercase()
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    write(
        "pairing_code",
        "invitation-loopback-spaced.txt",
        spaced.join(" ").as_bytes(),
    );
    let kit = code(
        CodeKind::RecoveryKit,
        vec![0x17; 32],
        "https://relay.example.org",
    );
    write("pairing_code", "recovery-kit.txt", kit.as_bytes());

    // Envelopes and frames sealed with the fuzz targets' keys; real journal changes.
    let keys = fuzz_targets::sync_keys();
    let dir = tempfile::tempdir().unwrap();
    let mut journal = onward_core::Journal::open(dir.path().join("seed.onward")).unwrap();
    let now = journal.now();
    journal
        .add_entry(onward_core::model::Entry::new(
            onward_core::model::EntryKind::Free,
            "A talk with the recruiter".to_string(),
            now,
        ))
        .unwrap();
    let first: Vec<u8> = journal
        .with_document(|doc| Ok(doc.changes_after(&[])))
        .unwrap()
        .iter()
        .flat_map(|c| c.raw_bytes().to_vec())
        .collect();
    let heads = journal.with_document(|doc| Ok(doc.heads())).unwrap();
    journal
        .add_entry(onward_core::model::Entry::new(
            onward_core::model::EntryKind::Free,
            "Sent the thank-you note".to_string(),
            now,
        ))
        .unwrap();
    let second: Vec<u8> = journal
        .with_document(|doc| Ok(doc.changes_after(&heads)))
        .unwrap()
        .iter()
        .flat_map(|c| c.raw_bytes().to_vec())
        .collect();
    write(
        "sync_envelope",
        "batch.bin",
        &envelope::seal(&keys, Sealed::Batch, ENVELOPE_ID, &first).unwrap(),
    );
    let document = journal.document_bytes().unwrap();
    let heads = journal.with_document(|doc| Ok(doc.heads())).unwrap();
    let header = sealed::SnapshotHeader {
        covers: 2,
        covers_id: format!("{:032x}", 2),
        heads: heads.clone(),
    };
    write(
        "sync_envelope",
        "snapshot.bin",
        &envelope::seal(
            &keys,
            Sealed::Snapshot,
            ENVELOPE_ID,
            &sealed::snapshot_plaintext(&header, &document),
        )
        .unwrap(),
    );
    let record = sealed::DeviceRecord {
        device_id: keys.device_id(),
        name: "laptop".into(),
        counter: 3,
        heads,
        at: chrono::DateTime::from_timestamp_millis(1_767_225_600_000).unwrap(),
    };
    write(
        "sync_envelope",
        "device-record.bin",
        &envelope::seal(
            &keys,
            Sealed::DeviceRecord,
            ENVELOPE_ID,
            &sealed::record_plaintext(&record),
        )
        .unwrap(),
    );
    let frames: Vec<Frame> = [(1u64, &first), (2, &second)]
        .into_iter()
        .map(|(seq, changes)| {
            let batch_id = format!("{seq:032x}");
            Frame {
                seq,
                envelope: envelope::seal(&keys, Sealed::Batch, &batch_id, changes).unwrap(),
                batch_id,
            }
        })
        .collect();
    let mut sealed = 0u64.to_be_bytes().to_vec();
    sealed.extend(onward_protocol::frames::encode(&frames));
    write("pull_frames", "sealed-frames.bin", &sealed);

    // A device list: a genesis, a device added by invitation, that device removed.
    let a = MemberSecrets::derived(b"onward-fuzz-seed", &[1; 32], "device");
    let b = MemberSecrets::derived(b"onward-fuzz-seed", &[2; 32], "device");
    let inv = MemberSecrets::derived(b"onward-fuzz-seed", &[3; 32], "invitation");
    let (a_keys, genesis) =
        device_list::genesis_with_nonce(&a, [9; 32], "laptop", 1_767_225_600_000, [1; 16]).unwrap();
    let journal_id = a_keys.journal_id().to_string();
    let mut log = vec![LoggedOp {
        op: genesis,
        seq: 0,
    }];
    let roster = members::verify_log(&journal_id, &log).unwrap();
    let id = "0123456789abcdef0123456789abcdef";
    let sign_pk = hex(&inv.sign_pk());
    let credential = credential_hash(&inv.credential());
    let expires_at_ms = 1_767_226_200_000;
    let message =
        Invitation::signing_message(&journal_id, id, &sign_pk, &credential, expires_at_ms);
    let invitation = Invitation {
        id: id.into(),
        sign_pk,
        credential_sha256: credential,
        expires_at_ms,
        inviter: a.device_id(),
        signature: hex(&a.sign(&message)),
    };
    let member =
        device_list::member(&a_keys, &b, MemberKind::Device, "phone", 1_767_225_700_000).unwrap();
    let add = device_list::sign(
        &journal_id,
        &inv,
        id,
        &roster.head,
        Op::Add {
            member,
            invitation: Some(invitation),
        },
    );
    log.push(LoggedOp { op: add, seq: 3 });
    let roster = members::verify_log(&journal_id, &log).unwrap();
    let remove = device_list::sign(
        &journal_id,
        &a,
        &a.device_id(),
        &roster.head,
        Op::Remove {
            device: b.device_id(),
            epoch: 1,
        },
    );
    log.push(LoggedOp { op: remove, seq: 5 });
    members::verify_log(&journal_id, &log).unwrap();
    write(
        "device_list",
        "invite-and-remove.json",
        &serde_json::to_vec_pretty(&log).unwrap(),
    );

    // The relay's HTTP seeds that reach its handlers: a v2 journal created with its
    // genesis by the founder's credential, a batch it signed, read back.
    let founder = MemberSecrets::derived(b"onward-fuzz-seed", &[4; 32], "device");
    let (relay_keys, genesis) =
        device_list::genesis_with_nonce(&founder, [5; 32], "relay seed", 0, [4; 16]).unwrap();
    let journal_id = relay_keys.journal_id().to_string();
    let bearer = format!("Bearer {}", founder.credential());
    let request = |method: &str, path: &str, body: &[u8]| {
        let mut out = format!("{method}\n/v1/journals/{journal_id}{path}\n{bearer}\n").into_bytes();
        out.extend_from_slice(body);
        out
    };
    let create = serde_json::to_vec(&onward_core::sync::relay::CreateJournal {
        ops: vec![genesis],
        wraps: Vec::new(),
    })
    .unwrap();
    write(
        "relay_http",
        "create-journal.txt",
        &request("PUT", "", &create),
    );
    let batch_id = "fedcba9876543210fedcba9876543210";
    let batch = envelope::seal(&relay_keys, Sealed::Batch, batch_id, &first).unwrap();
    write(
        "relay_http",
        "push-batch.txt",
        &request("PUT", &format!("/batches/{batch_id}"), &batch),
    );
    write(
        "relay_http",
        "pull-batches.txt",
        &request("GET", "/batches?after=0&limit=100&wait=5", b""),
    );
    // A member's pull with a query out of bounds: the credential is checked first, so
    // only a journal's own device reaches the query's 400.
    write(
        "relay_http",
        "pull-bad-query.txt",
        &request("GET", "/batches?after=-1&limit=99999999999&wait=x", b""),
    );
    write("relay_http", "journal-status.txt", &request("GET", "", b""));
    write(
        "relay_http",
        "members.txt",
        &request("GET", "/members", b""),
    );

    // Wraps for the fuzz targets' device: epoch 0, and epoch 1 with epoch 0's key chained.
    let (mut fuzz_keys, fuzz_roster) = fuzz_device();
    let me = fuzz_roster.active(&fuzz_keys.device_id()).unwrap().clone();
    let wrap = device_list::wrap(&fuzz_keys, &me, 0).unwrap();
    write(
        "wrapped_key",
        "epoch-0.json",
        &serde_json::to_vec_pretty(&wrap).unwrap(),
    );
    fuzz_keys.add_epoch(1, [8; 32]);
    let wrap = device_list::wrap(&fuzz_keys, &me, 1).unwrap();
    write(
        "wrapped_key",
        "epoch-1-chained.json",
        &serde_json::to_vec_pretty(&wrap).unwrap(),
    );
}

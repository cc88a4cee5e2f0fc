//! The real `onward-relay` binary: several processes over one PostgreSQL, a process killed
//! while it writes a batch, its logs, its command line.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::client::{batch_id, envelope, Journal};
use support::postgres::PgServer;
use support::process::{wait_for_line, wait_with_timeout, RelayProcess};
use support::relay::{client, Backend};

const PUSHERS: u64 = 4;
const BATCHES_PER_PUSHER: u64 = 30;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_relay_processes_over_one_postgres_number_every_batch_once() {
    let pg = tokio::task::spawn_blocking(PgServer::start).await.unwrap();
    let logs = tempfile::tempdir().unwrap();
    let url = pg.url();
    let relays: Vec<RelayProcess> = (0..3)
        .map(|i| {
            RelayProcess::start(
                &["--postgres", &url],
                &logs.path().join(format!("relay{i}.log")),
            )
        })
        .collect();
    let bases: Vec<String> = relays.iter().map(|r| r.base.clone()).collect();
    let journal = Journal::random(client(), bases[0].clone());
    assert_eq!(journal.create().await, StatusCode::CREATED);
    assert_eq!(
        journal.via(&bases[1]).create().await,
        StatusCode::OK,
        "every process sees the journal"
    );

    // Concurrent pushers spread over the processes; every third batch is pushed again
    // through another process and must keep its number.
    let mut pushers = Vec::new();
    for p in 0..PUSHERS {
        let (journal, bases) = (journal.clone(), bases.clone());
        pushers.push(tokio::spawn(async move {
            let mut given = Vec::new();
            for i in 0..BATCHES_PER_PUSHER {
                let n = p * 1000 + i;
                let via = journal.via(&bases[((p + i) % 3) as usize]);
                let (status, answer) = via.push(&batch_id(n), &envelope(n, 200)).await;
                assert_eq!(status, StatusCode::CREATED, "{answer}");
                let seq = answer["seq"].as_u64().unwrap();
                if i % 3 == 0 {
                    let again = journal.via(&bases[((p + i + 1) % 3) as usize]);
                    let (status, dup) = again.push(&batch_id(n), &envelope(n, 200)).await;
                    assert_eq!(
                        (status, dup),
                        (StatusCode::OK, json!({"seq": seq, "duplicate": true}))
                    );
                }
                given.push((n, seq));
            }
            given
        }));
    }
    let mut seq_of = BTreeMap::new();
    for pusher in pushers {
        for (n, seq) in tokio::time::timeout(Duration::from_secs(120), pusher)
            .await
            .unwrap()
            .unwrap()
        {
            seq_of.insert(n, seq);
        }
    }
    let total = PUSHERS * BATCHES_PER_PUSHER;
    let seqs: BTreeSet<u64> = seq_of.values().copied().collect();
    assert_eq!(
        seqs,
        (1..=total).collect(),
        "numbers 1..N, no gap, no duplicate"
    );

    for base in &bases {
        let frames = journal.via(base).pull_all(0).await;
        assert_eq!(
            frames.iter().map(|f| f.seq).collect::<Vec<_>>(),
            (1..=total).collect::<Vec<_>>()
        );
        for frame in &frames {
            let n = u64::from_str_radix(&frame.batch, 16).unwrap();
            assert_eq!(seq_of[&n], frame.seq, "batch {n} is where its push said");
            assert_eq!(
                frame.envelope,
                journal.sealed_batch(&frame.batch, &envelope(n, 200))
            );
        }
    }
    let (_, state) = journal.status().await;
    assert_eq!(state["latest_seq"], json!(total));
    assert_eq!(
        state["bytes_used"],
        json!(total * (200 + support::ROW)),
        "every batch stored once"
    );

    // A pull waiting in one process learns of a push through another (LISTEN/NOTIFY; see
    // operations.rs for the latency and the listener going away).
    let waiting = {
        let journal = journal.via(&bases[0]);
        tokio::spawn(async move { journal.pull(&format!("after={total}&wait=30")).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    journal.via(&bases[2]).push(&batch_id(9999), b"late").await;
    let pull = tokio::time::timeout(Duration::from_secs(40), waiting)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pull.seqs(), vec![total + 1]);
    assert_eq!(
        pull.frames[0].envelope,
        journal.sealed_batch(&batch_id(9999), b"late")
    );
    drop(relays);
    drop(pg);
}

on_both_backends!(a_relay_killed_while_writing_a_batch_loses_only_that_batch);

/// How long the test knob holds the push: far longer than the test needs to kill it.
const STALL_MS: &str = "60000";

async fn a_relay_killed_while_writing_a_batch_loses_only_that_batch(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let pg = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(tokio::task::spawn_blocking(PgServer::start).await.unwrap()),
    };
    let db = dir.path().join("relay.db");
    let store_args: Vec<String> = match &pg {
        None => vec!["--db".into(), db.to_str().unwrap().into()],
        Some(pg) => vec!["--postgres".into(), pg.url()],
    };
    let store_args: Vec<&str> = store_args.iter().map(String::as_str).collect();

    let mut relay = RelayProcess::start(&store_args, &dir.path().join("before.log"));
    let journal = Journal::random(client(), relay.base.clone());
    assert_eq!(journal.create().await, StatusCode::CREATED);
    for n in 1..=2u64 {
        assert_eq!(
            journal.push(&batch_id(n), &envelope(n, 200)).await.0,
            StatusCode::CREATED
        );
    }
    assert!(relay.terminate().success());

    // The knob holds the push of batch 3 after its row is inserted, before the commit.
    let log = dir.path().join("stalled.log");
    let mut stalled = RelayProcess::start_with_env(
        &store_args,
        &[("ONWARD_RELAY_STALL_PUSH_MS", STALL_MS)],
        &log,
    );
    let push = {
        let url = format!(
            "{}/v1/journals/{}/batches/{}",
            stalled.base,
            journal.id,
            batch_id(3)
        );
        let credential = journal.credential.clone();
        let body = journal.sealed_batch(&batch_id(3), &envelope(3, 200));
        tokio::spawn(async move {
            client()
                .put(url)
                .bearer_auth(credential)
                .body(body)
                .send()
                .await
        })
    };
    let line = format!(
        "onward-relay: stalling push of batch {} (test knob)",
        batch_id(3)
    );
    let found = tokio::task::spawn_blocking({
        let log = log.clone();
        move || wait_for_line(&log, &line, Duration::from_secs(30))
    })
    .await
    .unwrap();
    assert!(
        found,
        "the relay never reached the stall; log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let status = stalled.kill();
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed, not exited: {status}");
    }
    let answer = tokio::time::timeout(Duration::from_secs(30), push)
        .await
        .unwrap()
        .unwrap();
    assert!(answer.is_err(), "the killed push got no answer: {answer:?}");

    let restarted = RelayProcess::start(&store_args, &dir.path().join("after.log"));
    let journal = journal.via(&restarted.base);
    let (_, state) = journal.status().await;
    assert_eq!(
        state["latest_seq"],
        json!(2),
        "batch 3 never committed: {state}"
    );
    assert_eq!(
        state["bytes_used"],
        json!(2 * (200 + support::ROW)),
        "nor were its bytes counted"
    );
    let frames = journal.pull_all(0).await;
    assert_eq!(frames.iter().map(|f| f.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(journal.pull("after=3").await.after_id.as_deref(), Some(""));

    // The same batch pushed again takes number 3: no gap, no duplicate.
    assert_eq!(
        journal.push(&batch_id(3), &envelope(3, 200)).await,
        (StatusCode::CREATED, json!({"seq": 3, "duplicate": false}))
    );
    assert_eq!(
        journal.push(&batch_id(4), &envelope(4, 200)).await.1,
        json!({"seq": 4, "duplicate": false})
    );
    let frames = journal.pull_all(0).await;
    assert_eq!(
        frames
            .iter()
            .map(|f| (f.seq, f.batch.clone()))
            .collect::<Vec<_>>(),
        (1..=4u64).map(|n| (n, batch_id(n))).collect::<Vec<_>>()
    );
    drop(restarted);
    drop(pg);
}

#[tokio::test]
async fn the_binary_logs_each_request_as_json_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("relay.db");
    let log = dir.path().join("relay.log");
    let mut relay = RelayProcess::start(
        &["--db", db.to_str().unwrap(), "--log-format", "json"],
        &log,
    );
    let journal = Journal::random(client(), relay.base.clone());
    assert_eq!(journal.create().await, StatusCode::CREATED);
    // Past the envelope's head, so the sealed body still holds the word.
    let secret_body = format!("{}PLAINTEXT-SHOULD-NEVER-BE-LOGGED", "x".repeat(30));
    assert_eq!(
        journal.push(&batch_id(1), secret_body.as_bytes()).await.0,
        StatusCode::CREATED
    );
    assert_eq!(journal.pull("after=0").await.seqs(), vec![1]);
    assert!(
        relay.terminate().success(),
        "SIGTERM stops the relay cleanly"
    );
    assert!(db.exists());

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        !text.contains(&journal.credential),
        "the credential is never logged"
    );
    assert!(!text.contains("PLAINTEXT"), "bodies are never logged");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let push = lines
        .iter()
        .find(|l| {
            l["status"] == json!(201)
                && l["span"]["method"] == json!("PUT")
                && l["span"]["path"].as_str().unwrap().contains("/batches/")
        })
        .unwrap_or_else(|| panic!("no log line for the push in:\n{text}"));
    assert_eq!(push["span"]["journal"], json!(journal.id));
    assert!(push["latency_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(push["level"], json!("INFO"));
}

#[test]
fn the_command_line_refuses_what_cannot_work() {
    let run = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_onward-relay"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status =
            wait_with_timeout(&mut child, Duration::from_secs(60)).expect("the relay gives up");
        let output = child.wait_with_output().unwrap();
        (status, String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (status, stderr) = run(&["--db", "x.db", "--postgres", "postgres://127.0.0.1/x"]);
    assert!(!status.success());
    assert!(stderr.contains("cannot be used with"), "{stderr}");

    let (status, stderr) = run(&["--listen", "127.0.0.1:0", "--max-body-bytes", "0"]);
    assert!(!status.success());
    assert!(stderr.contains("the body limit must be"), "{stderr}");

    // A PostgreSQL that is not there: a clear message, no listening line.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (status, stderr) = run(&[
        "--listen",
        "127.0.0.1:0",
        "--postgres",
        &format!("postgres://postgres@127.0.0.1:{port}/onward"),
    ]);
    assert!(!status.success());
    assert!(stderr.contains("onward-relay could not start"), "{stderr}");
}

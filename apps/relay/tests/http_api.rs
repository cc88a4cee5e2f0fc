//! The relay's HTTP API (docs/SYNC.md), each test run against SQLite and PostgreSQL.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use onward_protocol::members::Op;
use onward_relay::{serve, StartError, Store};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::client::{batch_id, envelope, random_hex};
use support::relay::{Backend, Fixture};

const MIB: usize = 1024 * 1024;

on_both_backends!(
    health_and_journal_creation,
    pushed_batches_come_back_as_frames,
    the_same_batch_twice_keeps_its_first_seq,
    pulls_page_by_after_and_limit,
    a_pull_holds_at_most_4_mib_of_envelopes,
    a_waiting_pull_wakes_when_a_batch_arrives,
    a_waiting_pull_answers_empty_when_the_time_is_up,
    a_complete_snapshot_replaces_the_batches_it_covers,
    snapshot_parts_must_agree,
    another_credential_can_neither_read_nor_write,
    bodies_over_the_limit_are_refused,
    a_push_over_the_quota_is_refused,
    malformed_ids_and_parameters_are_400,
    delete_removes_everything,
    openapi_lists_every_route,
    a_restarted_relay_keeps_its_journals,
    shutting_down_answers_waiting_pulls,
    a_database_of_a_newer_relay_is_refused_and_left_alone,
);

fn error_code(body: &Value) -> &str {
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

async fn health_and_journal_creation(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let health = relay.get("/v1/health").await;
    assert_eq!(health.status(), StatusCode::OK);
    let health: Value = serde_json::from_slice(&health.bytes().await.unwrap()).unwrap();
    assert_eq!(health["ok"], json!(true));
    assert_eq!(health["version"], json!(env!("CARGO_PKG_VERSION")));

    let journal = relay.journal();
    assert_eq!(journal.create().await, StatusCode::CREATED);
    assert_eq!(
        journal.create().await,
        StatusCode::OK,
        "creating again with the same credential"
    );
    let intruder = journal.with_credential(&random_hex(64));
    assert_eq!(
        intruder.create().await,
        StatusCode::UNAUTHORIZED,
        "a credential that is no member's of the journal"
    );
    // The same founder's key and nonce (so the same journal id), another genesis.
    let mut founder = journal.device.clone();
    founder.member.box_pk = "11".repeat(32);
    let body: Value = serde_json::from_str(&journal.genesis.body).unwrap();
    let other_genesis = founder.sign_op(
        &journal.id,
        "",
        Op::Genesis {
            journal: journal.id.clone(),
            nonce: body["op"]["nonce"].as_str().unwrap().to_owned(),
            founder: founder.member.clone(),
        },
    );
    let (status, body) = journal.create_with(&[other_genesis], &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "another genesis: {body}");

    let incarnation = journal.incarnation().await;
    let (status, state) = journal.status().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        state,
        json!({"latest_seq": 0, "pruned_through": 0, "bytes_used": 0,
               "quota_bytes": 512 * 1024 * 1024, "incarnation": incarnation,
               "epoch": 0, "members": 1, "snapshot": null})
    );

    let other = relay.journal();
    let (status, body) = other
        .with_credential("not-hex")
        .send(Method::PUT, "", None)
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a malformed credential never becomes a journal's, and is a 401 like any bad one"
    );
    assert!(String::from_utf8_lossy(&body).contains("64 lowercase hex"));
    let anonymous = relay
        .http
        .put(format!("{}/v1/journals/{}", relay.base, other.id))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        other.status().await.0,
        StatusCode::UNAUTHORIZED,
        "nothing was created"
    );
}

async fn pushed_batches_come_back_as_frames(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    for n in 1..=3u64 {
        let (status, answer) = journal
            .push(&batch_id(100 + n), &envelope(n, 200 * n as usize))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(answer, json!({"seq": n, "duplicate": false}));
    }
    let pull = journal.pull("after=0").await;
    assert_eq!(pull.status, StatusCode::OK);
    assert_eq!(pull.content_type, "application/vnd.onward.batches");
    assert_eq!(pull.latest_seq, Some(3));
    assert_eq!(pull.pruned_through, Some(0));
    assert_eq!(pull.seqs(), vec![1, 2, 3]);
    for (frame, n) in pull.frames.iter().zip(1u64..) {
        assert_eq!(frame.batch, batch_id(100 + n));
        assert_eq!(
            frame.envelope,
            journal.sealed_batch(&frame.batch, &envelope(n, 200 * n as usize))
        );
    }
    let (_, state) = journal.status().await;
    assert_eq!(state["latest_seq"], json!(3));
    assert_eq!(state["bytes_used"], json!(1200 + 3 * support::ROW));
}

async fn the_same_batch_twice_keeps_its_first_seq(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let (first, second) = (envelope(1, 200), envelope(2, 210));
    assert_eq!(journal.push(&batch_id(1), &first).await.1["seq"], json!(1));
    assert_eq!(journal.push(&batch_id(2), &second).await.1["seq"], json!(2));
    let (status, again) = journal.push(&batch_id(1), &first).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, json!({"seq": 1, "duplicate": true}));
    let frames = journal.pull_all(0).await;
    assert_eq!(frames.len(), 2, "stored once");
    assert_eq!(
        frames[0].envelope,
        journal.sealed_batch(&batch_id(1), &first)
    );
    let (_, state) = journal.status().await;
    assert_eq!(
        state["bytes_used"],
        json!(200 + 210 + 2 * support::ROW),
        "counted once"
    );
    assert_eq!(state["latest_seq"], json!(2));
}

async fn pulls_page_by_after_and_limit(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    for n in 1..=25u64 {
        journal.push(&batch_id(n), &envelope(n, 50)).await;
    }
    let first = journal.pull("after=0&limit=10").await;
    assert_eq!(first.seqs(), (1..=10).collect::<Vec<_>>());
    assert_eq!(
        first.latest_seq,
        Some(25),
        "the client learns there is more"
    );
    let second = journal.pull("after=10&limit=10").await;
    assert_eq!(second.seqs(), (11..=20).collect::<Vec<_>>());
    let rest = journal.pull("after=20").await;
    assert_eq!(rest.seqs(), (21..=25).collect::<Vec<_>>());
    let default_limit = journal.pull("").await;
    assert_eq!(default_limit.seqs(), (1..=25).collect::<Vec<_>>());
    let nothing_new = journal.pull("after=25").await;
    assert_eq!(nothing_new.status, StatusCode::OK);
    assert!(nothing_new.frames.is_empty());
    assert_eq!(nothing_new.latest_seq, Some(25));
    let paged = journal.pull_all(3).await;
    assert_eq!(
        paged.iter().map(|f| f.seq).collect::<Vec<_>>(),
        (4..=25).collect::<Vec<_>>()
    );
    assert_eq!(paged[0].batch, batch_id(4));
}

async fn a_pull_holds_at_most_4_mib_of_envelopes(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let big = 3 * MIB / 2;
    for n in 1..=3u64 {
        assert_eq!(
            journal.push(&batch_id(n), &envelope(n, big)).await.0,
            StatusCode::CREATED
        );
    }
    let first = journal.pull("after=0").await;
    assert_eq!(
        first.seqs(),
        vec![1, 2],
        "a third 1.5 MiB envelope would pass 4 MiB"
    );
    assert_eq!(first.latest_seq, Some(3));
    assert_eq!(
        first.frames[1].envelope,
        journal.sealed_batch(&batch_id(2), &envelope(2, big))
    );
    let second = journal.pull("after=2").await;
    assert_eq!(second.seqs(), vec![3]);

    // A single envelope as large as the body limit still travels, alone.
    let whole = 4 * MIB;
    assert_eq!(
        journal.push(&batch_id(4), &envelope(4, whole)).await.0,
        StatusCode::CREATED
    );
    let alone = journal.pull("after=3").await;
    assert_eq!(alone.seqs(), vec![4]);
    assert_eq!(alone.frames[0].envelope.len(), whole);
}

async fn a_waiting_pull_wakes_when_a_batch_arrives(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let waiting = {
        let journal = journal.clone();
        tokio::spawn(async move { journal.pull("after=0&wait=30").await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "the pull waits while there is nothing"
    );
    journal.push(&batch_id(7), b"news").await;
    let pull = tokio::time::timeout(Duration::from_secs(40), waiting)
        .await
        .expect("the waiting pull answers")
        .unwrap();
    assert_eq!(pull.status, StatusCode::OK);
    assert_eq!(pull.seqs(), vec![1]);
    assert_eq!(
        pull.frames[0].envelope,
        journal.sealed_batch(&batch_id(7), b"news")
    );

    // A waiting pull with batches already there answers at once with them.
    let ready = journal.pull("after=0&wait=30").await;
    assert_eq!(ready.seqs(), vec![1]);
}

async fn a_waiting_pull_answers_empty_when_the_time_is_up(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let started = Instant::now();
    let pull = journal.pull("after=0&wait=1").await;
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "it held the request"
    );
    assert_eq!(pull.status, StatusCode::OK);
    assert!(pull.frames.is_empty());
    assert_eq!(pull.latest_seq, Some(0));
}

async fn a_complete_snapshot_replaces_the_batches_it_covers(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    for n in 1..=5u64 {
        journal.push(&batch_id(n), &envelope(n, 1000)).await;
    }
    let snapshot = random_hex(32);
    let whole = journal.sealed_snapshot(&snapshot, &envelope(99, 2500));
    let parts: Vec<&[u8]> = whole.chunks(1000).collect();
    // Out of order, one part twice.
    assert_eq!(
        journal.put_part(&snapshot, 2, 3, 4, parts[2]).await,
        (StatusCode::OK, json!({"complete": false}))
    );
    assert_eq!(
        journal.put_part(&snapshot, 0, 3, 4, parts[0]).await.1,
        json!({"complete": false})
    );
    assert_eq!(
        journal.put_part(&snapshot, 0, 3, 4, parts[0]).await.1,
        json!({"complete": false})
    );
    let (_, before) = journal.status().await;
    assert_eq!(
        before["snapshot"],
        Value::Null,
        "an incomplete snapshot is not offered"
    );
    assert_eq!(
        before["bytes_used"],
        json!(5000 + 1000 + 500 + 7 * support::ROW),
        "a resent part counts once (each row with its overhead)"
    );
    assert_eq!(
        journal.put_part(&snapshot, 1, 3, 4, parts[1]).await.1,
        json!({"complete": true})
    );

    let (_, state) = journal.status().await;
    assert_eq!(state["pruned_through"], json!(4));
    assert_eq!(state["latest_seq"], json!(5));
    assert_eq!(
        state["snapshot"],
        json!({"id": snapshot, "covers": 4, "parts": 3, "bytes": 2500})
    );
    assert_eq!(
        state["bytes_used"],
        json!(1000 + 2500 + 4 * support::ROW),
        "batches 1 to 4 are gone"
    );

    let stale = journal.pull("after=0").await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        error_code(stale.error.as_ref().unwrap()),
        "snapshot_required"
    );
    let after = journal.pull("after=4").await;
    assert_eq!(after.seqs(), vec![5]);
    assert_eq!(after.pruned_through, Some(4));

    let mut downloaded = Vec::new();
    for index in 0..3 {
        let (status, bytes) = journal.get_part(&snapshot, index).await;
        assert_eq!(status, StatusCode::OK);
        downloaded.extend(bytes);
    }
    assert_eq!(downloaded, whole);
    let (status, body) = journal.get_part(&snapshot, 3).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        error_code(&serde_json::from_slice(&body).unwrap()),
        "not_found"
    );

    // A newer snapshot replaces the older one.
    let newer = random_hex(32);
    assert_eq!(
        journal.put_snapshot(&newer, 5, b"all").await.1,
        json!({"complete": true})
    );
    assert_eq!(
        journal.get_part(&snapshot, 0).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, state) = journal.status().await;
    assert_eq!(state["snapshot"]["id"], json!(newer));
    assert_eq!(state["pruned_through"], json!(5));
    assert_eq!(
        state["bytes_used"],
        json!(125 + support::ROW),
        "the smallest envelope"
    );
    assert!(journal.pull("after=5").await.frames.is_empty());
    // A complete snapshot never changes: its part can't be sent again.
    let (status, body) = journal.put_snapshot(&newer, 5, b"all").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "snapshot_complete")
    );
    let (status, body) = journal.put_snapshot(&newer, 5, b"other").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "snapshot_complete")
    );
    assert_eq!(journal.status().await.1, state, "nothing changed");
}

async fn snapshot_parts_must_agree(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    for n in 1..=3u64 {
        journal.push(&batch_id(n), b"x").await;
    }
    let snapshot = random_hex(32);
    assert_eq!(
        journal.put_part(&snapshot, 0, 2, 3, b"\x01a").await.0,
        StatusCode::OK
    );
    let (status, body) = journal.put_part(&snapshot, 1, 3, 3, b"b").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request"),
        "{body}"
    );
    let (status, body) = journal.put_part(&random_hex(32), 0, 1, 4, b"\x01a").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "covers beyond the latest seq: {body}"
    );
    assert_eq!(
        journal.put_part(&snapshot, 2, 2, 3, b"b").await.0,
        StatusCode::BAD_REQUEST,
        "index >= parts"
    );
    assert_eq!(
        journal.put_part(&snapshot, 1, 2, 3, b"").await.0,
        StatusCode::BAD_REQUEST,
        "empty part"
    );

    assert_eq!(
        journal.put_snapshot(&random_hex(32), 2, b"s").await.1,
        json!({"complete": true})
    );
    let (status, body) = journal.put_part(&random_hex(32), 0, 1, 1, b"\x01old").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "snapshot_outdated")
    );
    let (_, state) = journal.status().await;
    assert_eq!(state["pruned_through"], json!(2));
}

async fn another_credential_can_neither_read_nor_write(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let mine = relay.journal();
    let theirs = relay.journal();
    mine.create().await;
    theirs.create().await;
    mine.push(&batch_id(1), b"mine").await;
    let snapshot = random_hex(32);
    mine.put_part(&snapshot, 0, 2, 1, b"\x01part").await;
    let (_, before) = mine.status().await;

    let unknown = relay.journal();
    let (_, unknown_answer) = unknown.status().await;
    for intruder in [
        mine.with_credential(&theirs.credential),
        mine.with_credential(&random_hex(64)),
    ] {
        let (status, body) = intruder.status().await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            body, unknown_answer,
            "a wrong credential looks like an unknown journal"
        );
        let pull = intruder.pull("after=0").await;
        assert_eq!(pull.status, StatusCode::UNAUTHORIZED);
        assert!(pull.frames.is_empty());
        assert_eq!(
            intruder.push(&batch_id(2), b"\x01evil").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            intruder.push(&batch_id(1), b"\x01evil").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            intruder.put_part(&snapshot, 1, 2, 1, b"evil").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            intruder.put_part(&random_hex(32), 0, 1, 1, b"evil").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            intruder.get_part(&snapshot, 0).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(intruder.delete().await.0, StatusCode::UNAUTHORIZED);
    }
    let (_, after) = mine.status().await;
    assert_eq!(after, before, "nothing was stored or removed");
    let frames = mine.pull_all(0).await;
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].envelope, mine.sealed_batch(&batch_id(1), b"mine"));
    assert_eq!(
        mine.get_part(&snapshot, 0).await,
        (StatusCode::OK, b"\x01part".to_vec())
    );
    let (_, theirs_state) = theirs.status().await;
    assert_eq!(theirs_state["latest_seq"], json!(0));
}

async fn bodies_over_the_limit_are_refused(backend: Backend) {
    let relay = Fixture::start_with(backend, |c| c.max_body_bytes = 1024).await;
    let journal = relay.journal();
    journal.create().await;
    let (status, body) = journal.push(&batch_id(1), &envelope(1, 1025)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&body), "payload_too_large");
    assert!(body["message"].as_str().unwrap().contains("1024"));
    assert_eq!(
        journal.push(&batch_id(2), &envelope(2, 1024)).await,
        (StatusCode::CREATED, json!({"seq": 1, "duplicate": false}))
    );
    let (_, state) = journal.status().await;
    assert_eq!(
        state["latest_seq"],
        json!(1),
        "the refused batch was not stored"
    );

    // Snapshot parts are at most 1 MiB whatever the body limit.
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let part = format!("/snapshots/{}/parts/0?parts=2&covers=0", random_hex(32));
    if let Some((status, body)) = journal.send_oversized(&part, envelope(1, MIB + 1)).await {
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
        );
    }
    let push = format!("/batches/{}", batch_id(1));
    if let Some((status, _)) = journal
        .send_oversized(&push, envelope(1, 4 * MIB + 1))
        .await
    {
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "the default limit is 4 MiB"
        );
    }
    assert_eq!(journal.status().await.1["bytes_used"], json!(0));
}

async fn a_push_over_the_quota_is_refused(backend: Backend) {
    // Room for 1000 bytes in two rows.
    let quota = 1000 + 2 * support::ROW;
    let relay = Fixture::start_with(backend, |c| c.quota_bytes = quota).await;
    let journal = relay.journal();
    journal.create().await;
    assert_eq!(
        journal.push(&batch_id(1), &envelope(1, 600)).await.0,
        StatusCode::CREATED
    );
    let (status, body) = journal.push(&batch_id(2), &envelope(2, 500)).await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE);
    assert_eq!(error_code(&body), "quota_exceeded");
    assert_eq!(
        journal.push(&batch_id(1), &envelope(1, 600)).await,
        (StatusCode::OK, json!({"seq": 1, "duplicate": true}))
    );
    assert_eq!(
        journal.push(&batch_id(3), &envelope(3, 400)).await.1,
        json!({"seq": 2, "duplicate": false}),
        "exactly full is fine"
    );
    let (_, state) = journal.status().await;
    assert_eq!(
        (state["bytes_used"].clone(), state["quota_bytes"].clone()),
        (json!(quota), json!(quota))
    );
    let (status, body) = journal.put_part(&random_hex(32), 0, 1, 2, b"\x01").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded")
    );
}

async fn malformed_ids_and_parameters_are_400(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let upper = journal.id.to_uppercase();
    for (method, path) in [
        (Method::PUT, format!("/v1/journals/{upper}")),
        (Method::GET, "/v1/journals/abc".to_owned()),
        (
            Method::PUT,
            format!("/v1/journals/{}/batches/xyz", journal.id),
        ),
        (
            Method::GET,
            format!("/v1/journals/{}/batches?after=-1", journal.id),
        ),
        (
            Method::GET,
            format!("/v1/journals/{}/batches?after=abc", journal.id),
        ),
        (
            Method::GET,
            format!("/v1/journals/{}/batches?limit=0", journal.id),
        ),
        (
            Method::GET,
            format!("/v1/journals/{}/batches?limit=1001", journal.id),
        ),
        (
            Method::GET,
            format!("/v1/journals/{}/batches?wait=61", journal.id),
        ),
        (
            Method::GET,
            format!(
                "/v1/journals/{}/snapshots/{}/parts/x",
                journal.id,
                random_hex(32)
            ),
        ),
        (
            Method::PUT,
            format!(
                "/v1/journals/{}/snapshots/{}/parts/0",
                journal.id,
                random_hex(32)
            ),
        ),
        (
            Method::PUT,
            format!(
                "/v1/journals/{}/snapshots/{}/parts/0?parts=0&covers=0",
                journal.id,
                random_hex(32)
            ),
        ),
        (
            Method::PUT,
            format!(
                "/v1/journals/{}/snapshots/short/parts/0?parts=1&covers=0",
                journal.id
            ),
        ),
        (
            Method::PUT,
            format!(
                "/v1/journals/{}/snapshots/{}/parts/0?parts=1025&covers=0",
                journal.id,
                random_hex(32)
            ),
        ),
    ] {
        let response = relay
            .http
            .request(method.clone(), format!("{}{path}", relay.base))
            .bearer_auth(&journal.credential)
            .body(b"\x01body".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "{method} {path}"
        );
        let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(error_code(&body), "bad_request");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    let (status, body) = journal.push_raw(&batch_id(1), b"").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request"),
        "an empty envelope"
    );
    assert_eq!(journal.status().await.1["latest_seq"], json!(0));

    let wrong_method = relay
        .http
        .post(format!("{}/v1/journals/{}", relay.base, journal.id))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = serde_json::from_slice(&wrong_method.bytes().await.unwrap()).unwrap();
    assert_eq!(error_code(&body), "method_not_allowed");

    let nowhere = relay.get("/v2/nothing").await;
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
    let body: Value = serde_json::from_slice(&nowhere.bytes().await.unwrap()).unwrap();
    assert_eq!(error_code(&body), "not_found");
}

async fn delete_removes_everything(backend: Backend) {
    let mut relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    journal.push(&batch_id(1), b"a").await;
    let snapshot = random_hex(32);
    journal.put_snapshot(&snapshot, 1, b"s").await;
    let (status, body) = journal.delete_signed().await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(error_code(&journal.status().await.1), "journal_deleted");
    // Past the grace the journal is as good as gone; a relay start purges it.
    relay
        .config
        .clock
        .advance(Duration::from_secs(8 * 24 * 3600));
    assert_eq!(journal.status().await.0, StatusCode::UNAUTHORIZED);
    relay.restart().await;
    let journal = journal.via(&relay.base);
    assert_eq!(journal.status().await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        journal.get_part(&snapshot, 0).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        journal.create().await,
        StatusCode::CREATED,
        "the id is free again"
    );
    let (_, state) = journal.status().await;
    assert_eq!(state["latest_seq"], json!(0));
    assert_eq!(state["bytes_used"], json!(0));
    assert_eq!(state["snapshot"], Value::Null);
    assert!(journal.pull_all(0).await.is_empty());
    assert_eq!(
        journal.get_part(&snapshot, 0).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        journal.push(&batch_id(1), b"a").await.1,
        json!({"seq": 1, "duplicate": false})
    );
}

async fn openapi_lists_every_route(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let response = relay.get("/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = serde_json::from_slice(&response.bytes().await.unwrap()).expect("JSON");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let routes: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("get", "/v1/health"),
        ("get", "/v1/openapi.json"),
        ("get", "/livez"),
        ("get", "/readyz"),
        ("get", "/metrics"),
        ("put", "/v1/journals/{journal}"),
        ("get", "/v1/journals/{journal}"),
        ("delete", "/v1/journals/{journal}"),
        ("post", "/v1/journals/{journal}/restore"),
        ("get", "/v1/journals/{journal}/members"),
        ("post", "/v1/journals/{journal}/members"),
        ("get", "/v1/journals/{journal}/wraps"),
        ("put", "/v1/journals/{journal}/invitations/{invitation}"),
        ("get", "/v1/journals/{journal}/invitations/{invitation}"),
        (
            "post",
            "/v1/journals/{journal}/invitations/{invitation}/accept",
        ),
        ("put", "/v1/journals/{journal}/batches/{batch}"),
        ("get", "/v1/journals/{journal}/batches"),
        (
            "put",
            "/v1/journals/{journal}/snapshots/{snapshot}/parts/{index}",
        ),
        (
            "get",
            "/v1/journals/{journal}/snapshots/{snapshot}/parts/{index}",
        ),
        ("get", "/v1/journals/{journal}/devices"),
        ("put", "/v1/journals/{journal}/devices/{device}"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), p.to_owned()))
    .collect();
    assert_eq!(routes, expected);

    // Every route the description lists answers (not the 404 of an unknown route).
    for (method, path) in &expected {
        let concrete = path
            .replace("{journal}", &random_hex(32))
            .replace("{batch}", &random_hex(32))
            .replace("{snapshot}", &random_hex(32))
            .replace("{index}", "0")
            .replace("{device}", &random_hex(32))
            .replace("{invitation}", &random_hex(32));
        let response = relay
            .http
            .request(
                method.to_uppercase().parse().unwrap(),
                format!("{}{concrete}", relay.base),
            )
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }

    let pull = &doc["paths"]["/v1/journals/{journal}/batches"]["get"];
    let params: BTreeSet<&str> = pull["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        params,
        BTreeSet::from(["journal", "after", "limit", "wait"])
    );
    assert!(
        pull["description"]
            .as_str()
            .unwrap()
            .contains("u64, big-endian"),
        "the frame format"
    );
    assert!(pull["responses"]["200"]["content"]["application/vnd.onward.batches"].is_object());
    for header in [
        "onward-latest-seq",
        "onward-pruned-through",
        "onward-incarnation",
        "onward-after-id",
    ] {
        assert!(
            pull["responses"]["200"]["headers"][header].is_object(),
            "the pull documents {header}"
        );
    }
    let devices = &doc["paths"]["/v1/journals/{journal}/devices/{device}"]["put"];
    for status in ["204", "400", "401", "409", "413", "507"] {
        assert!(
            devices["responses"][status].is_object(),
            "a device record's PUT documents {status}"
        );
    }
    assert!(doc["components"]["schemas"]["DeviceRecords"].is_object());
    assert!(doc["components"]["schemas"]["JournalInfo"]["properties"]["incarnation"].is_object());
    assert!(pull["responses"]["409"].is_object());
    let push = &doc["paths"]["/v1/journals/{journal}/batches/{batch}"]["put"];
    for status in ["200", "201", "400", "401", "413", "507"] {
        assert!(
            push["responses"][status].is_object(),
            "push documents {status}"
        );
    }
    let body_schema = &push["requestBody"]["content"]["application/octet-stream"]["schema"];
    assert_eq!(
        body_schema["format"],
        json!("binary"),
        "envelopes are raw bytes"
    );
    assert_eq!(body_schema["minLength"], json!(1), "never empty");
    let part = &doc["paths"]["/v1/journals/{journal}/snapshots/{snapshot}/parts/{index}"];
    assert!(part["get"]["responses"]["404"].is_object());
    let put_params: BTreeSet<&str> = part["put"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        put_params,
        BTreeSet::from(["journal", "snapshot", "index", "parts", "covers"])
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["credential"]["scheme"],
        json!("bearer")
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

async fn a_restarted_relay_keeps_its_journals(backend: Backend) {
    let mut relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    for n in 1..=3u64 {
        journal.push(&batch_id(n), &envelope(n, 300)).await;
    }
    let snapshot = random_hex(32);
    journal.put_snapshot(&snapshot, 2, b"snap").await;
    let (_, before) = journal.status().await;

    relay.restart().await;
    let journal = journal.via(&relay.base);
    let (status, after) = journal.status().await;
    assert_eq!(status, StatusCode::OK, "the credential still works");
    assert_eq!(after, before);
    let frames = journal.pull_all(2).await;
    assert_eq!(frames.len(), 1);
    assert_eq!(
        frames[0].envelope,
        journal.sealed_batch(&batch_id(3), &envelope(3, 300))
    );
    assert_eq!(
        journal.get_part(&snapshot, 0).await,
        (StatusCode::OK, journal.sealed_snapshot(&snapshot, b"snap"))
    );
    assert_eq!(
        journal.push(&batch_id(3), &envelope(3, 300)).await.1,
        json!({"seq": 3, "duplicate": true})
    );
    assert_eq!(
        journal.push(&batch_id(4), b"new").await.1,
        json!({"seq": 4, "duplicate": false})
    );
}

async fn shutting_down_answers_waiting_pulls(backend: Backend) {
    let mut relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    journal.push(&batch_id(1), b"a").await;
    let waiting = {
        let journal = journal.clone();
        tokio::spawn(async move { journal.pull("after=1&wait=60").await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished());
    relay.stop().await;
    let pull = tokio::time::timeout(Duration::from_secs(30), waiting)
        .await
        .expect("the waiting pull is answered, not left hanging for its 60 s")
        .unwrap();
    assert_eq!(pull.status, StatusCode::OK);
    assert!(pull.frames.is_empty());
    assert_eq!(pull.latest_seq, Some(1));
}

async fn a_database_of_a_newer_relay_is_refused_and_left_alone(backend: Backend) {
    let mut relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    journal.push(&batch_id(1), b"kept").await;
    relay.stop().await;
    match &relay.config.store {
        Store::Sqlite(path) => {
            let db = rusqlite::Connection::open(path).unwrap();
            db.pragma_update(None, "user_version", 4).unwrap();
        }
        Store::Postgres(url) => {
            let (db, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            db.execute("UPDATE onward_relay_schema SET version = 4", &[])
                .await
                .unwrap();
        }
    }
    let refused = serve(relay.config.clone())
        .await
        .err()
        .expect("a newer schema is refused");
    let message = refused.to_string();
    assert!(matches!(refused, StartError::Storage(_)));
    assert!(
        message.contains("newer") && message.contains("run a newer onward-relay"),
        "{message}"
    );

    // Nothing was changed: back at version 3 the journal is all there.
    match &relay.config.store {
        Store::Sqlite(path) => {
            let db = rusqlite::Connection::open(path).unwrap();
            let version: i64 = db
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(version, 4);
            db.pragma_update(None, "user_version", 3).unwrap();
        }
        Store::Postgres(url) => {
            let (db, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            let version: i32 = db
                .query_one("SELECT version FROM onward_relay_schema", &[])
                .await
                .unwrap()
                .get(0);
            assert_eq!(version, 4);
            db.execute("UPDATE onward_relay_schema SET version = 3", &[])
                .await
                .unwrap();
        }
    }
    relay.restart().await;
    let frames = journal.via(&relay.base).pull_all(0).await;
    assert_eq!(frames.len(), 1);
    assert_eq!(
        frames[0].envelope,
        journal.sealed_batch(&batch_id(1), b"kept")
    );
}

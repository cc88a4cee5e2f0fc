//! What lets a device trust the relay's numbering (docs/SYNC.md, HTTP API): the journal's
//! incarnation, the after-id of every pull, and the devices' sealed records. Each test
//! runs against SQLite and PostgreSQL.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use onward_relay::Store;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::client::{batch_id, envelope, random_hex, Device};
use support::relay::{Backend, Fixture};

/// protocol::limits::MAX_DEVICE_RECORD_BYTES and MAX_DEVICES, as docs/SYNC.md states them.
const RECORD_LIMIT: usize = 16 * 1024;
const DEVICE_LIMIT: usize = 64;

on_both_backends!(
    a_journal_created_again_has_a_new_incarnation,
    every_pull_names_the_batch_numbered_after,
    the_after_id_outlives_the_snapshot_that_pruned_it,
    device_records_are_stored_replaced_and_listed,
    device_records_are_bounded_in_size_and_number,
    device_records_need_the_credential_and_go_with_the_journal,
    an_old_database_gets_an_incarnation_per_journal,
);

fn error_code(body: &Value) -> &str {
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

async fn a_journal_created_again_has_a_new_incarnation(backend: Backend) {
    let mut relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let first = journal.incarnation().await;
    assert_eq!(
        journal.pull("after=0").await.incarnation.as_deref(),
        Some(first.as_str()),
        "a pull carries the incarnation"
    );
    let other = relay.journal();
    other.create().await;
    assert_ne!(other.incarnation().await, first, "random per journal");

    relay.restart().await;
    let journal = journal.via(&relay.base);
    assert_eq!(journal.incarnation().await, first, "kept across a restart");
    assert_eq!(journal.create().await, StatusCode::OK);
    assert_eq!(
        journal.incarnation().await,
        first,
        "creating again keeps it"
    );

    assert_eq!(journal.delete_signed().await.0, StatusCode::ACCEPTED);
    relay
        .config
        .clock
        .advance(Duration::from_secs(8 * 24 * 3600));
    relay.restart().await;
    let journal = journal.via(&relay.base);
    assert_eq!(journal.create().await, StatusCode::CREATED);
    let second = journal.incarnation().await;
    assert_ne!(
        second, first,
        "deleted and created again: a new incarnation"
    );
    assert_eq!(
        journal.pull("after=0").await.incarnation,
        Some(second),
        "and the pulls say so"
    );
}

async fn every_pull_names_the_batch_numbered_after(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let empty = journal.pull("after=0").await;
    assert_eq!(empty.after_id.as_deref(), Some(""), "after=0 has no batch");
    for n in 1..=3u64 {
        journal.push(&batch_id(100 + n), &envelope(n, 10)).await;
    }
    assert_eq!(journal.pull("after=0").await.after_id.as_deref(), Some(""));
    for after in 1..=3u64 {
        let pull = journal.pull(&format!("after={after}")).await;
        assert_eq!(pull.status, StatusCode::OK);
        assert_eq!(
            pull.after_id,
            Some(batch_id(100 + after)),
            "the id of batch {after}"
        );
    }
    let beyond = journal.pull("after=7").await;
    assert_eq!(beyond.status, StatusCode::OK);
    assert!(beyond.frames.is_empty());
    assert_eq!(beyond.latest_seq, Some(3));
    assert_eq!(
        beyond.after_id.as_deref(),
        Some(""),
        "no batch numbered 7: empty, so a device ahead of the relay can tell"
    );
    // Also on a waiting pull that times out.
    let waited = journal.pull("after=3&wait=1").await;
    assert_eq!(waited.after_id, Some(batch_id(103)));
}

async fn the_after_id_outlives_the_snapshot_that_pruned_it(backend: Backend) {
    let mut relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    for n in 1..=4u64 {
        journal.push(&batch_id(200 + n), &envelope(n, 10)).await;
    }
    assert_eq!(
        journal.put_snapshot(&random_hex(32), 2, b"s").await.1,
        json!({"complete": true})
    );
    let at_snapshot = journal.pull("after=2").await;
    assert_eq!(at_snapshot.pruned_through, Some(2));
    assert_eq!(at_snapshot.seqs(), vec![3, 4]);
    assert_eq!(
        at_snapshot.after_id,
        Some(batch_id(202)),
        "batch 2 is gone but its id is kept"
    );
    // A second snapshot covering the same number keeps the id; one covering more moves it.
    journal.put_snapshot(&random_hex(32), 2, b"t").await;
    assert_eq!(journal.pull("after=2").await.after_id, Some(batch_id(202)));
    journal.put_snapshot(&random_hex(32), 3, b"u").await;
    let moved = journal.pull("after=3").await;
    assert_eq!(moved.pruned_through, Some(3));
    assert_eq!(moved.after_id, Some(batch_id(203)));
    assert_eq!(journal.pull("after=4").await.after_id, Some(batch_id(204)));

    relay.restart().await;
    let journal = journal.via(&relay.base);
    assert_eq!(
        journal.pull("after=3").await.after_id,
        Some(batch_id(203)),
        "stored with the journal"
    );
}

async fn device_records_are_stored_replaced_and_listed(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    assert_eq!(
        journal.devices().await,
        (StatusCode::OK, json!({"devices": []}))
    );
    let other = Device::random();
    assert_eq!(journal.add(&other).await.0, StatusCode::OK);
    let theirs = journal.as_device(&other);
    let (mine_record, their_record) = (envelope(7, 150), envelope(8, 160));
    assert_eq!(
        theirs.put_record(&their_record).await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert_eq!(
        journal.put_record(&mine_record).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, list) = journal.devices().await;
    assert_eq!(status, StatusCode::OK);
    let mut expected = vec![
        json!({"id": journal.device.id(), "record": hex::encode(journal.sealed_record(&mine_record))}),
        json!({"id": other.id(), "record": hex::encode(theirs.sealed_record(&their_record))}),
    ];
    expected.sort_by_key(|d| d["id"].as_str().unwrap().to_owned());
    assert_eq!(
        list,
        json!({ "devices": expected }),
        "in device id order, records as lowercase hex"
    );
    journal.push(&batch_id(1), &envelope(1, 200)).await;
    assert_eq!(
        journal.status().await.1["bytes_used"],
        json!(150 + 160 + 200 + 3 * support::ROW)
    );

    let longer = envelope(9, 300);
    assert_eq!(theirs.put_record(&longer).await.0, StatusCode::NO_CONTENT);
    let (_, list) = journal.devices().await;
    assert!(list["devices"].as_array().unwrap().contains(
        &json!({"id": other.id(), "record": hex::encode(theirs.sealed_record(&longer))})
    ));
    assert_eq!(
        list["devices"].as_array().unwrap().len(),
        2,
        "replaced, not added"
    );
    assert_eq!(
        journal.status().await.1["bytes_used"],
        json!(150 + 300 + 200 + 3 * support::ROW),
        "the replaced record's bytes are freed"
    );
}

async fn device_records_are_bounded_in_size_and_number(backend: Backend) {
    let relay = Fixture::start_with(backend, |c| c.quota_bytes = 2 * 1024 * 1024).await;
    let journal = relay.journal();
    journal.create().await;
    let device = journal.device.id().to_owned();
    let (status, body) = journal.put_device(&device, b"").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (status, body) = journal.put_record(&vec![7u8; RECORD_LIMIT + 1]).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&RECORD_LIMIT.to_string()),
        "{body}"
    );
    assert_eq!(
        journal.put_record(&vec![7u8; RECORD_LIMIT]).await.0,
        StatusCode::NO_CONTENT,
        "exactly the limit is fine"
    );
    let (status, body) = journal.put_device("NOT-AN-ID", b"\x01").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );

    let mut ids = BTreeSet::from([device.clone()]);
    while ids.len() < DEVICE_LIMIT {
        let member = Device::random();
        assert_eq!(journal.add(&member).await.0, StatusCode::OK);
        assert_eq!(
            journal.as_device(&member).put_record(b"r").await.0,
            StatusCode::NO_CONTENT
        );
        ids.insert(member.id().to_owned());
    }
    let one_more = Device::random();
    assert_eq!(journal.add(&one_more).await.0, StatusCode::OK);
    let (status, body) = journal.as_device(&one_more).put_record(b"r").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "too_many_devices"),
        "{body}"
    );
    assert_eq!(
        journal.put_record(b"replaced").await.0,
        StatusCode::NO_CONTENT,
        "a device that has a record may replace it"
    );
    let (_, list) = journal.devices().await;
    let listed: Vec<String> = list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, ids.into_iter().collect::<Vec<_>>());

    // Records count against the quota.
    let full = Fixture::start_with(backend, |c| c.quota_bytes = 400 + 2 * support::ROW).await;
    let journal = full.journal();
    journal.create().await;
    journal.push(&batch_id(1), &envelope(1, 200)).await;
    let (status, body) = journal.put_record(&[1u8; 201]).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded")
    );
    assert_eq!(
        journal.put_record(&[1u8; 200]).await.0,
        StatusCode::NO_CONTENT,
        "exactly full is fine"
    );
}

async fn device_records_need_the_credential_and_go_with_the_journal(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let device = journal.device.id().to_owned();
    let other = Device::random();
    journal.add(&other).await;
    journal.put_record(b"mine").await;
    let (_, before) = journal.status().await;
    for intruder in [
        journal.with_credential(&random_hex(64)),
        relay.journal(), // unknown journal
    ] {
        let (status, body) = intruder.devices().await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::UNAUTHORIZED, "unauthorized")
        );
        assert_eq!(
            intruder
                .put_device(&device, &journal.sealed_record(b"evil"))
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
        // Checked before the body is looked at: a stranger learns nothing from limits.
        assert_eq!(
            intruder.put_device(&device, b"").await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            intruder
                .put_device(&device, &vec![1u8; RECORD_LIMIT + 1])
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
    }
    // A member writes only its own record, signed by itself.
    let (status, body) = journal
        .as_device(&other)
        .put_device(&device, &journal.sealed_record(b"evil"))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, body) = journal
        .as_device(&other)
        .with_credential(&journal.credential)
        .put_record(b"evil")
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "a record signed by another device"
    );
    assert_eq!(journal.status().await.1, before, "nothing changed");
    assert_eq!(
        journal.devices().await.1["devices"][0]["record"],
        json!(hex::encode(journal.sealed_record(b"mine")))
    );

    assert_eq!(journal.delete_signed().await.0, StatusCode::ACCEPTED);
    let (status, body) = journal.devices().await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::GONE, "journal_deleted")
    );
}

/// Turns the relay's database back into schema version 1 (no incarnation, no kept
/// after-id, no device records, no device lists), as a relay from before left it.
async fn downgrade_to_version_1(store: &Store) {
    let v3 = "DROP TABLE invitations; DROP TABLE wraps; DROP TABLE members; DROP TABLE member_ops;
              ALTER TABLE journals DROP COLUMN epoch;
              ALTER TABLE journals DROP COLUMN deleted_at_ms;";
    match store {
        Store::Sqlite(path) => {
            let db = rusqlite::Connection::open(path).unwrap();
            db.execute_batch(&format!(
                "{v3}
                 ALTER TABLE journals DROP COLUMN incarnation;
                 ALTER TABLE journals DROP COLUMN pruned_through_id;
                 DROP TABLE devices;
                 PRAGMA user_version = 1;"
            ))
            .unwrap();
        }
        Store::Postgres(url) => {
            let (db, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            db.batch_execute(&format!(
                "{v3}
                 ALTER TABLE journals DROP COLUMN incarnation;
                 ALTER TABLE journals DROP COLUMN pruned_through_id;
                 DROP TABLE devices;
                 UPDATE onward_relay_schema SET version = 1;"
            ))
            .await
            .unwrap();
        }
    }
}

/// Every journal's incarnation and batch count, read from the database itself.
async fn stored_journals(store: &Store) -> Vec<(String, i64)> {
    let sql = "SELECT j.incarnation, (SELECT COUNT(*) FROM batches b WHERE b.journal = j.id)
                 FROM journals j ORDER BY j.id";
    match store {
        Store::Sqlite(path) => {
            let db = rusqlite::Connection::open(path).unwrap();
            let mut stmt = db.prepare(sql).unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        }
        Store::Postgres(url) => {
            let (db, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            db.query(sql, &[])
                .await
                .unwrap()
                .into_iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect()
        }
    }
}

async fn an_old_database_gets_an_incarnation_per_journal(backend: Backend) {
    let mut relay = Fixture::start(backend).await;
    let journals = [relay.journal(), relay.journal(), relay.journal()];
    for (journal, n) in journals.iter().zip(1u64..) {
        journal.create().await;
        journal.push(&batch_id(n), &envelope(n, 200)).await;
    }
    relay.stop().await;
    downgrade_to_version_1(&relay.config.store).await;
    relay.restart().await;
    let stored = stored_journals(&relay.config.store).await;
    let incarnations: BTreeSet<String> = stored.iter().map(|(i, _)| i.clone()).collect();
    assert_eq!(incarnations.len(), 3, "a random one each: {incarnations:?}");
    assert!(
        stored.iter().all(|(_, batches)| *batches == 1),
        "the batches survived the upgrade: {stored:?}"
    );
    for journal in &journals {
        // A journal from before device lists has no members: no credential opens it.
        let journal = journal.via(&relay.base);
        assert_eq!(journal.status().await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(journal.create().await, StatusCode::UNAUTHORIZED);
    }
    let fresh = relay.journal();
    assert_eq!(fresh.create().await, StatusCode::CREATED);
    assert_eq!(
        fresh.push(&batch_id(1), b"new").await.0,
        StatusCode::CREATED
    );

    relay.restart().await;
    let again: BTreeSet<String> = stored_journals(&relay.config.store)
        .await
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert!(incarnations.is_subset(&again), "given once, then kept");
}

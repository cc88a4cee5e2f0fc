//! What lets a device trust the relay's numbering (docs/SYNC.md, HTTP API): the journal's
//! incarnation, the after-id of every pull, and the devices' sealed records. Each test
//! runs against SQLite and PostgreSQL.

mod support;

use std::collections::BTreeSet;

use onward_relay::Store;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::client::{batch_id, envelope, random_hex};
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

    assert_eq!(journal.delete().await.0, StatusCode::NO_CONTENT);
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
        journal.put_part(&random_hex(32), 0, 1, 2, b"\x01s").await.1,
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
    journal.put_part(&random_hex(32), 0, 1, 2, b"\x01t").await;
    assert_eq!(journal.pull("after=2").await.after_id, Some(batch_id(202)));
    journal.put_part(&random_hex(32), 0, 1, 3, b"\x01u").await;
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
    let (a, b) = (format!("{:032x}", 0xa), format!("{:032x}", 0xb));
    assert_eq!(
        journal.put_device(&b, b"\x01bee").await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert_eq!(
        journal.put_device(&a, &[1, 0xff, 0]).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, list) = journal.devices().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list,
        json!({"devices": [
            {"id": a, "record": "01ff00"},
            {"id": b, "record": hex::encode(b"\x01bee")},
        ]}),
        "in device id order, records as lowercase hex"
    );
    journal.push(&batch_id(1), &envelope(1, 100)).await;
    assert_eq!(journal.status().await.1["bytes_used"], json!(3 + 4 + 100));

    assert_eq!(
        journal.put_device(&b, b"\x01a longer record").await.0,
        StatusCode::NO_CONTENT
    );
    let (_, list) = journal.devices().await;
    assert_eq!(
        list["devices"][1]["record"],
        json!(hex::encode(b"\x01a longer record"))
    );
    assert_eq!(
        list["devices"].as_array().unwrap().len(),
        2,
        "replaced, not added"
    );
    assert_eq!(
        journal.status().await.1["bytes_used"],
        json!(3 + b"\x01a longer record".len() + 100),
        "the replaced record's bytes are freed"
    );
}

async fn device_records_are_bounded_in_size_and_number(backend: Backend) {
    let relay = Fixture::start_with(backend, |c| c.quota_bytes = 2 * 1024 * 1024).await;
    let journal = relay.journal();
    journal.create().await;
    let device = random_hex(32);
    let (status, body) = journal.put_device(&device, b"").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (status, body) = journal
        .put_device(&device, &vec![7u8; RECORD_LIMIT + 1])
        .await;
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
        journal
            .put_device(&device, &vec![7u8; RECORD_LIMIT])
            .await
            .0,
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
        let id = random_hex(32);
        assert_eq!(
            journal.put_device(&id, b"\x01r").await.0,
            StatusCode::NO_CONTENT
        );
        ids.insert(id);
    }
    let (status, body) = journal.put_device(&random_hex(32), b"\x01r").await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "too_many_devices"),
        "{body}"
    );
    assert_eq!(
        journal.put_device(&device, b"\x01replaced").await.0,
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
    let full = Fixture::start_with(backend, |c| c.quota_bytes = 100).await;
    let journal = full.journal();
    journal.create().await;
    journal.push(&batch_id(1), &envelope(1, 90)).await;
    let (status, body) = journal.put_device(&random_hex(32), &[1u8; 11]).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::INSUFFICIENT_STORAGE, "quota_exceeded")
    );
    assert_eq!(
        journal.put_device(&random_hex(32), &[1u8; 10]).await.0,
        StatusCode::NO_CONTENT,
        "exactly full is fine"
    );
}

async fn device_records_need_the_credential_and_go_with_the_journal(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let device = random_hex(32);
    journal.put_device(&device, b"\x01mine").await;
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
            intruder.put_device(&device, b"\x01evil").await.0,
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
    assert_eq!(journal.status().await.1, before, "nothing changed");
    assert_eq!(
        journal.devices().await.1["devices"][0]["record"],
        json!(hex::encode(b"\x01mine"))
    );

    assert_eq!(journal.delete().await.0, StatusCode::NO_CONTENT);
    assert_eq!(journal.devices().await.0, StatusCode::UNAUTHORIZED);
    journal.create().await;
    assert_eq!(
        journal.devices().await,
        (StatusCode::OK, json!({"devices": []})),
        "deleting the journal removed its device records"
    );
    assert_eq!(journal.status().await.1["bytes_used"], json!(0));
}

/// Turns the relay's database back into schema version 1 (no incarnation, no kept
/// after-id, no device records), as a relay from before this change left it.
async fn downgrade_to_version_1(store: &Store) {
    match store {
        Store::Sqlite(path) => {
            let db = rusqlite::Connection::open(path).unwrap();
            db.execute_batch(
                "ALTER TABLE journals DROP COLUMN incarnation;
                 ALTER TABLE journals DROP COLUMN pruned_through_id;
                 DROP TABLE devices;
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        }
        Store::Postgres(url) => {
            let (db, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            db.batch_execute(
                "ALTER TABLE journals DROP COLUMN incarnation;
                 ALTER TABLE journals DROP COLUMN pruned_through_id;
                 DROP TABLE devices;
                 UPDATE onward_relay_schema SET version = 1;",
            )
            .await
            .unwrap();
        }
    }
}

async fn an_old_database_gets_an_incarnation_per_journal(backend: Backend) {
    let mut relay = Fixture::start(backend).await;
    let journals = [relay.journal(), relay.journal(), relay.journal()];
    for (journal, n) in journals.iter().zip(1u64..) {
        journal.create().await;
        journal.push(&batch_id(n), &envelope(n, 10)).await;
    }
    relay.stop().await;
    downgrade_to_version_1(&relay.config.store).await;
    relay.restart().await;
    let mut incarnations = BTreeSet::new();
    for (journal, n) in journals.iter().zip(1u64..) {
        let journal = journal.via(&relay.base);
        incarnations.insert(journal.incarnation().await);
        let pull = journal.pull("after=0").await;
        assert_eq!(pull.seqs(), vec![1], "the batches survived the upgrade");
        assert_eq!(pull.frames[0].batch, batch_id(n));
        assert_eq!(journal.devices().await.0, StatusCode::OK);
    }
    assert_eq!(incarnations.len(), 3, "a random one each: {incarnations:?}");

    relay.restart().await;
    for journal in &journals {
        assert!(
            incarnations.contains(&journal.via(&relay.base).incarnation().await),
            "given once, then kept"
        );
    }
}

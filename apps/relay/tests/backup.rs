//! A relay restored from a backup (apps/relay/README.md, "Backup and restore"): it answers
//! as it was at the backup, and its pull headers let a device that saw later batches
//! notice. Run against SQLite and PostgreSQL.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::backup;
use support::client::{batch_id, envelope};
use support::relay::{Backend, Fixture};

on_both_backends!(a_restored_relay_answers_as_at_the_backup);

async fn a_restored_relay_answers_as_at_the_backup(backend: Backend) {
    let mut relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    for n in 1..=3u64 {
        journal.push(&batch_id(n), &envelope(n, 200)).await;
    }
    let incarnation = journal.incarnation().await;
    let after_3 = journal.pull("after=3").await.after_id;
    assert_eq!(after_3, Some(batch_id(3)));

    // Online: the relay keeps serving while the copy is taken.
    let saved = backup::take(&relay, "relay.backup");
    for n in 4..=5u64 {
        assert_eq!(
            journal.push(&batch_id(n), &envelope(n, 200)).await.1,
            json!({"seq": n, "duplicate": false})
        );
    }
    let lost_4 = journal.pull("after=4").await.after_id;
    assert_eq!(lost_4, Some(batch_id(4)));

    backup::restore(&mut relay, &saved).await;
    let journal = journal.via(&relay.base);
    let (status, state) = journal.status().await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the credential works after a restore"
    );
    assert_eq!(state["latest_seq"], json!(3));
    assert_eq!(state["bytes_used"], json!(3 * (200 + support::ROW)));
    assert_eq!(
        state["incarnation"],
        json!(incarnation),
        "the same journal, restored"
    );
    assert_eq!(journal.pull("after=3").await.after_id, after_3);

    // A device whose cursor is 5 sees a relay behind it.
    let ahead = journal.pull("after=5").await;
    assert_eq!(ahead.status, StatusCode::OK);
    assert!(ahead.frames.is_empty());
    assert_eq!(
        ahead.latest_seq,
        Some(3),
        "latest below the device's cursor"
    );
    assert_eq!(ahead.after_id.as_deref(), Some(""), "no batch 5 here");
    assert_eq!(ahead.incarnation.as_deref(), Some(incarnation.as_str()));

    // The lost number 4 goes to another batch: the after-id tells them apart.
    assert_eq!(
        journal.push(&batch_id(40), &envelope(40, 200)).await,
        (StatusCode::CREATED, json!({"seq": 4, "duplicate": false}))
    );
    let new_4 = journal.pull("after=4").await.after_id;
    assert_eq!(new_4, Some(batch_id(40)));
    assert_ne!(
        new_4, lost_4,
        "a device that merged the lost batch 4 can tell"
    );
    let frames = journal.pull_all(0).await;
    assert_eq!(
        frames
            .iter()
            .map(|f| (f.seq, f.batch.clone()))
            .collect::<Vec<_>>(),
        vec![
            (1, batch_id(1)),
            (2, batch_id(2)),
            (3, batch_id(3)),
            (4, batch_id(40))
        ]
    );
}

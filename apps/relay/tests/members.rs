//! Protocol v2 on the relay (docs/SYNC.md, "Devices and keys" to "Threat model"): the
//! signed device list, signed writes and epochs, invitations, delete with grace. Each
//! test runs against SQLite and PostgreSQL.

mod support;

use std::time::Duration;

use onward_protocol::members::{envelope as env, Op};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::client::{batch_id, envelope, random_hex, Device};
use support::relay::{Backend, Fixture};

on_both_backends!(
    only_the_authenticated_device_signs_its_batches,
    a_removal_starts_an_epoch_and_shuts_the_removed_device_out,
    the_device_list_is_checked_as_devices_check_it,
    an_invitation_adds_one_device_once_before_it_expires,
    a_signed_delete_can_be_restored_within_the_grace,
    a_deleted_journal_is_purged_after_the_grace,
    a_snapshot_not_signed_by_a_member_is_dropped_and_prunes_nothing,
    a_device_registers_its_journal_again_with_the_whole_list,
    an_unchanged_device_list_is_not_sent_again,
);

fn error_code(body: &Value) -> &str {
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

async fn only_the_authenticated_device_signs_its_batches(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let other = Device::random();
    assert_eq!(journal.add(&other).await.0, StatusCode::OK);
    let content = envelope(1, 300);
    let batch = batch_id(1);

    let mut tampered = journal.sealed_batch(&batch, &content);
    tampered[100] ^= 1;
    let by_other = journal.as_device(&other).sealed_batch(&batch, &content);
    let stranger = Device::random();
    let by_stranger = journal.as_device(&stranger).sealed_batch(&batch, &content);
    let for_another_batch = journal.sealed_batch(&batch_id(2), &content);
    let snapshot_kind = journal.sealed(env::SNAPSHOT, &batch, &content);
    for (what, bytes) in [
        ("a bad signature", tampered),
        ("signed by another member", by_other),
        ("signed by a stranger", by_stranger),
        ("signed for another batch id", for_another_batch),
        ("signed as a snapshot", snapshot_kind),
        ("not an envelope", vec![1u8; 300]),
    ] {
        let (status, body) = journal.push_raw(&batch, &bytes).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{what}: {body}"
        );
    }
    let (_, state) = journal.status().await;
    assert_eq!(
        (state["latest_seq"].clone(), state["bytes_used"].clone()),
        (json!(0), json!(0)),
        "nothing stored"
    );
    assert_eq!(state["members"], json!(2));
    assert_eq!(
        journal.push(&batch, &content).await,
        (StatusCode::CREATED, json!({"seq": 1, "duplicate": false}))
    );
    assert_eq!(
        journal
            .as_device(&other)
            .push(&batch_id(2), &content)
            .await
            .0,
        StatusCode::CREATED,
        "each member pushes under its own key"
    );
}

async fn a_removal_starts_an_epoch_and_shuts_the_removed_device_out(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let (laptop, phone) = (Device::random(), Device::random());
    journal.add(&laptop).await;
    journal.add(&phone).await;
    let phone_view = journal.as_device(&phone);
    assert_eq!(
        phone_view.push(&batch_id(1), b"one").await.0,
        StatusCode::CREATED
    );
    let old_epoch_batch = journal.sealed_batch(&batch_id(2), b"two");

    // Without a wrap of the new epoch for every member left: refused.
    let (status, body) = journal.remove(phone.id(), &[&journal.device]).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request"),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains(laptop.id()),
        "{body}"
    );
    assert_eq!(journal.epoch(), 0);

    let (status, answer) = journal
        .remove(phone.id(), &[&journal.device, &laptop])
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["ops"].as_array().unwrap().len(), 4);
    assert_eq!(
        answer["ops"][3]["seq"],
        json!(1),
        "the latest seq when stored"
    );
    let (_, state) = journal.status().await;
    assert_eq!(
        (state["epoch"].clone(), state["members"].clone()),
        (json!(1), json!(2))
    );

    // The removed device can neither pull nor push, nor read the list.
    for (status, body) in [
        phone_view.push(&batch_id(3), b"three").await,
        phone_view.status().await,
        phone_view
            .send_json(Method::GET, "/members", &Value::Null)
            .await,
    ] {
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::FORBIDDEN, "device_removed")
        );
    }
    let pull = phone_view.pull("after=0").await;
    assert_eq!(pull.status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(pull.error.as_ref().unwrap()), "device_removed");

    // A member still sealing under the old epoch is told to catch up.
    let (status, body) = journal.push_raw(&batch_id(2), &old_epoch_batch).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "epoch_outdated")
    );
    assert_eq!(
        journal.push(&batch_id(2), b"two").await.0,
        StatusCode::CREATED
    );
    let stale_record = laptop.seal(env::DEVICE_RECORD, &journal.id, laptop.id(), 0, b"rec");
    let (status, body) = journal
        .as_device(&laptop)
        .put_device(laptop.id(), &stale_record)
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "epoch_outdated")
    );

    // Each member left reads its wrap of the new epoch.
    let (status, wraps) = journal
        .as_device(&laptop)
        .send_json(Method::GET, "/wraps", &Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(wraps["wraps"].as_array().unwrap().len(), 1);
    assert_eq!(wraps["wraps"][0]["epoch"], json!(1));
    assert_eq!(wraps["wraps"][0]["device"], json!(laptop.id()));
}

async fn the_device_list_is_checked_as_devices_check_it(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let genesis_hash = journal.genesis.hash();
    let laptop = Device::random();
    journal.add(&laptop).await;

    // An operation naming an older head: the list changed meanwhile.
    let stale = journal.device.sign_op(
        &journal.id,
        &genesis_hash,
        Op::Add {
            member: Device::random().member,
            invitation: None,
        },
    );
    let (status, body) = journal.change_members(&stale, &[]).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "members_changed")
    );

    // A stranger's signature, and one moved onto another body.
    let head = journal.head().await;
    let stranger = Device::random();
    let by_stranger = stranger.sign_op(
        &journal.id,
        &head,
        Op::Add {
            member: stranger.member.clone(),
            invitation: None,
        },
    );
    let (status, body) = journal.change_members(&by_stranger, &[]).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{body}"
    );
    let mut forged = journal.device.sign_op(
        &journal.id,
        &head,
        Op::Add {
            member: stranger.member.clone(),
            invitation: None,
        },
    );
    forged.body = forged.body.replace("\"op\"", "\"op\" ");
    let (status, body) = journal.change_members(&forged, &[]).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{body}"
    );
    // Removing a device that is no member, or skipping an epoch.
    for op in [
        Op::Remove {
            device: stranger.id().to_owned(),
            epoch: 1,
        },
        Op::Remove {
            device: laptop.id().to_owned(),
            epoch: 2,
        },
    ] {
        let op = journal.device.sign_op(&journal.id, &head, op);
        let wraps = [journal.device.wrap(&journal.id, 1, journal.device.id())];
        let (status, body) = journal.change_members(&op, &wraps).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{body}"
        );
    }
    let (status, body) = journal
        .send_json(Method::POST, "/members", &json!({"op": "nonsense"}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    assert_eq!(journal.member_ops().await.len(), 2, "nothing was taken in");
    // A member leaving signs its own removal and wraps the new key for those it leaves.
    let leaving = journal.as_device(&laptop);
    let (status, body) = leaving.remove(laptop.id(), &[&journal.device]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(journal.status().await.1["members"], json!(1));
    // Once gone, its credential is refused.
    let (status, body) = leaving.send(Method::GET, "/members", None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "{}",
        String::from_utf8_lossy(&body)
    );
}

async fn an_invitation_adds_one_device_once_before_it_expires(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let now = relay.config.clock.now_ms();
    let invite = journal.invite(now + 600_000);
    // Nobody but a member leaves one; it must be well-formed.
    let stranger = journal.with_credential(&random_hex(64));
    assert_eq!(
        stranger.put_invitation(&invite).await.0,
        StatusCode::UNAUTHORIZED
    );
    for expires in [now - 1, now + 25 * 3600 * 1000] {
        let bad = journal.invite(expires);
        let (status, body) = journal.put_invitation(&bad).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{body}"
        );
    }
    assert_eq!(journal.put_invitation(&invite).await.0, StatusCode::CREATED);
    assert_eq!(
        journal.put_invitation(&invite).await.0,
        StatusCode::CREATED,
        "idempotent"
    );

    // A member's credential is not the invitation's.
    let (status, _) = journal
        .send(
            Method::GET,
            &format!("/invitations/{}", invite.invitation.id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, answer) = journal.get_invitation(&invite).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["payload"], json!("c0ffee"));
    assert_eq!(answer["ops"].as_array().unwrap().len(), 1);

    let head = journal.head().await;
    let newcomer = Device::random();
    let (status, answer) = journal.accept(&invite, &head, &newcomer).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["ops"].as_array().unwrap().len(), 2);
    let joined = journal.as_device(&newcomer);
    assert_eq!(
        joined.push(&batch_id(1), b"hello").await.0,
        StatusCode::CREATED
    );

    // Used: a second accept (even for another device) and a GET are gone.
    let head = journal.head().await;
    let (status, body) = journal.accept(&invite, &head, &Device::random()).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::GONE, "invitation_gone")
    );
    let (status, body) = journal.get_invitation(&invite).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::GONE, "invitation_gone")
    );

    // Expired by the relay's clock: gone.
    let late = journal.invite(now + 60_000);
    assert_eq!(journal.put_invitation(&late).await.0, StatusCode::CREATED);
    relay.config.clock.advance(Duration::from_secs(120));
    let (status, body) = journal.get_invitation(&late).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::GONE, "invitation_gone")
    );
    let (status, body) = journal.accept(&late, &head, &Device::random()).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::GONE, "invitation_gone")
    );
    assert_eq!(journal.status().await.1["members"], json!(2));
}

async fn a_signed_delete_can_be_restored_within_the_grace(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    journal.push(&batch_id(1), b"kept").await;
    journal.put_record(b"record").await;
    let (_, before) = journal.status().await;
    let incarnation = journal.incarnation().await;

    // A credential alone deletes nothing: no signature, a stranger's, another action's.
    let stranger = Device::random();
    for signature in [
        None,
        Some(stranger.sign_request("delete", &journal.id, &incarnation)),
        Some(
            journal
                .device
                .sign_request("restore", &journal.id, &incarnation),
        ),
        Some(
            journal
                .device
                .sign_request("delete", &journal.id, &random_hex(32)),
        ),
    ] {
        let (status, body) = match signature {
            Some(sig) => journal.send_signed(Method::DELETE, "", &sig).await,
            None => journal.delete().await,
        };
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::FORBIDDEN, "forbidden")
        );
    }
    assert_eq!(journal.status().await.1, before);

    let (status, answer) = journal.delete_signed().await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let grace_ms = 7 * 24 * 3600 * 1000;
    let purge_after = answer["purge_after_ms"].as_u64().unwrap();
    assert!(purge_after >= relay.config.clock.now_ms() + grace_ms - 60_000);
    for (status, body) in [
        journal.status().await,
        journal.push(&batch_id(2), b"new").await,
        journal.devices().await,
    ] {
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::GONE, "journal_deleted")
        );
    }
    assert_eq!(journal.pull("after=0").await.status, StatusCode::GONE);
    assert_eq!(
        journal.restore(&random_hex(32)).await.0,
        StatusCode::FORBIDDEN,
        "signed over another incarnation"
    );
    relay
        .config
        .clock
        .advance(Duration::from_secs(6 * 24 * 3600));
    assert_eq!(journal.restore(&incarnation).await.0, StatusCode::OK);
    assert_eq!(journal.status().await.1, before, "everything is back");
    let frames = journal.pull_all(0).await;
    assert_eq!(
        frames[0].envelope,
        journal.sealed_batch(&batch_id(1), b"kept")
    );
    assert_eq!(
        journal.push(&batch_id(2), b"new").await.0,
        StatusCode::CREATED
    );
}

async fn a_deleted_journal_is_purged_after_the_grace(backend: Backend) {
    let relay = Fixture::start_with(backend, |c| c.delete_grace = Duration::from_secs(1)).await;
    let journal = relay.journal();
    journal.create().await;
    journal.push(&batch_id(1), b"gone").await;
    let incarnation = journal.incarnation().await;
    assert_eq!(journal.delete_signed().await.0, StatusCode::ACCEPTED);
    // The background purge drops it: then the id is free for a journal created anew.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let status = journal.create().await;
        if status == StatusCode::CREATED {
            break;
        }
        assert_eq!(status, StatusCode::GONE, "deleted, not yet purged");
        assert!(std::time::Instant::now() < deadline, "never purged");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_ne!(journal.incarnation().await, incarnation);
    assert!(journal.pull_all(0).await.is_empty());
    assert_eq!(journal.restore(&incarnation).await.0, StatusCode::FORBIDDEN);
}

async fn a_snapshot_not_signed_by_a_member_is_dropped_and_prunes_nothing(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    for n in 1..=3u64 {
        journal.push(&batch_id(n), &envelope(n, 200)).await;
    }
    let (_, before) = journal.status().await;
    let stranger = journal.as_device(&Device::random());
    for whole in [
        stranger.sealed_snapshot(&random_hex(32), &envelope(9, 1500)),
        vec![7u8; 1500],
    ] {
        let snapshot = random_hex(32);
        let parts: Vec<&[u8]> = whole.chunks(1000).collect();
        assert_eq!(
            journal.put_part(&snapshot, 0, 2, 3, parts[0]).await.1,
            json!({"complete": false})
        );
        let (status, body) = journal.put_part(&snapshot, 1, 2, 3, parts[1]).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{body}"
        );
        assert_eq!(
            journal.get_part(&snapshot, 0).await.0,
            StatusCode::NOT_FOUND,
            "dropped"
        );
        assert_eq!(
            journal.status().await.1,
            before,
            "nothing pruned, bytes given back"
        );
    }
    assert_eq!(journal.pull_all(0).await.len(), 3);
}

async fn a_device_registers_its_journal_again_with_the_whole_list(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let laptop = Device::random();
    journal.add(&laptop).await;
    let ops = journal.member_ops().await;
    // The laptop re-registers with the whole list: the same genesis is fine.
    let (status, body) = journal.as_device(&laptop).create_with(&ops, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // On a relay that lost the journal, the whole list recreates it with its members.
    let other = Fixture::start(backend).await;
    let moved = journal.via(&other.base).as_device(&laptop);
    let wraps = [journal.device.wrap(&journal.id, 0, laptop.id())];
    let (status, body) = moved.create_with(&ops, &wraps).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(moved.member_ops().await, ops);
    assert_eq!(moved.status().await.1["members"], json!(2));
    let (_, answer) = moved.send_json(Method::GET, "/wraps", &Value::Null).await;
    assert_eq!(answer["wraps"].as_array().unwrap().len(), 1);
    // Only a member's credential registers it.
    let (status, body) = moved
        .with_credential(&random_hex(64))
        .create_with(&ops, &[])
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
}

async fn an_unchanged_device_list_is_not_sent_again(backend: Backend) {
    let relay = Fixture::start(backend).await;
    let journal = relay.journal();
    journal.create().await;
    let (status, tag, body) = journal.members_if(None).await;
    assert_eq!(status, StatusCode::OK);
    let answer: onward_protocol::MembersAnswer = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        tag,
        onward_protocol::members::list_tag(&answer.ops),
        "the tag a device computes from the list it verified"
    );

    for (what, header) in [
        ("its own tag", tag.clone()),
        ("in a list, weakly", format!("\"other\", W/{tag}")),
        ("any", "*".to_owned()),
    ] {
        let (status, again, body) = journal.members_if(Some(&header)).await;
        assert_eq!(
            (status, &again, body.len()),
            (StatusCode::NOT_MODIFIED, &tag, 0),
            "{what}"
        );
    }
    let (status, _, body) = journal.members_if(Some("\"other\"")).await;
    assert_eq!((status, body.is_empty()), (StatusCode::OK, false));

    // Each change to the list changes the tag, and the tag before brings the whole list.
    let laptop = Device::random();
    let mut seen = vec![tag];
    for (change, len) in ["add", "remove"].into_iter().zip([2, 3]) {
        let (status, body) = match change {
            "add" => journal.add(&laptop).await,
            _ => journal.remove(laptop.id(), &[&journal.device]).await,
        };
        assert_eq!(status, StatusCode::OK, "{change}: {body}");
        let (status, tag, body) = journal.members_if(seen.last().map(String::as_str)).await;
        let answer: onward_protocol::MembersAnswer = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            (status, answer.ops.len()),
            (StatusCode::OK, len),
            "{change}"
        );
        assert!(!seen.contains(&tag), "{change}: a new tag");
        seen.push(tag);
    }
}

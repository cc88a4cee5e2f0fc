//! `PUT`, `GET` and `DELETE /v1/journals/{journal}`, and `POST .../restore`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use onward_protocol::members::{self, verify_bytes};
use onward_protocol::{
    headers, paths, CreateJournal, DeleteAnswer, ErrorBody, JournalInfo, SnapshotInfo,
};

use super::{json_body, parse_json};
use crate::auth::{self, Caller};
use crate::error::{Error, Result};
use crate::guard::body::UnreadBody;
use crate::ids::Id;
use crate::state::AppState;
use crate::storage::{members as list, Creation, SnapshotState};

/// The protocol's snapshot listing of a stored snapshot.
fn snapshot_info(s: SnapshotState) -> SnapshotInfo {
    SnapshotInfo {
        id: s.id.to_string(),
        covers: s.covers,
        parts: s.parts,
        bytes: s.bytes,
    }
}

/// Parses the `{journal}` path segment.
pub(crate) fn journal_id(path: Result<Path<String>, PathRejection>) -> Result<Id> {
    let Path(journal) = path?;
    Id::parse("journal", &journal)
}

/// Checks, on creation only, that the credential is 64 lowercase hex characters, so a
/// malformed one never becomes a member's credential.
fn check_credential_format(headers: &HeaderMap) -> Result<()> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    let well_formed = token.len() == 64
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if well_formed {
        Ok(())
    } else {
        Err(Error::MalformedCredential)
    }
}

/// Creates a journal from its signed device list.
#[utoipa::path(put, path = paths::JOURNAL, tag = "journals",
    params(("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$")),
    security(("credential" = [])),
    request_body(content = CreateJournal, description = "The device list, genesis first, and wrapped keys (when registering again). \
        For a journal the relay doesn't have, a body over 17 KiB is read on only once its first bytes hold this journal's genesis \
        signed by its founder (`{\"ops\": [genesis, ...`); for one it has, only with a member's credential"),
    responses(
        (status = 201, description = "The journal was created"),
        (status = 200, description = "The journal was already there with the same genesis"),
        (status = 400, description = "Malformed journal id, body or device list", body = ErrorBody),
        (status = 401, description = "No credential, a malformed one (not 64 lowercase hex characters), or the journal is there and the credential is no member's (judged before the body is read) or the list has another genesis", body = ErrorBody),
        (status = 403, description = "`forbidden`: the list is not this journal's, or the credential is not an active member's; `registration_required`: a new journal on a relay run with `--registration token`, without its token in `Onward-Registration`", body = ErrorBody),
        (status = 410, description = "`journal_deleted`: the journal is deleted, waiting for its purge", body = ErrorBody),
        (status = 413, description = "The body is over the relay's limit", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn create(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: UnreadBody,
) -> Result<StatusCode> {
    let journal = journal_id(path)?;
    let presented = auth::credential_hash(&headers)?;
    check_credential_format(&headers)?;
    // Before the body is read: only a member registers its journal again; a new journal
    // needs the registration token (when the relay asks for one), and its body is read
    // past what a genesis takes only once the genesis checks out.
    let request: CreateJournal = match app.storage.access(&journal).await? {
        Some(access) => {
            auth::identify(&access.members, &presented)?;
            json_body(body, app.max_body_bytes, "a device list").await?
        }
        None => {
            app.guard.registration.check(&headers)?;
            let bytes = body
                .read_judging_first(list::GENESIS_WITHIN, app.max_body_bytes, |first| {
                    list::check_genesis_first(&journal, first)
                })
                .await?;
            parse_json(&bytes, "a device list")?
        }
    };
    let new = list::new_journal(&journal, request.ops, request.wraps, &presented)?;
    let genesis = new.ops.first().cloned();
    match app.storage.create_journal(&journal, new).await? {
        Creation::Created => {
            tracing::info!(journal = %journal, "journal created");
            Ok(StatusCode::CREATED)
        }
        // A device re-registering (the relay lost it, or the answer was lost) is fine.
        Creation::Existing {
            genesis: stored,
            deleted_at_ms,
        } if stored.is_some() && stored == genesis => match deleted_at_ms {
            Some(at) => Err(Error::JournalDeleted {
                purge_after_ms: auth::purge_after(at, app.delete_grace),
            }),
            None => Ok(StatusCode::OK),
        },
        Creation::Existing { .. } => Err(Error::Unauthorized),
    }
}

/// Reports a journal's sequence numbers, bytes, incarnation, epoch, members and newest snapshot.
#[utoipa::path(get, path = paths::JOURNAL, tag = "journals",
    params(("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$")),
    security(("credential" = [])),
    responses(
        (status = 200, description = "The journal's state", body = JournalInfo),
        (status = 400, description = "Malformed journal id", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential", body = ErrorBody),
        (status = 403, description = "`device_removed`: this device was removed", body = ErrorBody),
        (status = 410, description = "`journal_deleted`: the journal is deleted; a member may restore it", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn status(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<JournalInfo>> {
    let journal = journal_id(path)?;
    auth::member(&app, &journal, &headers).await?;
    let state = app.storage.journal(&journal).await?;
    Ok(Json(JournalInfo {
        latest_seq: state.latest_seq,
        pruned_through: state.pruned_through,
        bytes_used: state.bytes_used,
        quota_bytes: app.quota_bytes,
        incarnation: state.incarnation.to_string(),
        epoch: state.epoch,
        members: state.members,
        snapshot: state.snapshot.map(snapshot_info),
    }))
}

/// Deletes a journal: it answers `journal_deleted` until a restore or its purge.
#[utoipa::path(delete, path = paths::JOURNAL, tag = "journals",
    params(
        ("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("onward-signature" = String, Header, description = "The member's Ed25519 signature (hex) over members::request_message(\"delete\", journal, incarnation)"),
    ),
    security(("credential" = [])),
    responses(
        (status = 202, description = "Deleted; purged after `purge_after_ms` unless restored", body = DeleteAnswer),
        (status = 400, description = "Malformed journal id", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential", body = ErrorBody),
        (status = 403, description = "`forbidden`: no signature or one that doesn't check out; `device_removed`", body = ErrorBody),
        (status = 410, description = "`journal_deleted`: already deleted", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn delete(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<DeleteAnswer>)> {
    let journal = journal_id(path)?;
    let caller = auth::member(&app, &journal, &headers).await?;
    check_request_signature(&caller, "delete", &journal, &headers)?;
    let now = app.clock.now_ms();
    app.storage.set_deleted(&journal, Some(now)).await?;
    tracing::info!(journal = %journal, "journal deleted (restorable until its purge)");
    Ok((
        StatusCode::ACCEPTED,
        Json(DeleteAnswer {
            purge_after_ms: auth::purge_after(now, app.delete_grace),
        }),
    ))
}

/// Brings a deleted journal back, as it was, within its grace period.
#[utoipa::path(post, path = paths::RESTORE, tag = "journals",
    params(
        ("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("onward-signature" = String, Header, description = "The member's Ed25519 signature (hex) over members::request_message(\"restore\", journal, incarnation)"),
    ),
    security(("credential" = [])),
    responses(
        (status = 200, description = "The journal is back (also when it was not deleted)"),
        (status = 400, description = "Malformed journal id", body = ErrorBody),
        (status = 401, description = "Unknown (or purged) journal or wrong credential", body = ErrorBody),
        (status = 403, description = "`forbidden`: no signature or one that doesn't check out; `device_removed`", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn restore(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode> {
    let journal = journal_id(path)?;
    let caller = auth::member_of_deleted(&app, &journal, &headers).await?;
    check_request_signature(&caller, "restore", &journal, &headers)?;
    if caller.access.deleted_at_ms.is_some() {
        app.storage.set_deleted(&journal, None).await?;
        tracing::info!(journal = %journal, "journal restored");
    }
    Ok(StatusCode::OK)
}

/// A request that changes the whole journal must carry the caller's signature over the
/// action, the journal and its incarnation: a credential alone deletes nothing.
fn check_request_signature(
    caller: &Caller,
    action: &str,
    journal: &Id,
    headers: &HeaderMap,
) -> Result<()> {
    let signature = headers
        .get(headers::SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| hex::decode(v.trim()).ok())
        .ok_or_else(|| {
            Error::Forbidden(format!(
                "A {action} needs the `{}` header: your device's signature (hex) over the request.",
                headers::SIGNATURE
            ))
        })?;
    let message =
        members::request_message(action, journal.as_str(), caller.access.incarnation.as_str());
    verify_bytes(&caller.sign_pk, &message, &signature, action)
        .map_err(|e| Error::Forbidden(format!("{e}.")))
}

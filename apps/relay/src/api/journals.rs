//! `PUT`, `GET` and `DELETE /v1/journals/{journal}`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use onward_protocol::{paths, ErrorBody, JournalInfo, SnapshotInfo};

use crate::auth;
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::state::AppState;
use crate::storage::{Creation, SnapshotState};

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
/// malformed one never becomes a journal's credential.
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
        Err(Error::BadRequest(
            "The credential must be 64 lowercase hex characters (see docs/SYNC.md, Keys).".into(),
        ))
    }
}

/// Creates a journal owned by the presented credential.
#[utoipa::path(put, path = paths::JOURNAL, tag = "journals",
    params(("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$")),
    security(("credential" = [])),
    responses(
        (status = 201, description = "The journal was created with this credential"),
        (status = 200, description = "The journal was already there with this credential"),
        (status = 400, description = "Malformed journal id or credential", body = ErrorBody),
        (status = 401, description = "The journal is there with another credential, or no credential was sent", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn create(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode> {
    let journal = journal_id(path)?;
    let presented = auth::credential_hash(&headers)?;
    check_credential_format(&headers)?;
    match app.storage.create_journal(&journal, &presented).await? {
        Creation::Created => {
            tracing::info!(journal = %journal, "journal created");
            Ok(StatusCode::CREATED)
        }
        Creation::Existing { credential_sha256 }
            if auth::same_credential(&credential_sha256, &presented) =>
        {
            Ok(StatusCode::OK)
        }
        Creation::Existing { .. } => Err(Error::Unauthorized),
    }
}

/// Reports a journal's sequence numbers, bytes, incarnation and newest snapshot.
#[utoipa::path(get, path = paths::JOURNAL, tag = "journals",
    params(("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$")),
    security(("credential" = [])),
    responses(
        (status = 200, description = "The journal's state", body = JournalInfo),
        (status = 400, description = "Malformed journal id", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn status(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<JournalInfo>> {
    let journal = journal_id(path)?;
    auth::authorize(app.storage.as_ref(), &journal, &headers).await?;
    let state = app.storage.journal(&journal).await?;
    Ok(Json(JournalInfo {
        latest_seq: state.latest_seq,
        pruned_through: state.pruned_through,
        bytes_used: state.bytes_used,
        quota_bytes: app.quota_bytes,
        incarnation: state.incarnation.to_string(),
        epoch: 0,
        members: 0,
        snapshot: state.snapshot.map(snapshot_info),
    }))
}

/// Deletes a journal with every batch, snapshot and device record.
#[utoipa::path(delete, path = paths::JOURNAL, tag = "journals",
    params(("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$")),
    security(("credential" = [])),
    responses(
        (status = 204, description = "The journal and everything stored for it (batches, snapshots, device records) are gone"),
        (status = 400, description = "Malformed journal id", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn delete(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode> {
    let journal = journal_id(path)?;
    auth::authorize(app.storage.as_ref(), &journal, &headers).await?;
    app.storage.delete_journal(&journal).await?;
    tracing::info!(journal = %journal, "journal deleted");
    Ok(StatusCode::NO_CONTENT)
}

//! `PUT` and `GET /v1/journals/{journal}/snapshots/{snapshot}/parts/{index}`.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onward_protocol::limits::{MAX_SNAPSHOT_PARTS, MAX_SNAPSHOT_PART_BYTES};
use onward_protocol::{paths, ErrorBody, PartAnswer};
use serde::Deserialize;

use super::openapi::Octets;
use crate::auth;
use crate::error::{Error, Result};
use crate::guard::body::UnreadBody;
use crate::ids::Id;
use crate::state::AppState;
use crate::storage::{PartStored, SnapshotPart, Writer};

/// The query of a part upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartQuery {
    /// How many parts the snapshot has (1 to 1024; the same for every part).
    #[param(minimum = 1, maximum = 1024)]
    pub parts: u32,
    /// The sequence number the snapshot covers (the uploader's cursor; the same for every
    /// part): at most the journal's latest (400 beyond), and not below a complete
    /// snapshot's (409 `snapshot_outdated`).
    #[param(minimum = 0)]
    pub covers: u64,
}

/// The path segments of a part: journal, snapshot and index.
fn part_path(path: Result<Path<(String, String, String)>, PathRejection>) -> Result<(Id, Id, u32)> {
    let Path((journal, snapshot, index)) = path?;
    let journal = Id::parse("journal", &journal)?;
    let snapshot = Id::parse("snapshot", &snapshot)?;
    let index = index.parse::<u32>().map_err(|_| {
        Error::BadRequest(format!(
            "The part index must be a whole number; got {index:?}."
        ))
    })?;
    Ok((journal, snapshot, index))
}

/// Uploads one part of a snapshot envelope; a part sent twice replaces the first until
/// the snapshot is complete. The whole envelope must be signed by a member under the
/// journal's epoch (kind `S`, object the snapshot id), checked when the last part arrives.
#[utoipa::path(put, path = paths::SNAPSHOT_PART, tag = "snapshots",
    params(
        ("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("snapshot" = String, Path, description = "Snapshot id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("index" = u32, Path, description = "The part's index, 0 to `parts` - 1 (400 otherwise)", minimum = 0, maximum = 1023),
        PartQuery,
    ),
    security(("credential" = [])),
    request_body(content = Octets, content_type = "application/octet-stream",
        description = "One part (1 byte to 1 MiB) of the snapshot's envelope"),
    responses(
        (status = 200, description = "Stored; `complete` says whether every part is there", body = PartAnswer),
        (status = 400, description = "Malformed id, index, `parts` or `covers`; parts or covers differ from earlier parts; covers beyond the latest seq; empty body", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential; nothing was stored", body = ErrorBody),
        (status = 403, description = "`forbidden`: the whole envelope is not signed by a member under the journal's epoch (the snapshot was dropped); `device_removed`", body = ErrorBody),
        (status = 409, description = "`snapshot_outdated`: a snapshot covering more is already complete; `snapshot_complete`: this snapshot is complete", body = ErrorBody),
        (status = 410, description = "`journal_deleted`", body = ErrorBody),
        (status = 413, description = "The part is over 1 MiB or the body over the relay's limit", body = ErrorBody),
        (status = 507, description = "`quota_exceeded`: the journal would go over its quota", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn put_part(
    State(app): State<AppState>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    query: Result<Query<PartQuery>, QueryRejection>,
    headers: HeaderMap,
    body: UnreadBody,
) -> Result<Json<PartAnswer>> {
    let (journal, snapshot, index) = part_path(path)?;
    let Query(query) = query?;
    // Who asks comes first: a stranger learns nothing, not even which parts fit.
    let caller = auth::member(&app, &journal, &headers).await?;
    if query.parts == 0 || index >= query.parts {
        return Err(Error::BadRequest(format!(
            "The part index must be below `parts` (at least 1); got index {index} of {}.",
            query.parts
        )));
    }
    if query.parts > MAX_SNAPSHOT_PARTS {
        return Err(Error::BadRequest(format!(
            "A snapshot has at most {MAX_SNAPSHOT_PARTS} parts of at most {MAX_SNAPSHOT_PART_BYTES} bytes; got parts={}.",
            query.parts
        )));
    }
    let bytes = body.read(app.max_body_bytes).await?;
    if bytes.len() > MAX_SNAPSHOT_PART_BYTES {
        return Err(Error::PayloadTooLarge {
            limit: MAX_SNAPSHOT_PART_BYTES,
        });
    }
    if bytes.is_empty() {
        return Err(Error::BadRequest(
            "The body is empty; send the part's bytes.".into(),
        ));
    }
    let part = SnapshotPart {
        snapshot,
        index,
        parts: query.parts,
        covers: query.covers,
        bytes,
    };
    // The envelope is judged once whole, by the storage, under the journal's lock.
    let writer = Writer {
        device: caller.device,
        epoch: None,
    };
    match app
        .storage
        .put_snapshot_part(&journal, part, &writer, app.quota_bytes)
        .await?
    {
        PartStored::Incomplete => Ok(Json(PartAnswer { complete: false })),
        PartStored::Complete => Ok(Json(PartAnswer { complete: true })),
        PartStored::Refused(why) => {
            tracing::warn!(journal = %journal, reason = %why, "snapshot refused and dropped");
            Err(Error::Forbidden(format!(
                "The whole snapshot did not check out and was dropped: {why}"
            )))
        }
    }
}

/// Downloads one part of a snapshot.
#[utoipa::path(get, path = paths::SNAPSHOT_PART, tag = "snapshots",
    params(
        ("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("snapshot" = String, Path, description = "Snapshot id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("index" = u32, Path, description = "The part's index, 0 to the snapshot's parts - 1", minimum = 0, maximum = 1023),
    ),
    security(("credential" = [])),
    responses(
        (status = 200, description = "The part's bytes", content_type = "application/octet-stream", body = Octets),
        (status = 400, description = "Malformed id or index", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential", body = ErrorBody),
        (status = 403, description = "`device_removed`", body = ErrorBody),
        (status = 404, description = "No such part (the snapshot was replaced, or the part is not uploaded yet)", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn get_part(
    State(app): State<AppState>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response> {
    let (journal, snapshot, index) = part_path(path)?;
    auth::member(&app, &journal, &headers).await?;
    let bytes = app
        .storage
        .snapshot_part(&journal, &snapshot, index)
        .await?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "Part {index} of snapshot {snapshot} is not here. GET the journal for its newest snapshot."
            ))
        })?;
    let content_type = [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    )];
    Ok((content_type, bytes).into_response())
}

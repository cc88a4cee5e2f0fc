//! `PUT /v1/journals/{journal}/batches/{batch}` (push) and
//! `GET /v1/journals/{journal}/batches` (pull, with long-poll).

use std::pin::pin;
use std::time::Duration;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onward_protocol::limits::{
    DEFAULT_PULL_LIMIT, MAX_PULL_BYTES, MAX_PULL_LIMIT, MAX_WAIT_SECONDS,
};
use onward_protocol::members;
use onward_protocol::{headers, paths, ErrorBody, PushAnswer};
use serde::Deserialize;
use tokio::time::Instant;

use super::journals::journal_id;
use super::openapi::Octets;
use crate::auth::{self, Caller};
use crate::error::{Error, Result};
use crate::frames;
use crate::guard::body::UnreadBody;
use crate::ids::Id;
use crate::state::AppState;
use crate::storage::{members as list, PullPage, PullRange, Writer};
use crate::wakeups::Look;

/// The pull answer's headers, named by the protocol.
const LATEST_SEQ: HeaderName = HeaderName::from_static(headers::LATEST_SEQ);
const PRUNED_THROUGH: HeaderName = HeaderName::from_static(headers::PRUNED_THROUGH);
const INCARNATION: HeaderName = HeaderName::from_static(headers::INCARNATION);
const AFTER_ID: HeaderName = HeaderName::from_static(headers::AFTER_ID);

/// The query of a pull.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// Return batches with a sequence number above this (default 0).
    #[param(minimum = 0)]
    pub after: Option<u64>,
    /// At most this many batches, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Seconds (0 to 60, default 0) to hold the request while there is no batch to return.
    #[param(minimum = 0, maximum = 60)]
    pub wait: Option<u64>,
}

/// Stores an encrypted batch under the journal's next sequence number.
#[utoipa::path(put, path = paths::BATCH, tag = "batches",
    params(
        ("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("batch" = String, Path, description = "Batch id: 32 lowercase hex characters (see docs/SYNC.md)", pattern = "^[0-9a-f]{32}$"),
    ),
    security(("credential" = [])),
    request_body(content = Octets, content_type = "application/octet-stream",
        description = "The batch's signed envelope (1 byte to the relay's body limit, 4 MiB by default): version (2) || epoch || signer || nonce || ciphertext || signature; \
            signed (kind `B`, object the batch id) by the device whose credential the request carries"),
    responses(
        (status = 201, description = "Stored under a new sequence number", body = PushAnswer),
        (status = 200, description = "Already stored: the sequence number it has", body = PushAnswer),
        (status = 400, description = "Malformed id or an empty body", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential; nothing was stored", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an envelope signed by this device; `device_removed`", body = ErrorBody),
        (status = 409, description = "`epoch_outdated`: sealed under an epoch other than the journal's", body = ErrorBody),
        (status = 410, description = "`journal_deleted`", body = ErrorBody),
        (status = 413, description = "The body is over the relay's limit", body = ErrorBody),
        (status = 507, description = "`quota_exceeded`: the journal would go over its quota", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn push(
    State(app): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: UnreadBody,
) -> Result<(StatusCode, Json<PushAnswer>)> {
    let Path((journal, batch)) = path?;
    let journal = Id::parse("journal", &journal)?;
    let batch = Id::parse("batch", &batch)?;
    let caller = auth::member(&app, &journal, &headers).await?;
    let envelope = body.read(app.max_body_bytes).await?;
    if envelope.is_empty() {
        return Err(Error::BadRequest(
            "The body is empty; send the batch's envelope.".into(),
        ));
    }
    let writer = signed_writer(
        &caller,
        &journal,
        members::envelope::BATCH,
        &batch,
        &envelope,
    )?;
    let pushed = app
        .storage
        .push_batch(&journal, &batch, envelope, &writer, app.quota_bytes)
        .await?;
    let status = if pushed.duplicate {
        StatusCode::OK
    } else {
        app.wakeups.wake(&journal);
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(PushAnswer {
            seq: pushed.seq,
            duplicate: pushed.duplicate,
        }),
    ))
}

/// Checks that `envelope` of `object` is signed by the calling device under the journal's
/// epoch; the storage checks the same writer again under the journal's lock.
pub(crate) fn signed_writer(
    caller: &Caller,
    journal: &Id,
    kind: u8,
    object: &Id,
    envelope: &[u8],
) -> Result<Writer> {
    list::check_envelope(
        journal,
        kind,
        object.as_str(),
        envelope,
        caller.access.epoch,
        &caller.access.members,
        Some(&caller.device),
    )?;
    Ok(Writer {
        device: caller.device.clone(),
        epoch: Some(caller.access.epoch),
    })
}

/// Returns the batches after a cursor as frames, optionally waiting for one to arrive.
#[utoipa::path(get, path = paths::BATCHES, tag = "batches",
    params(
        ("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        PullQuery,
    ),
    security(("credential" = [])),
    description = "Answers `application/vnd.onward.batches`: per batch, in sequence order, \
        `seq (u64, big-endian) || batch id (16 bytes) || length (u32, big-endian) || envelope`. \
        At most `limit` batches and 4 MiB of envelopes (but always at least one batch). The client keeps \
        pulling while the last frame's seq is below `Onward-Latest-Seq`. `Onward-After-Id` names the \
        batch numbered `after` (empty for 0 or a number above the latest): a device checks it against \
        the batch it merged there, and `Onward-Incarnation` against the journal it knows, so a relay \
        restored from a backup or a journal deleted and created again is noticed.",
    responses(
        (status = 200, description = "Zero or more frames",
            // The headers are added from the protocol's names by openapi::PullHeaders.
            content_type = "application/vnd.onward.batches", body = Octets),
        (status = 400, description = "Malformed id, `after`, `limit` or `wait` (judged after the credential)", body = ErrorBody),
        (status = 401, description = "Unknown journal, or a missing or wrong credential, whatever the query says", body = ErrorBody),
        (status = 403, description = "`device_removed`: this device was removed", body = ErrorBody),
        (status = 410, description = "`journal_deleted`", body = ErrorBody),
        (status = 409, description = "`snapshot_required`: `after` is below `pruned_through`; start from the snapshot", body = ErrorBody),
        (status = 503, description = "`too_busy`: too many pulls are waiting (`wait`), in the relay or for this journal; try again after `Retry-After`", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn pull(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PullQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response> {
    let journal = journal_id(path)?;
    // The credential first: any bad one is 401, whatever the query says.
    auth::member(&app, &journal, &headers).await?;
    let Query(query) = query?;
    let limit = query.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if !(1..=MAX_PULL_LIMIT).contains(&limit) {
        return Err(Error::BadRequest(format!(
            "`limit` must be 1 to {MAX_PULL_LIMIT}; got {limit}."
        )));
    }
    let wait = query.wait.unwrap_or(0);
    if wait > MAX_WAIT_SECONDS {
        return Err(Error::BadRequest(format!(
            "`wait` must be 0 to {MAX_WAIT_SECONDS} seconds; got {wait}."
        )));
    }
    // Held while the pull waits: the process and each journal have a cap on waiting pulls.
    let _waiting = if wait > 0 {
        Some(app.guard.long_polls.enter(&journal)?)
    } else {
        None
    };
    let range = PullRange {
        after: query.after.unwrap_or(0),
        limit,
        max_bytes: MAX_PULL_BYTES,
    };
    let pulled = pull_waiting(&app, &journal, range, Duration::from_secs(wait)).await?;
    Ok(frames_response(&pulled))
}

/// Pulls; while there is nothing to return and time is left, waits for a push to this
/// journal (through this process, or with PostgreSQL any process: see [`crate::wakeups`]),
/// re-checking storage on its own only as often as [`crate::wakeups::Wakeups::recheck_every`]
/// says. Answers at once when the relay shuts down.
async fn pull_waiting(
    app: &AppState,
    journal: &Id,
    range: PullRange,
    wait: Duration,
) -> Result<PullPage> {
    if wait.is_zero() {
        return app.storage.pull(journal, range).await;
    }
    let deadline = Instant::now() + wait;
    let wakeups = &app.wakeups;
    let notify = wakeups.subscribe(journal);
    // Counted as waiting from its first empty look on (what `/metrics` shows).
    let mut waiting = None;
    let mut shutdown = app.shutdown.clone();
    let mut look = Look::First;
    loop {
        // Registered before looking at storage, so a push in between still wakes us.
        let mut notified = pin!(notify.notified());
        notified.as_mut().enable();
        wakeups.looked(look);
        let pulled = app.storage.pull(journal, range).await?;
        let now = Instant::now();
        if !pulled.batches.is_empty() || now >= deadline || *shutdown.borrow() {
            return Ok(pulled);
        }
        waiting.get_or_insert_with(|| wakeups.waiting());
        let listening = wakeups.listening();
        tokio::select! {
            _ = notified => {
                // A change of the listener's state wakes every pull too.
                look = if wakeups.listening() == listening { Look::Woken } else { Look::Resync };
            }
            _ = tokio::time::sleep(wakeups.recheck_every().min(deadline - now)) => {
                look = Look::Recheck;
            }
            _ = shutdown.wait_for(|stopping| *stopping) => return Ok(pulled),
        }
    }
}

fn frames_response(pulled: &PullPage) -> Response {
    let id_value = |id: &Id| HeaderValue::from_str(id.as_str()).expect("ids are hex");
    let after_id = pulled
        .after_id
        .as_ref()
        .map_or(HeaderValue::from_static(""), id_value);
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(headers::BATCHES_CONTENT_TYPE),
        ),
        (LATEST_SEQ, HeaderValue::from(pulled.latest_seq)),
        (PRUNED_THROUGH, HeaderValue::from(pulled.pruned_through)),
        (INCARNATION, id_value(&pulled.incarnation)),
        (AFTER_ID, after_id),
    ];
    (headers, frames::encode(&pulled.batches)).into_response()
}

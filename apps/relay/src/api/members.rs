//! `GET` and `POST /v1/journals/{journal}/members` (the signed device list) and
//! `GET .../wraps` (the content keys wrapped for the asking member).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onward_protocol::members::list_tag;
use onward_protocol::{paths, ErrorBody, MembersAnswer, MembersChange, WrapsAnswer};

use super::journals::journal_id;
use super::json_body;
use crate::auth;
use crate::error::Result;
use crate::guard::body::UnreadBody;
use crate::state::AppState;
use crate::storage::MembersRequest;

/// The journal's device list, oldest first. Devices read it before every sync, so an
/// unchanged list is answered `304` without a body (docs/SYNC.md, "Devices and keys").
#[utoipa::path(get, path = paths::MEMBERS, tag = "members",
    params(("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("if-none-match" = Option<String>, Header, description = "The `ETag` of the list the device holds")),
    security(("credential" = [])),
    responses(
        (status = 200, description = "Every signed operation with the latest seq when it was stored", body = MembersAnswer,
            headers(("etag" = String, description = "Strong tag of this list (`members::list_tag`)"))),
        (status = 304, description = "The list is the one `If-None-Match` names: no body",
            headers(("etag" = String, description = "Strong tag of this list"))),
        (status = 400, description = "Malformed journal id", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential", body = ErrorBody),
        (status = 403, description = "`device_removed`", body = ErrorBody),
        (status = 410, description = "`journal_deleted`", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn list(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response> {
    let journal = journal_id(path)?;
    auth::member(&app, &journal, &headers).await?;
    let ops = app.storage.member_ops(&journal).await?;
    let tag = list_tag(&ops);
    let etag = [(header::ETAG, tag.clone())];
    if names_tag(&headers, &tag) {
        return Ok((StatusCode::NOT_MODIFIED, etag).into_response());
    }
    Ok((etag, Json(MembersAnswer { ops })).into_response())
}

/// Whether `If-None-Match` names `tag` or is `*` (RFC 9110, 13.1.2: a list of tags, compared
/// weakly).
fn names_tag(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag)
}

/// Adds a member (signed by a member: a recovery kit, or a device added by one) or
/// removes one (with the new epoch's key wrapped for every member left).
#[utoipa::path(post, path = paths::MEMBERS, tag = "members",
    params(("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$")),
    security(("credential" = [])),
    request_body(content = MembersChange, description = "One signed operation naming the last one as `prev`, and wraps"),
    responses(
        (status = 200, description = "Taken in: the whole list", body = MembersAnswer),
        (status = 400, description = "A malformed or broken operation (an add by invitation, removing a non-member, a wrong epoch, \
            a list already at 1024 operations), or a removal without a wrap of the new epoch for every member left", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential", body = ErrorBody),
        (status = 403, description = "`forbidden`: the signature or signer doesn't check out; `device_removed`", body = ErrorBody),
        (status = 409, description = "`members_changed`: `prev` is not the last operation", body = ErrorBody),
        (status = 410, description = "`journal_deleted`", body = ErrorBody),
        (status = 413, description = "The body is over the relay's limit", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn change(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: UnreadBody,
) -> Result<Json<MembersAnswer>> {
    let journal = journal_id(path)?;
    auth::member(&app, &journal, &headers).await?;
    let change: MembersChange = json_body(body, app.max_body_bytes, "a device-list change").await?;
    let request = MembersRequest::Change {
        op: change.op,
        wraps: change.wraps,
    };
    let ops = app.storage.change_members(&journal, request).await?;
    tracing::info!(journal = %journal, ops = ops.len(), "device list changed");
    Ok(Json(MembersAnswer { ops }))
}

/// Every content key wrapped for the asking member, in epoch order.
#[utoipa::path(get, path = paths::WRAPS, tag = "members",
    params(("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$")),
    security(("credential" = [])),
    responses(
        (status = 200, description = "The wraps for this member", body = WrapsAnswer),
        (status = 400, description = "Malformed journal id", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential", body = ErrorBody),
        (status = 403, description = "`device_removed`", body = ErrorBody),
        (status = 410, description = "`journal_deleted`", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn wraps(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<WrapsAnswer>> {
    let journal = journal_id(path)?;
    let caller = auth::member(&app, &journal, &headers).await?;
    let wraps = app.storage.wraps(&journal, &caller.device).await?;
    Ok(Json(WrapsAnswer { wraps }))
}

//! `PUT` and `GET /v1/journals/{journal}/invitations/{invitation}` and `POST .../accept`:
//! a member leaves a signed one-time invitation; the invited device, with the
//! invitation's own credential, reads it and joins once, before it expires.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use onward_protocol::limits::{MAX_INVITATION_PAYLOAD_BYTES, MAX_INVITATION_SECONDS};
use onward_protocol::{
    paths, AcceptInvitation, ErrorBody, InvitationAnswer, InvitationUpload, MembersAnswer,
};

use super::json_body;
use crate::auth;
use crate::error::{Error, Result};
use crate::guard::body::UnreadBody;
use crate::ids::Id;
use crate::state::AppState;
use crate::storage::{members as list, MembersRequest, StoredInvitation};

fn invitation_path(path: Result<Path<(String, String)>, PathRejection>) -> Result<(Id, Id)> {
    let Path((journal, invitation)) = path?;
    Ok((
        Id::parse("journal", &journal)?,
        Id::parse("invitation", &invitation)?,
    ))
}

/// Checks what the relay judges alone: the id, the inviter, the time left and the size.
fn check_upload(upload: &InvitationUpload, id: &Id, inviter: &str, now_ms: u64) -> Result<()> {
    let inv = &upload.invitation;
    if inv.id != id.as_str() {
        return Err(Error::BadRequest(format!(
            "The invitation's id {:?} is not the one in the path ({id}).",
            inv.id
        )));
    }
    if inv.inviter != inviter {
        return Err(Error::Forbidden(format!(
            "The invitation names inviter {:?}, not the device whose credential the request carries.",
            inv.inviter
        )));
    }
    let latest = now_ms.saturating_add(MAX_INVITATION_SECONDS * 1000);
    if inv.expires_at_ms <= now_ms || inv.expires_at_ms > latest {
        return Err(Error::BadRequest(format!(
            "`expires_at_ms` must be after the relay's clock ({now_ms}) and at most \
             {MAX_INVITATION_SECONDS} seconds ahead of it; got {}.",
            inv.expires_at_ms
        )));
    }
    let payload_ok = hex::decode(&upload.payload)
        .is_ok_and(|bytes| !bytes.is_empty() && bytes.len() <= MAX_INVITATION_PAYLOAD_BYTES);
    if !payload_ok {
        return Err(Error::BadRequest(format!(
            "The payload must be hex of 1 to {MAX_INVITATION_PAYLOAD_BYTES} bytes."
        )));
    }
    Ok(())
}

/// Leaves a signed invitation and its sealed payload with the relay.
#[utoipa::path(put, path = paths::INVITATION, tag = "invitations",
    params(
        ("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("invitation" = String, Path, description = "Invitation id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
    ),
    security(("credential" = [])),
    request_body(content = InvitationUpload, description = "The invitation signed by the calling member, and its sealed payload (hex, at most 4 KiB)"),
    responses(
        (status = 201, description = "Stored (also when the same invitation was stored before)"),
        (status = 400, description = "Malformed; the id differs from the path; `expires_at_ms` past or over 24 hours ahead; the payload too large; the id taken by another invitation", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential", body = ErrorBody),
        (status = 403, description = "`forbidden`: the inviter is not the calling device or its signature doesn't check out; `device_removed`", body = ErrorBody),
        (status = 410, description = "`journal_deleted`", body = ErrorBody),
        (status = 413, description = "The body is over the relay's limit", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn put(
    State(app): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: UnreadBody,
) -> Result<StatusCode> {
    let (journal, id) = invitation_path(path)?;
    let caller = auth::member(&app, &journal, &headers).await?;
    let upload: InvitationUpload = json_body(body, app.max_body_bytes, "an invitation").await?;
    check_upload(&upload, &id, &caller.device, app.clock.now_ms())?;
    app.storage.put_invitation(&journal, upload).await?;
    Ok(StatusCode::CREATED)
}

/// The invitation, its sealed payload and the device list, for the invited device.
#[utoipa::path(get, path = paths::INVITATION, tag = "invitations",
    params(
        ("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("invitation" = String, Path, description = "Invitation id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
    ),
    security(("credential" = [])),
    description = "Asked with the invitation's own credential, not a member's.",
    responses(
        (status = 200, description = "The invitation, its payload and the device list", body = InvitationAnswer),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "Unknown journal or invitation, or not its credential", body = ErrorBody),
        (status = 410, description = "`invitation_gone`: used or expired; `journal_deleted`", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn get(
    State(app): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<InvitationAnswer>> {
    let (journal, id) = invitation_path(path)?;
    let stored = auth::invitation_holder(&app, &journal, &id, &headers).await?;
    let StoredInvitation {
        invitation,
        payload,
        used,
    } = stored.clone();
    list::check_open(&stored, app.clock.now_ms())?;
    let payload = payload.filter(|_| !used).ok_or(Error::InvitationGone)?;
    let ops = app.storage.member_ops(&journal).await?;
    Ok(Json(InvitationAnswer {
        invitation,
        payload,
        ops,
    }))
}

/// The invited device joins: its add, signed with the invitation's key, uses the
/// invitation up.
#[utoipa::path(post, path = paths::INVITATION_ACCEPT, tag = "invitations",
    params(
        ("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("invitation" = String, Path, description = "Invitation id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
    ),
    security(("credential" = [])),
    description = "Asked with the invitation's own credential, not a member's.",
    request_body(content = AcceptInvitation, description = "The new device's add, naming this invitation and the last operation as `prev`"),
    responses(
        (status = 200, description = "Joined: the whole device list", body = MembersAnswer),
        (status = 400, description = "Not an add naming this invitation, or a broken operation", body = ErrorBody),
        (status = 401, description = "Unknown journal or invitation, or not its credential", body = ErrorBody),
        (status = 403, description = "`forbidden`: the signature doesn't check out, or the inviter is no longer a member", body = ErrorBody),
        (status = 409, description = "`members_changed`: `prev` is not the last operation", body = ErrorBody),
        (status = 410, description = "`invitation_gone`: used or expired; `journal_deleted`", body = ErrorBody),
        (status = 413, description = "The body is over the relay's limit", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn accept(
    State(app): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: UnreadBody,
) -> Result<Json<MembersAnswer>> {
    let (journal, id) = invitation_path(path)?;
    auth::invitation_holder(&app, &journal, &id, &headers).await?;
    let AcceptInvitation { op } =
        json_body(body, app.max_body_bytes, "an accepted invitation").await?;
    let request = MembersRequest::Accept {
        invitation: id,
        op,
        now_ms: app.clock.now_ms(),
    };
    let ops = app.storage.change_members(&journal, request).await?;
    tracing::info!(journal = %journal, "a device joined by invitation");
    Ok(Json(MembersAnswer { ops }))
}

//! `PUT /v1/journals/{journal}/devices/{device}` and `GET /v1/journals/{journal}/devices`:
//! each device's sealed record, opaque to the relay, stored and listed for the others.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use onward_protocol::limits::MAX_DEVICE_RECORD_BYTES;
use onward_protocol::members::envelope;
use onward_protocol::{paths, DeviceRecord, DeviceRecords, ErrorBody};

use super::batches::signed_writer;
use super::journals::journal_id;
use super::openapi::Octets;
use crate::auth;
use crate::error::{Error, Result};
use crate::guard::body::UnreadBody;
use crate::ids::Id;
use crate::state::AppState;

/// Stores or replaces one device's sealed record.
#[utoipa::path(put, path = paths::DEVICE, tag = "devices",
    params(
        ("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$"),
        ("device" = String, Path, description = "Device id: 32 lowercase hex characters; the calling device's own", pattern = "^[0-9a-f]{32}$"),
    ),
    security(("credential" = [])),
    request_body(content = Octets, content_type = "application/octet-stream",
        description = "The device's record (1 byte to 16 KiB): an envelope signed by the device (kind `D`, object its id) under the journal's epoch; it replaces the device's earlier one"),
    responses(
        (status = 204, description = "Stored"),
        (status = 400, description = "Malformed id or an empty body", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential; nothing was stored", body = ErrorBody),
        (status = 403, description = "`forbidden`: another device's id or a record not signed by this device; `device_removed`", body = ErrorBody),
        (status = 409, description = "`too_many_devices`: a new device beyond the journal's 64; `epoch_outdated`", body = ErrorBody),
        (status = 410, description = "`journal_deleted`", body = ErrorBody),
        (status = 413, description = "The record is over 16 KiB or the body over the relay's limit", body = ErrorBody),
        (status = 507, description = "`quota_exceeded`: the journal would go over its quota", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn put_device(
    State(app): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: UnreadBody,
) -> Result<StatusCode> {
    let Path((journal, device)) = path?;
    let journal = Id::parse("journal", &journal)?;
    let device = Id::parse("device", &device)?;
    // The credential first: a stranger learns nothing from how its body is judged.
    let caller = auth::member(&app, &journal, &headers).await?;
    if device.as_str() != caller.device {
        return Err(Error::Forbidden(format!(
            "A device stores only its own record; this credential is device {}'s, not {device}'s.",
            caller.device
        )));
    }
    let record = body.read(app.max_body_bytes).await?;
    if record.len() > MAX_DEVICE_RECORD_BYTES {
        return Err(Error::PayloadTooLarge {
            limit: MAX_DEVICE_RECORD_BYTES,
        });
    }
    if record.is_empty() {
        return Err(Error::BadRequest(
            "The body is empty; send the device's sealed record.".into(),
        ));
    }
    let writer = signed_writer(&caller, &journal, envelope::DEVICE_RECORD, &device, &record)?;
    app.storage
        .put_device(&journal, record, &writer, app.quota_bytes)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lists every device's sealed record, in device id order.
#[utoipa::path(get, path = paths::DEVICES, tag = "devices",
    params(("journal" = String, Path, description = "Journal id: 32 lowercase hex characters", pattern = "^[0-9a-f]{32}$")),
    security(("credential" = [])),
    responses(
        (status = 200, description = "Every record, as lowercase hex, in device id order", body = DeviceRecords),
        (status = 400, description = "Malformed journal id", body = ErrorBody),
        (status = 401, description = "Unknown journal or wrong credential", body = ErrorBody),
        (status = 403, description = "`device_removed`", body = ErrorBody),
        (status = 410, description = "`journal_deleted`", body = ErrorBody),
        (status = 500, description = "The relay failed", body = ErrorBody),
    ))]
pub async fn list_devices(
    State(app): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Json<DeviceRecords>> {
    let journal = journal_id(path)?;
    auth::member(&app, &journal, &headers).await?;
    let devices = app.storage.devices(&journal).await?;
    Ok(Json(DeviceRecords {
        devices: devices
            .into_iter()
            .map(|d| DeviceRecord {
                id: d.device.to_string(),
                record: hex::encode(&d.record),
            })
            .collect(),
    }))
}

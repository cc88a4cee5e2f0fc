//! Checking the links a record makes before it is stored: every `<kind>_id` field must
//! name an existing record of that kind. Short ids are expanded to full ones.

use super::{expect_kind, fields_of};
use crate::model::{Entity, Kind};
use crate::store::queries;
use crate::{Error, Result};
use rusqlite::Connection;
use serde_json::{Map, Value as Json};

/// The kind a link field must point at; `None` for links that may point at anything
/// (a goal's origin).
fn target(field: &str) -> Option<Option<Kind>> {
    match field {
        "origin_id" => Some(None),
        "interviewer_ids" => Some(Some(Kind::Contact)),
        _ => field
            .strip_suffix("_id")
            .and_then(|rel| rel.parse::<Kind>().ok())
            .map(Some),
    }
}

/// Returns `record` with its link fields resolved to full ids, or an error naming the
/// field. Links that did not change since `before` are not checked again: they may point
/// at a record another device has not synced yet.
pub(super) fn checked<E: Entity>(
    conn: &Connection,
    record: E,
    before: Option<&Map<String, Json>>,
) -> Result<E> {
    let mut fields = fields_of(&record);
    let mut changed = false;
    for (field, value) in fields.iter_mut() {
        let Some(kind) = target(field) else { continue };
        if before.and_then(|b| b.get(field)) == Some(value) {
            continue;
        }
        match value {
            Json::String(id) => {
                *id = resolve(conn, field, id, kind)?;
                changed = true;
            }
            Json::Array(ids) => {
                for id in ids.iter_mut() {
                    if let Json::String(id) = id {
                        *id = resolve(conn, field, id, kind)?;
                        changed = true;
                    }
                }
            }
            _ => {}
        }
    }
    if !changed {
        return Ok(record);
    }
    serde_json::from_value(Json::Object(fields)).map_err(|e| Error::Document(e.to_string()))
}

fn resolve(conn: &Connection, field: &str, id: &str, kind: Option<Kind>) -> Result<String> {
    let full = queries::resolve(conn, id).map_err(|e| Error::invalid(field, e.to_string()))?;
    if let Some(kind) = kind {
        let found = queries::get(conn, &full)?
            .ok_or_else(|| Error::NotFound { id: full.clone() })?
            .kind();
        expect_kind(&full, found, kind, field)?;
    }
    Ok(full)
}

//! JSON values to Automerge ops and back. Records cross this boundary as JSON (their
//! serde form), so one generic mapping serves every kind, and only fields that changed
//! are written: keys this version does not know (written by a newer one) are left alone.

use super::layout::{is_set, is_text};
use automerge::{
    hydrate, transaction::Transactable, AutoCommit, AutomergeError, ObjId, ObjType, ReadDoc,
    ScalarValue, Value,
};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

/// Put between two versions of a text written apart on two devices.
pub const BOTH_VERSIONS: &str = "\n\n——— also written on another device ———\n";

/// Reads a record's map as JSON. Text fields that two devices changed apart hold two
/// values; both are kept, joined by [`BOTH_VERSIONS`], and the field's path is added to
/// `conflicts` so a screen can say so.
pub fn read_record(
    doc: &AutoCommit,
    obj: &ObjId,
    conflicts: &mut Vec<String>,
) -> Map<String, Json> {
    read_map(doc, obj, None, conflicts)
}

/// Reads an Automerge object (or scalar) as JSON. `key` is the field it sits under, so
/// set-maps come back as sorted lists.
fn read_value(
    doc: &AutoCommit,
    value: Value<'_>,
    id: &ObjId,
    key: &str,
    conflicts: &mut Vec<String>,
) -> Json {
    match value {
        Value::Scalar(s) => scalar_to_json(&s),
        Value::Object(ObjType::Text) => Json::String(doc.text(id).unwrap_or_default()),
        Value::Object(ObjType::Map) if is_set(key) => {
            Json::Array(doc.keys(id).map(Json::String).collect())
        }
        Value::Object(ObjType::Map | ObjType::Table) => {
            Json::Object(read_map(doc, id, Some(key), conflicts))
        }
        Value::Object(ObjType::List) => Json::Array(
            doc.list_range(id, ..)
                .map(|item| {
                    let id = item.id();
                    read_value(doc, item.value.into_value(), &id, key, conflicts)
                })
                .collect(),
        ),
    }
}

fn read_map(
    doc: &AutoCommit,
    obj: &ObjId,
    parent: Option<&str>,
    conflicts: &mut Vec<String>,
) -> Map<String, Json> {
    let mut out = Map::new();
    // One pass over the map: a `get` per key seeks that key from the map's start, and
    // those seeks were most of reading a record (every index update reads the records
    // it touched back, a rebuild reads them all).
    for item in doc.map_range(obj, ..) {
        let key = item.key.to_string();
        let id = item.id();
        let json = if is_text(&key, parent) {
            if item.conflict {
                read_text(doc, obj, &key, parent, conflicts)
            } else {
                Json::String(text_of(doc, item.value.into_value(), &id).unwrap_or_default())
            }
        } else {
            read_value(doc, item.value.into_value(), &id, &key, conflicts)
        };
        out.insert(key, json);
    }
    out
}

/// A text field, with every version two devices wrote apart: the one Automerge picks
/// first, then the others.
fn read_text(
    doc: &AutoCommit,
    obj: &ObjId,
    key: &str,
    parent: Option<&str>,
    conflicts: &mut Vec<String>,
) -> Json {
    let mut versions: Vec<String> = Vec::new();
    for (value, id) in doc.get_all(obj, key).unwrap_or_default().into_iter().rev() {
        if let Some(text) = text_of(doc, value, &id).filter(|t| !versions.contains(t)) {
            versions.push(text);
        }
    }
    if versions.len() > 1 {
        conflicts.push(parent.map_or(key.to_string(), |p| format!("{p}.{key}")));
    }
    Json::String(versions.join(BOTH_VERSIONS))
}

/// One version of a text field: a string, or a text object's content.
fn text_of(doc: &AutoCommit, value: Value<'_>, id: &ObjId) -> Option<String> {
    match value {
        Value::Scalar(s) => s.as_str().map(str::to_string),
        Value::Object(ObjType::Text) => doc.text(id).ok(),
        Value::Object(_) => None,
    }
}

fn scalar_to_json(s: &ScalarValue) -> Json {
    match s {
        ScalarValue::Str(s) => Json::String(s.to_string()),
        ScalarValue::Int(i) | ScalarValue::Timestamp(i) => Json::from(*i),
        ScalarValue::Uint(u) => Json::from(*u),
        ScalarValue::F64(f) => Json::from(*f),
        ScalarValue::Counter(c) => Json::from(i64::from(c)),
        ScalarValue::Boolean(b) => Json::Bool(*b),
        ScalarValue::Bytes(_) | ScalarValue::Unknown { .. } | ScalarValue::Null => Json::Null,
    }
}

/// A new record's fields as one Automerge value, with the same shapes as
/// [`write_fields`] gives them (sets as maps, absent for null).
pub fn to_hydrate_map(fields: &Map<String, Json>) -> HashMap<String, hydrate::Value> {
    fields
        .iter()
        .filter_map(|(key, value)| to_hydrate(key, value).map(|v| (key.clone(), v)))
        .collect()
}

fn to_hydrate(key: &str, json: &Json) -> Option<hydrate::Value> {
    Some(match json {
        Json::Null => return None,
        Json::Array(items) if is_set(key) => {
            let members: HashMap<String, hydrate::Value> = items
                .iter()
                .map(|m| (set_member(m), hydrate::Value::scalar(true)))
                .collect();
            hydrate::Value::Map(members.into())
        }
        Json::Array(items) => {
            let values: Vec<hydrate::Value> = items
                .iter()
                .map(|item| match item {
                    Json::Object(fields) => hydrate::Value::Map(to_hydrate_map(fields).into()),
                    scalar => hydrate::Value::scalar(json_to_scalar(scalar)),
                })
                .collect();
            hydrate::Value::List(values.into())
        }
        Json::Object(fields) => hydrate::Value::Map(to_hydrate_map(fields).into()),
        scalar => hydrate::Value::scalar(json_to_scalar(scalar)),
    })
}

/// A field's value as the document gives it back once written (`None`: absent), worked
/// out without a document: sets sorted and without repeats, nulls left out, numbers as
/// the scalar they become. What a write waiting in the outbox shows until it is applied.
pub fn stored_form(key: &str, json: &Json) -> Option<Json> {
    Some(match json {
        Json::Null => return None,
        Json::Array(items) if is_set(key) => {
            let mut members: Vec<String> = items.iter().map(set_member).collect();
            members.sort();
            members.dedup();
            Json::Array(members.into_iter().map(Json::String).collect())
        }
        Json::Array(items) => Json::Array(
            items
                .iter()
                .map(|item| match item {
                    Json::Object(fields) => Json::Object(stored_map(fields)),
                    scalar => scalar_to_json(&json_to_scalar(scalar)),
                })
                .collect(),
        ),
        Json::Object(fields) => Json::Object(stored_map(fields)),
        scalar => scalar_to_json(&json_to_scalar(scalar)),
    })
}

fn stored_map(fields: &Map<String, Json>) -> Map<String, Json> {
    fields
        .iter()
        .filter_map(|(key, value)| stored_form(key, value).map(|v| (key.clone(), v)))
        .collect()
}

fn json_to_scalar(json: &Json) -> ScalarValue {
    match json {
        Json::Bool(b) => ScalarValue::Boolean(*b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => ScalarValue::Int(i),
            (None, Some(f)) => ScalarValue::F64(f),
            _ => ScalarValue::Null,
        },
        Json::String(s) => ScalarValue::Str(s.as_str().into()),
        _ => ScalarValue::Null,
    }
}

/// Writes `fields` into the map `obj`, touching only keys whose value differs.
/// Keys of the map that are not in `fields` are kept as they are.
pub fn write_fields(
    doc: &mut AutoCommit,
    obj: &ObjId,
    fields: &Map<String, Json>,
) -> Result<(), AutomergeError> {
    for (key, new) in fields {
        write_field(doc, obj, key, new)?;
    }
    Ok(())
}

fn write_field(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    new: &Json,
) -> Result<(), AutomergeError> {
    let existing = doc
        .get(obj, key)?
        .map(|(value, id)| (value.into_owned(), id));
    match new {
        Json::Null => {
            if existing.is_some() {
                doc.delete(obj, key)?;
            }
        }
        Json::Array(items) if is_set(key) => {
            let set_obj = match existing {
                Some((Value::Object(ObjType::Map), id)) => id,
                _ => doc.put_object(obj, key, ObjType::Map)?,
            };
            let wanted: Vec<String> = items.iter().map(set_member).collect();
            let present: Vec<String> = doc.keys(&set_obj).collect();
            for gone in present.iter().filter(|k| !wanted.contains(k)) {
                doc.delete(&set_obj, gone.as_str())?;
            }
            for added in wanted.iter().filter(|k| !present.contains(k)) {
                doc.put(&set_obj, added.as_str(), true)?;
            }
        }
        Json::Array(items) => write_list(doc, obj, key, existing, items)?,
        Json::Object(fields) => {
            let map_obj = match existing {
                Some((Value::Object(ObjType::Map), id)) => id,
                _ => doc.put_object(obj, key, ObjType::Map)?,
            };
            // Nested maps are owned by this version whole: drop keys no longer there.
            let stale: Vec<String> = doc
                .keys(&map_obj)
                .filter(|k| !fields.contains_key(k))
                .collect();
            for k in stale {
                doc.delete(&map_obj, k.as_str())?;
            }
            write_fields(doc, &map_obj, fields)?;
        }
        scalar => {
            let value = json_to_scalar(scalar);
            let same = matches!(&existing, Some((Value::Scalar(old), _)) if old.as_ref() == &value);
            if !same {
                doc.put(obj, key, value)?;
            }
        }
    }
    Ok(())
}

/// Lists are mostly appended to (a stage history, questions asked): when the old list is
/// a prefix of the new one only the new items are inserted, which merges cleanly with
/// another device's appends. Any other change rewrites the list.
fn write_list(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    existing: Option<(Value<'static>, ObjId)>,
    items: &[Json],
) -> Result<(), AutomergeError> {
    let (list, old) = match existing {
        Some((Value::Object(ObjType::List), id)) => {
            let old = match read_value(doc, Value::Object(ObjType::List), &id, key, &mut Vec::new())
            {
                Json::Array(old) => old,
                _ => Vec::new(),
            };
            (id, old)
        }
        _ => (doc.put_object(obj, key, ObjType::List)?, Vec::new()),
    };
    let keep = if items.starts_with(&old) {
        old.len()
    } else {
        let len = doc.length(&list);
        for index in (0..len).rev() {
            doc.delete(&list, index)?;
        }
        0
    };
    for (index, item) in items.iter().enumerate().skip(keep) {
        match item {
            Json::Object(fields) => {
                let child = doc.insert_object(&list, index, ObjType::Map)?;
                write_fields(doc, &child, fields)?;
            }
            scalar => {
                doc.insert(&list, index, json_to_scalar(scalar))?;
            }
        }
    }
    Ok(())
}

fn set_member(json: &Json) -> String {
    match json {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ROOT;
    use serde_json::json;

    fn map(doc: &mut AutoCommit) -> ObjId {
        doc.put_object(ROOT, "r", ObjType::Map).unwrap()
    }

    fn fields(v: Json) -> Map<String, Json> {
        v.as_object().unwrap().clone()
    }

    fn read(doc: &AutoCommit, obj: &ObjId) -> Map<String, Json> {
        read_record(doc, obj, &mut Vec::new())
    }

    #[test]
    fn values_round_trip_with_sets_and_lists_in_their_crdt_types() {
        let mut doc = AutoCommit::new();
        let obj = map(&mut doc);
        let value = json!({
            "company": "Acme", "excitement": 4, "deleted": false,
            "notes": "Long text", "tags": ["b", "a"],
            "history": [{"at": "2026-01-01T00:00:00Z", "stage": "applied"}],
            "answers": {"needed": "A calm hand"},
        });
        write_fields(&mut doc, &obj, &fields(value)).unwrap();
        let back = read(&doc, &obj);
        assert_eq!(back["tags"], json!(["a", "b"]));
        assert_eq!(back["notes"], json!("Long text"));
        assert_eq!(back["history"][0]["stage"], json!("applied"));
        let kinds = |key: &str| doc.get(&obj, key).unwrap().unwrap().0;
        assert!(matches!(kinds("notes"), Value::Scalar(_)));
        assert_eq!(kinds("tags"), Value::Object(ObjType::Map));
        assert_eq!(kinds("history"), Value::Object(ObjType::List));
        assert_eq!(back["answers"]["needed"], json!("A calm hand"));
    }

    #[test]
    fn text_changed_apart_on_two_devices_keeps_both_versions() {
        let mut laptop = AutoCommit::new();
        let obj = map(&mut laptop);
        let start = fields(json!({"notes": "Met Dana", "answers": {"needed": "x"}}));
        write_fields(&mut laptop, &obj, &start).unwrap();
        laptop.commit();
        let mut phone = laptop.fork();
        let laptop_edit =
            fields(json!({"notes": "Met Dana, lovely", "answers": {"needed": "calm"}}));
        write_fields(&mut laptop, &obj, &laptop_edit).unwrap();
        let phone_edit =
            fields(json!({"notes": "Met Dana and Sam", "answers": {"needed": "speed"}}));
        write_fields(&mut phone, &obj, &phone_edit).unwrap();
        laptop.merge(&mut phone).unwrap();
        phone.merge(&mut laptop).unwrap();

        let mut conflicts = Vec::new();
        let merged = read_record(&laptop, &obj, &mut conflicts);
        let notes = merged["notes"].as_str().unwrap();
        assert!(notes.contains("Met Dana, lovely") && notes.contains("Met Dana and Sam"));
        assert!(notes.contains(BOTH_VERSIONS));
        assert_eq!(conflicts, ["answers.needed", "notes"]);
        assert_eq!(read(&phone, &obj), merged, "both devices show the same");

        // Writing the record settles it, keeping both versions' words.
        write_fields(&mut laptop, &obj, &merged).unwrap();
        let mut after = Vec::new();
        assert_eq!(
            read_record(&laptop, &obj, &mut after)["notes"],
            json!(notes)
        );
        assert!(after.is_empty());
    }

    #[test]
    fn unchanged_fields_write_nothing_and_unknown_keys_stay() {
        let mut doc = AutoCommit::new();
        let obj = map(&mut doc);
        doc.put(&obj, "from_the_future", "keep me").unwrap();
        let value = fields(json!({"company": "Acme", "notes": "x", "tags": ["a"]}));
        write_fields(&mut doc, &obj, &value).unwrap();
        doc.commit();
        let heads = doc.get_heads();
        write_fields(&mut doc, &obj, &value).unwrap();
        assert_eq!(doc.pending_ops(), 0, "an identical write is a no-op");
        doc.commit();
        assert_eq!(doc.get_heads(), heads);
        assert_eq!(read(&doc, &obj)["from_the_future"], json!("keep me"));
    }

    #[test]
    fn appending_to_a_list_only_inserts_the_new_items() {
        let mut doc = AutoCommit::new();
        let obj = map(&mut doc);
        write_fields(&mut doc, &obj, &fields(json!({"questions": ["a"]}))).unwrap();
        doc.commit();
        write_fields(&mut doc, &obj, &fields(json!({"questions": ["a", "b"]}))).unwrap();
        assert_eq!(doc.pending_ops(), 1);
        write_fields(&mut doc, &obj, &fields(json!({"questions": ["c"]}))).unwrap();
        assert_eq!(read(&doc, &obj)["questions"], json!(["c"]));
    }

    #[test]
    fn null_removes_a_field() {
        let mut doc = AutoCommit::new();
        let obj = map(&mut doc);
        write_fields(&mut doc, &obj, &fields(json!({"url": "https://x"}))).unwrap();
        write_fields(&mut doc, &obj, &fields(json!({"url": null}))).unwrap();
        assert!(!read(&doc, &obj).contains_key("url"));
    }
}

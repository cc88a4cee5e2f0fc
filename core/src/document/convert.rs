//! JSON values to Automerge ops and back. Records cross this boundary as JSON (their
//! serde form), so one generic mapping serves every kind, and only fields that changed
//! are written: keys this version does not know (written by a newer one) are left alone.

use super::layout::{is_set, is_text};
use automerge::{
    transaction::Transactable, AutoCommit, AutomergeError, ObjId, ObjType, ReadDoc, ScalarValue,
    Value,
};
use serde_json::{Map, Value as Json};

/// Reads an Automerge object (or scalar) as JSON. `key` is the field it sits under, so
/// set-maps come back as sorted lists.
pub fn read_value(doc: &AutoCommit, value: Value<'_>, id: &ObjId, key: &str) -> Json {
    match value {
        Value::Scalar(s) => scalar_to_json(&s),
        Value::Object(ObjType::Text) => Json::String(doc.text(id).unwrap_or_default()),
        Value::Object(ObjType::Map) if is_set(key) => {
            Json::Array(doc.keys(id).map(Json::String).collect())
        }
        Value::Object(ObjType::Map | ObjType::Table) => Json::Object(read_map(doc, id)),
        Value::Object(ObjType::List) => Json::Array(
            doc.list_range(id, ..)
                .map(|item| {
                    let id = item.id();
                    read_value(doc, item.value.into_value(), &id, key)
                })
                .collect(),
        ),
    }
}

/// Reads every key of a map.
pub fn read_map(doc: &AutoCommit, obj: &ObjId) -> Map<String, Json> {
    let mut out = Map::new();
    for key in doc.keys(obj) {
        if let Ok(Some((value, id))) = doc.get(obj, key.as_str()) {
            let json = read_value(doc, value, &id, &key);
            out.insert(key, json);
        }
    }
    out
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
    parent: Option<&str>,
    fields: &Map<String, Json>,
) -> Result<(), AutomergeError> {
    for (key, new) in fields {
        write_field(doc, obj, parent, key, new)?;
    }
    Ok(())
}

fn write_field(
    doc: &mut AutoCommit,
    obj: &ObjId,
    parent: Option<&str>,
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
        Json::String(text) if is_text(key, parent) => {
            let text_obj = match existing {
                Some((Value::Object(ObjType::Text), id)) => id,
                _ => doc.put_object(obj, key, ObjType::Text)?,
            };
            doc.update_text(&text_obj, text)?;
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
            write_fields(doc, &map_obj, Some(key), fields)?;
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
            let old = match read_value(doc, Value::Object(ObjType::List), &id, key) {
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
                write_fields(doc, &child, Some(key), fields)?;
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

    #[test]
    fn values_round_trip_with_text_sets_and_lists_in_their_crdt_types() {
        let mut doc = AutoCommit::new();
        let obj = map(&mut doc);
        let value = json!({
            "company": "Acme", "excitement": 4, "deleted": false,
            "notes": "Long text", "tags": ["b", "a"],
            "history": [{"at": "2026-01-01T00:00:00Z", "stage": "applied"}],
            "answers": {"needed": "A calm hand"},
        });
        write_fields(&mut doc, &obj, None, &fields(value)).unwrap();
        let back = read_map(&doc, &obj);
        assert_eq!(back["tags"], json!(["a", "b"]));
        assert_eq!(back["notes"], json!("Long text"));
        assert_eq!(back["history"][0]["stage"], json!("applied"));
        let kinds = |key: &str| doc.get(&obj, key).unwrap().unwrap().0;
        assert_eq!(kinds("notes"), Value::Object(ObjType::Text));
        assert_eq!(kinds("tags"), Value::Object(ObjType::Map));
        assert_eq!(kinds("history"), Value::Object(ObjType::List));
        let answers = doc.get(&obj, "answers").unwrap().unwrap().1;
        assert_eq!(
            doc.get(&answers, "needed").unwrap().unwrap().0,
            Value::Object(ObjType::Text)
        );
    }

    #[test]
    fn unchanged_fields_write_nothing_and_unknown_keys_stay() {
        let mut doc = AutoCommit::new();
        let obj = map(&mut doc);
        doc.put(&obj, "from_the_future", "keep me").unwrap();
        let value = fields(json!({"company": "Acme", "notes": "x", "tags": ["a"]}));
        write_fields(&mut doc, &obj, None, &value).unwrap();
        doc.commit();
        let heads = doc.get_heads();
        write_fields(&mut doc, &obj, None, &value).unwrap();
        assert_eq!(doc.pending_ops(), 0, "an identical write is a no-op");
        doc.commit();
        assert_eq!(doc.get_heads(), heads);
        assert_eq!(read_map(&doc, &obj)["from_the_future"], json!("keep me"));
    }

    #[test]
    fn appending_to_a_list_only_inserts_the_new_items() {
        let mut doc = AutoCommit::new();
        let obj = map(&mut doc);
        write_fields(&mut doc, &obj, None, &fields(json!({"questions": ["a"]}))).unwrap();
        doc.commit();
        write_fields(
            &mut doc,
            &obj,
            None,
            &fields(json!({"questions": ["a", "b"]})),
        )
        .unwrap();
        assert_eq!(doc.pending_ops(), 1);
        write_fields(&mut doc, &obj, None, &fields(json!({"questions": ["c"]}))).unwrap();
        assert_eq!(read_map(&doc, &obj)["questions"], json!(["c"]));
    }

    #[test]
    fn null_removes_a_field() {
        let mut doc = AutoCommit::new();
        let obj = map(&mut doc);
        write_fields(&mut doc, &obj, None, &fields(json!({"url": "https://x"}))).unwrap();
        write_fields(&mut doc, &obj, None, &fields(json!({"url": null}))).unwrap();
        assert!(!read_map(&doc, &obj).contains_key("url"));
    }
}

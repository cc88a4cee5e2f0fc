//! The full-fidelity JSON export: every field of every record, deleted ones included,
//! with the stage history and the reminder states as stored. `import::json` reads it
//! back. The layout is documented in `docs/EXPORT.md`.

use super::{record_fields, Snapshot};
use crate::model::Kind;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value as Json};

/// The `format` field: what this file is.
pub const FORMAT: &str = "onward-journal";
/// The `version` field. Adding a field keeps the version; renaming or removing one, or
/// changing what a value means, raises it. An import refuses a newer version.
pub const VERSION: u64 = 1;

/// The export as one JSON value.
pub fn to_value(snapshot: &Snapshot, exported_at: DateTime<Utc>) -> Json {
    let mut records = Map::new();
    for &kind in Kind::ALL {
        let list: Vec<Json> = snapshot
            .of_kind(kind)
            .map(|r| Json::Object(record_fields(r)))
            .collect();
        records.insert(kind.collection().to_string(), Json::Array(list));
    }
    let states: Map<String, Json> = snapshot
        .reminder_states
        .iter()
        .map(|(k, v)| (k.clone(), Json::Object(v.clone())))
        .collect();
    let mut root = Map::new();
    root.insert("format".into(), FORMAT.into());
    root.insert("version".into(), VERSION.into());
    root.insert(
        "exported_at".into(),
        exported_at
            .to_rfc3339_opts(SecondsFormat::Secs, true)
            .into(),
    );
    root.insert("records".into(), Json::Object(records));
    root.insert("reminder_states".into(), Json::Object(states));
    Json::Object(root)
}

/// The export as pretty-printed text, ending with a newline.
pub fn to_string(snapshot: &Snapshot, exported_at: DateTime<Utc>) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(snapshot, exported_at))
        .expect("JSON values serialise");
    text.push('\n');
    text
}

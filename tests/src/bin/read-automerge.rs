//! `read-automerge FILE PATH...`: loads an Automerge document with the automerge crate
//! alone (nothing of Onward) and prints the value at each path (`entries/<id>/body`) as
//! one JSON line: strings, numbers, the keys of a map, the length of a list. Used by the
//! export test to show that other Automerge tools can read an Onward export.

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, Value, ROOT};

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().expect("usage: read-automerge FILE PATH...");
    let bytes = std::fs::read(&file).expect("the file can be read");
    let doc = AutoCommit::load(&bytes).expect("the document loads");
    for path in args {
        println!("{}", read(&doc, &path));
    }
}

fn read(doc: &AutoCommit, path: &str) -> serde_json::Value {
    let mut obj: ObjId = ROOT;
    let mut parts = path.split('/').peekable();
    while let Some(key) = parts.next() {
        let Ok(Some((value, id))) = doc.get(&obj, key) else {
            return serde_json::Value::Null;
        };
        if parts.peek().is_some() {
            obj = id;
            continue;
        }
        return match value {
            Value::Scalar(s) => match (s.as_str(), s.as_i64()) {
                (Some(text), _) => text.into(),
                (None, Some(n)) => n.into(),
                _ => serde_json::Value::Null,
            },
            Value::Object(ObjType::Text) => doc.text(&id).unwrap_or_default().into(),
            Value::Object(ObjType::List) => doc.length(&id).into(),
            Value::Object(_) => doc.keys(&id).collect::<Vec<_>>().into(),
        };
    }
    serde_json::Value::Null
}

//! Shared helpers for the cross-crate scenario tests.
//!
//! [`crash`] holds what the crash writer (`src/bin/crash-writer.rs`) and the crash test
//! (`tests/crash.rs`) agree on: the line protocol the writer prints and the check
//! values it prints for every acknowledged record. [`fault_proxy`] breaks the traffic
//! between sync devices and the relay on purpose. [`sim`] is a deterministic simulation
//! of sync: real journals, an in-memory relay, seeded faults. [`power_cut`] cuts the
//! power under SQLite (or fills or fails the disk) in the crash writer.

pub mod fault_proxy;
pub mod power_cut;
pub mod sim;

/// A number from the environment (a test's knob), or `default` when it is unset.
pub fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}")),
        Err(_) => default,
    }
}

/// A record's fields as the document holds them.
pub type Fields = serde_json::Map<String, serde_json::Value>;

/// Everything the journal's document holds: each record (kind, id, fields) and each
/// reminder state (key, fields).
#[allow(clippy::type_complexity)]
pub fn document_contents(
    j: &mut onward_core::Journal,
) -> onward_core::Result<(
    Vec<(onward_core::model::Kind, String, Fields)>,
    Vec<(String, Fields)>,
)> {
    j.with_document(|doc| {
        let mut records = Vec::new();
        for kind in onward_core::model::Kind::ALL {
            for id in doc.ids(*kind)? {
                let fields = doc.read(*kind, &id)?.expect("a listed id has fields");
                records.push((*kind, id, fields));
            }
        }
        Ok((records, doc.reminder_states()?))
    })
}

/// A journal's heads (sorted) and every record with its title, after checking that its
/// index equals a rebuild: what two devices that converged have alike.
pub fn journal_state(
    j: &mut onward_core::Journal,
) -> std::result::Result<(Vec<String>, Vec<String>), String> {
    let check = j.check_index().map_err(|e| e.to_string())?;
    if !check.is_consistent() {
        return Err(format!(
            "the index differs from a rebuild: {:?}",
            check.differences
        ));
    }
    let mut heads: Vec<String> = j
        .with_document(|doc| Ok(doc.heads()))
        .map_err(|e| e.to_string())?
        .iter()
        .map(|h| h.to_string())
        .collect();
    heads.sort();
    let records = j
        .timeline(&onward_core::Filter {
            include_deleted: true,
            limit: 1_000_000,
            ..onward_core::Filter::default()
        })
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|l| format!("{} {}", l.title, l.record.to_json()))
        .collect();
    Ok((heads, records))
}

pub mod crash {
    //! The crash writer's line protocol, one line per event, flushed as it happens:
    //!
    //! - `opening`: `Journal::open` is about to run (a kill aimed into the open counts
    //!   from here, and a kill before it never reached the open).
    //! - `open`: the journal opened.
    //! - `try OP CREATES ID...`: OP is about to run. Each ID is a record id or reminder
    //!   key it writes, prefixed `!` when the write must change it (a new record, an edit
    //!   that moves `updated_at`) or `~` when it may leave it as it was. CREATES is how
    //!   many records with ids the writer can't know (new contacts) it may add.
    //! - `ack ID CHECK`: OP returned Ok and this is the content it left under ID
    //!   (see [`record_check`] and [`state_check`]).
    //! - `done OP`: every ack of OP has been printed.
    //! - `progress WHAT DONE TOTAL`: how far a long action (an import, a push, a snapshot
    //!   upload) has come; DONE counts what is committed or acknowledged.
    //!
    //! A line the writer was killed in the middle of has no newline and is ignored.

    use onward_core::model::Record;
    use serde_json::{Map, Value as Json};
    use std::fmt::Write as _;

    /// One parsed line of the writer's output.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Line {
        Opening,
        Open,
        Try {
            op: String,
            creates: usize,
            /// (id, must change)
            ids: Vec<(String, bool)>,
        },
        Ack {
            id: String,
            check: String,
        },
        Done {
            op: String,
        },
        Progress {
            what: String,
            done: u64,
            total: u64,
        },
    }

    impl Line {
        pub fn render(&self) -> String {
            match self {
                Line::Opening => "opening\n".to_string(),
                Line::Open => "open\n".to_string(),
                Line::Try { op, creates, ids } => {
                    let mut s = format!("try {op} {creates}");
                    for (id, must) in ids {
                        let _ = write!(s, " {}{id}", if *must { '!' } else { '~' });
                    }
                    s.push('\n');
                    s
                }
                Line::Ack { id, check } => format!("ack {id} {check}\n"),
                Line::Done { op } => format!("done {op}\n"),
                Line::Progress { what, done, total } => {
                    format!("progress {what} {done} {total}\n")
                }
            }
        }

        /// Parses one line (without its newline).
        pub fn parse(line: &str) -> Option<Line> {
            let mut words = line.split(' ');
            match words.next()? {
                "opening" => Some(Line::Opening),
                "open" => Some(Line::Open),
                "try" => {
                    let op = words.next()?.to_string();
                    let creates = words.next()?.parse().ok()?;
                    let ids = words
                        .map(|w| match w.split_at(1) {
                            ("!", id) => Some((id.to_string(), true)),
                            ("~", id) => Some((id.to_string(), false)),
                            _ => None,
                        })
                        .collect::<Option<_>>()?;
                    Some(Line::Try { op, creates, ids })
                }
                "ack" => Some(Line::Ack {
                    id: words.next()?.to_string(),
                    check: words.next()?.to_string(),
                }),
                "done" => Some(Line::Done {
                    op: words.next()?.to_string(),
                }),
                "progress" => Some(Line::Progress {
                    what: words.next()?.to_string(),
                    done: words.next()?.parse().ok()?,
                    total: words.next()?.parse().ok()?,
                }),
                _ => None,
            }
        }
    }

    /// The clock a crash test's CSV import reads its rows with (their records' creation
    /// time): one instant for every run, so a resumed import writes what a whole one would.
    pub const IMPORT_NOW: &str = "2026-11-30T12:00:00Z";

    /// Prints one whole line in one write and flushes it (what a writer does).
    pub fn emit(line: &Line) {
        emit_text(&line.render());
    }

    /// Prints `text` (whole lines) in one write and flushes it; exits when the test
    /// went away (there is nothing left to tell).
    pub fn emit_text(text: &str) {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        if out
            .write_all(text.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            std::process::exit(3);
        }
    }

    /// JSON text with every object's keys sorted, whatever map type serde_json uses.
    pub fn canonical(json: &Json) -> String {
        fn put(json: &Json, out: &mut String) {
            match json {
                Json::Object(map) => {
                    let mut keys: Vec<&String> = map.keys().collect();
                    keys.sort();
                    out.push('{');
                    for (i, key) in keys.into_iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(&Json::String(key.clone()).to_string());
                        out.push(':');
                        put(&map[key], out);
                    }
                    out.push('}');
                }
                Json::Array(items) => {
                    out.push('[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        put(item, out);
                    }
                    out.push(']');
                }
                other => out.push_str(&other.to_string()),
            }
        }
        let mut out = String::new();
        put(json, &mut out);
        out
    }

    /// 64-bit FNV-1a: stable across processes and builds, unlike std's hasher.
    pub fn fnv64(bytes: &[u8]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }

    /// The check value of some JSON: its canonical text's length and hash.
    pub fn json_check(json: &Json) -> String {
        let text = canonical(json);
        format!("{:x}.{:016x}", text.len(), fnv64(text.as_bytes()))
    }

    /// A record's check value: every field, the text bodies included.
    pub fn record_check(record: &Record) -> String {
        json_check(&record.to_json())
    }

    /// A reminder state's check value (the document's map under the reminder key).
    pub fn state_check(state: &Map<String, Json>) -> String {
        json_check(&Json::Object(state.clone()))
    }

    /// Random words (some accented, some emoji, now and then a newline) until the text
    /// is between `min_len` and `max_len` bytes long, give or take a word.
    pub fn words(rng: &mut impl rand::Rng, min_len: usize, max_len: usize) -> String {
        use rand::prelude::*;
        const WORDS: &[&str] = &[
            "interview",
            "felt",
            "good",
            "about",
            "the",
            "panel",
            "recruiter",
            "called",
            "again",
            "tired",
            "hopeful",
            "design",
            "system",
            "rate",
            "limiter",
            "migration",
            "story",
            "team",
            "manager",
            "salary",
            "remote",
            "offer",
            "rejection",
            "learned",
            "next",
            "time",
            "practice",
            "walk",
            "coffee",
            "friend",
            "portfolio",
            "résumé",
            "café",
            "naïve",
            "déjà",
            "vu",
            "日本語",
            "😊",
            "🌧️",
            "week",
            "small",
            "steps",
            "proud",
            "nervous",
            "calm",
            "question",
            "answered",
            "a",
            "and",
            "of",
            "to",
            "it",
            "was",
            "I",
            "my",
            "with",
            "they",
            "we",
        ];
        let want = rng.random_range(min_len..=max_len.max(min_len));
        let mut s = String::with_capacity(want + 16);
        while s.len() < want {
            if !s.is_empty() {
                match rng.random_range(0..20) {
                    0 => s.push('\n'),
                    1 => s.push_str(", "),
                    _ => s.push(' '),
                }
            }
            s.push_str(WORDS.choose(rng).expect("words"));
        }
        s
    }

    /// Reminder keys are `rule:target`; record ids never hold a colon.
    pub fn is_reminder_key(id: &str) -> bool {
        id.contains(':')
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn lines_round_trip() {
            let lines = [
                Line::Open,
                Line::Try {
                    op: "log_interview".into(),
                    creates: 2,
                    ids: vec![("a-b".into(), true), ("follow_up:x".into(), false)],
                },
                Line::Try {
                    op: "compact".into(),
                    creates: 0,
                    ids: vec![],
                },
                Line::Ack {
                    id: "a-b".into(),
                    check: "1f.00ff".into(),
                },
                Line::Done {
                    op: "compact".into(),
                },
            ];
            for line in lines {
                let text = line.render();
                assert!(text.ends_with('\n'));
                assert_eq!(Line::parse(text.trim_end_matches('\n')), Some(line));
            }
            assert_eq!(Line::parse("ack onlyid"), None);
        }

        #[test]
        fn canonical_sorts_keys_at_every_depth() {
            let a: Json =
                serde_json::from_str(r#"{"b":1,"a":{"d":[1,{"z":0,"y":"é"}],"c":null}}"#).unwrap();
            assert_eq!(
                canonical(&a),
                r#"{"a":{"c":null,"d":[1,{"y":"é","z":0}]},"b":1}"#
            );
            assert_eq!(
                json_check(&a),
                json_check(&serde_json::from_str(&canonical(&a)).unwrap())
            );
        }
    }
}

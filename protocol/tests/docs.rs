//! docs/SYNC.md states the protocol's numbers and names in words; this checks that they
//! are the crate's. The expected text is computed from each constant, so changing a
//! constant without the doc (or the doc without the constant) fails here.

use std::collections::BTreeMap;

use onward_protocol::limits::*;
use onward_protocol::members::envelope;
use onward_protocol::{headers, padding, paths, ErrorCode};

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/SYNC.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The doc's text between the heading `from` and the next `## ` heading.
fn section(doc: &str, from: &str) -> String {
    let start = doc
        .find(from)
        .unwrap_or_else(|| panic!("docs/SYNC.md has no {from:?}"));
    let rest = &doc[start + from.len()..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// The rows of the markdown table that follows `marker` in `text`: first cell → second.
fn table_after(text: &str, marker: &str) -> BTreeMap<String, String> {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("docs/SYNC.md has no {marker:?}"));
    let mut rows = BTreeMap::new();
    let mut in_table = false;
    for line in text[start..].lines().skip(1) {
        let line = line.trim();
        if !line.starts_with('|') {
            if in_table {
                break;
            }
            continue;
        }
        in_table = true;
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 2 || cells[0].starts_with("---") {
            continue;
        }
        rows.insert(cells[0].to_owned(), cells[1].to_owned());
    }
    rows.remove("limit");
    rows.remove("header");
    rows.remove("code");
    assert!(!rows.is_empty(), "no table after {marker:?}");
    rows
}

/// A byte count as the doc writes it: "4 MiB", "16 KiB", or plain bytes.
fn size(bytes: usize) -> String {
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[test]
fn the_limits_table_states_the_crates_limits() {
    let api = section(&doc(), "## HTTP API (relay)");
    let table = table_after(&api, "**Limits.**");
    let expected: BTreeMap<String, String> = [
        ("request body (`413` beyond)", size(MAX_BODY_BYTES)),
        (
            "envelope bytes in one pull answer (at least one batch is always sent)",
            size(MAX_PULL_BYTES),
        ),
        ("pull `limit` default", DEFAULT_PULL_LIMIT.to_string()),
        ("pull `limit` maximum", MAX_PULL_LIMIT.to_string()),
        ("pull `wait` maximum", format!("{MAX_WAIT_SECONDS} s")),
        ("snapshot part", size(MAX_SNAPSHOT_PART_BYTES)),
        ("snapshot parts", MAX_SNAPSHOT_PARTS.to_string()),
        ("device record", size(MAX_DEVICE_RECORD_BYTES)),
        ("devices per journal", MAX_DEVICES.to_string()),
        (
            "quota per journal (default; `507 quota_exceeded` beyond)",
            size(DEFAULT_QUOTA_BYTES as usize),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(
        table, expected,
        "docs/SYNC.md's Limits table and protocol::limits"
    );
}

/// `text` with every run of white space (line breaks of the markdown) as one space.
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_prose_repeats_the_same_numbers() {
    let api = section(&doc(), "## HTTP API (relay)");
    for phrase in [
        format!("`limit` defaults to {DEFAULT_PULL_LIMIT} (at most {MAX_PULL_LIMIT})"),
        format!("at most {} of envelopes", size(MAX_PULL_BYTES)),
        format!("`wait` (seconds, at most {MAX_WAIT_SECONDS}, default 0)"),
        format!(
            "of at most {}, uploaded part by part",
            size(MAX_SNAPSHOT_PART_BYTES)
        ),
        format!("`limit` outside 1 to {MAX_PULL_LIMIT}, `wait` over {MAX_WAIT_SECONDS}"),
        format!("`parts` is at most {MAX_SNAPSHOT_PARTS}"),
        format!(
            "a part is at most {} (`413`)",
            size(MAX_SNAPSHOT_PART_BYTES)
        ),
        format!("a record over {} is `413`", size(MAX_DEVICE_RECORD_BYTES)),
        format!("a new device beyond {MAX_DEVICES} with a record"),
    ] {
        assert!(
            words(&api).contains(&phrase),
            "docs/SYNC.md's HTTP API should say {phrase:?}"
        );
    }
}

#[test]
fn the_envelope_format_states_the_version_and_the_padding() {
    let envelopes = words(&section(&doc(), "## Envelopes"));
    for phrase in [
        format!("version (1 byte, = {})", envelope::VERSION),
        format!("make it at least {} long", size(padding::MIN_PADDED_LEN)),
        format!("every plaintext under {} (", size(padding::MIN_PADDED_LEN)),
    ] {
        assert!(
            envelopes.contains(&phrase),
            "docs/SYNC.md's Envelopes should say {phrase:?}"
        );
    }
}

#[test]
fn the_error_codes_table_is_the_crates() {
    let api = section(&doc(), "## HTTP API (relay)");
    let table = table_after(&api, "Error codes and their statuses");
    let documented: BTreeMap<String, String> = table
        .into_iter()
        .map(|(code, status)| {
            // "`not_found` (also for an unknown route)" → "not_found"
            let code = code.split('`').nth(1).unwrap_or(&code).to_owned();
            (code, status)
        })
        .collect();
    let expected: BTreeMap<String, String> = ErrorCode::ALL
        .into_iter()
        .map(|c| (c.as_str().to_owned(), c.status().to_string()))
        .collect();
    assert_eq!(documented, expected);
}

#[test]
fn the_pull_headers_and_routes_are_the_crates() {
    let api = section(&doc(), "## HTTP API (relay)");
    let table = table_after(&api, "and these headers");
    let documented: Vec<String> = table
        .keys()
        .map(|h| h.trim_matches('`').to_ascii_lowercase())
        .collect();
    let mut expected = vec![
        headers::LATEST_SEQ,
        headers::PRUNED_THROUGH,
        headers::INCARNATION,
        headers::AFTER_ID,
    ];
    expected.sort();
    assert_eq!(
        documented, expected,
        "HTTP header names are case-insensitive"
    );
    assert!(api.contains(&format!(
        "`Content-Type: {}`",
        headers::BATCHES_CONTENT_TYPE
    )));
    for route in [
        paths::HEALTH,
        paths::OPENAPI,
        paths::JOURNAL,
        paths::BATCH,
        paths::SNAPSHOT_PART,
        paths::DEVICES,
        paths::DEVICE,
    ] {
        assert!(
            api.contains(&format!(" {route}")),
            "docs/SYNC.md lists {route}"
        );
    }
    assert!(api.contains(&format!(" {}?after=S", paths::BATCHES)));
}

//! One rule, one place: the stage order, the reminder and notification caps and the
//! application title format live in the core (`onward-core`), and every shell asks it.
//! This scans the shells' sources (`apps/`, `bindings/`: Rust, Kotlin, Swift, Python)
//! for a copy of those rules and fails naming each file:line, so a copy can't come back.
//! Generated bindings, build folders and test files (which assert values) are skipped.

use std::path::{Path, PathBuf};

const SCANNED: &[&str] = &["rs", "kt", "swift", "py"];
const SKIPPED_DIRS: &[&str] = &[
    "generated",
    "build",
    "target",
    ".tools",
    ".gradle",
    "test",
    "tests",
    "Tests",
];
/// The Swift bindings uniffi generates into the package, and the benchmark's workload
/// (its made-up sentences are not titles).
const SKIPPED_PATHS: &[&str] = &[
    "apps/bench",
    "bindings/swift/Sources/Onward",
    "bindings/swift/Sources/OnwardFFI",
];

/// Whether `b` follows `a` within `gap` characters after `sep` follows `a` within `gap`.
fn near(line: &str, a: &str, sep: &str, b: &str, gap: usize) -> bool {
    line.match_indices(a).any(|(i, _)| {
        let after_a = &line[i + a.len()..];
        after_a
            .match_indices(sep)
            .take_while(|(j, _)| *j <= gap)
            .any(|(j, _)| {
                let after_sep = &after_a[j + sep.len()..];
                after_sep.find(b).is_some_and(|k| k <= gap)
            })
    })
}

/// What rule a line copies, if any.
fn copied_rule(line: &str) -> Option<&'static str> {
    let l = line.to_lowercase();
    let stage_order = near(&l, "saved", "applied", "screening", 30);
    let stages_after = l.contains("stage")
        && (l.contains(".ordinal >")
            || l.contains(".ordinal <")
            || l.contains("allcases.firstindex")
            || l.contains("allcases[("));
    if stage_order || stages_after {
        return Some("the stage order (ask the core: stages(), stages_after())");
    }
    let about_reminders = ["due", "remind", "notice", "notif"]
        .iter()
        .any(|w| l.contains(w));
    let literal_cap = ["take(", "prefix(", ".min("].iter().any(|call| {
        l.match_indices(call).any(|(i, _)| {
            let rest = &l[i + call.len()..];
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && rest[digits..].starts_with(')')
        })
    });
    if l.contains("daily_cap") || l.contains("dailycap") || (about_reminders && literal_cap) {
        return Some("a reminder cap (ask the core: today(), notifications())");
    }
    let title = [" at ", " · ", " — ", " - "]
        .iter()
        .any(|sep| near(&l, "role", sep, "company", 8) || near(&l, "company", sep, "role", 8))
        || (l.contains("\"{} at {}\"") && l.contains("role"))
        || l.contains("|| ' at ' ||");
    if title {
        return Some("the title format (ask the core: application_title(), Application.title)");
    }
    None
}

fn skipped(root: &Path, path: &Path) -> bool {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let name = relative
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    relative.components().any(|c| {
        SKIPPED_DIRS
            .iter()
            .any(|d| c.as_os_str() == std::ffi::OsStr::new(d))
    }) || SKIPPED_PATHS.iter().any(|p| relative.starts_with(p))
        || name.starts_with("test_")
        || name.ends_with("Test.kt")
        || name.ends_with("Tests.kt")
        || name.ends_with("Tests.swift")
}

fn sources(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if skipped(root, &path) {
            continue;
        }
        if path.is_dir() {
            sources(root, &path, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SCANNED.contains(&e))
        {
            out.push(path);
        }
    }
}

/// Every copy in the shells' sources under `under` (relative to the repository), as
/// "file:line: what it copies".
fn copies(under: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap();
    let mut files = Vec::new();
    for dir in under {
        sources(&root, &root.join(dir), &mut files);
    }
    assert!(!files.is_empty(), "no sources found under {under:?}");
    let mut found = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            if let Some(rule) = copied_rule(line) {
                let relative = file.strip_prefix(&root).unwrap_or(&file).display();
                found.push(format!("{relative}:{}: {rule}\n    {}", n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_cli_and_the_bindings_keep_no_copy_of_a_core_rule() {
    let found = copies(&["apps/cli", "bindings"]);
    assert!(
        found.is_empty(),
        "copies of core rules:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_shell_keeps_a_copy_of_a_core_rule() {
    let found = copies(&["apps", "bindings"]);
    assert!(
        found.is_empty(),
        "copies of core rules:\n{}",
        found.join("\n")
    );
}

#[test]
fn each_kind_of_copy_is_recognised() {
    for copy in [
        "public static var allCases: [Stage] { [.saved, .applied, .screening, .interviewing] }",
        "if (a.outcome == Outcome.OPEN) Stage.entries.filter { it.ordinal > a.stage.ordinal }",
        "guard a.outcome == .open, let here = Stage.allCases.firstIndex(of: a.stage)",
        "for (reminder in due.take(3)) {",
        "let shown = reminders.prefix(5)",
        "let cap = Gentleness::default().daily_cap;",
        "Text(\"\\(a.role) at \\(a.company)\")",
        "val title = \"${a.role} at ${a.company}\"",
        "subtitle = \"${it.role} · ${it.company}\"",
        "(company, role) => format!(\"{company} — {role}\"),",
        "format!(\"{} at {}\", self.role, self.company)",
        "SELECT a.role || ' at ' || a.company FROM applications a",
    ] {
        assert!(copied_rule(copy).is_some(), "not recognised: {copy}");
    }
    for fine in [
        "let title = onward.applicationTitle(role: a.role, company: a.company)",
        "for row in timeline.take(20) {",
        "Text(\"Saved for later\")",
        "assert_eq!(today.more, 2)",
    ] {
        assert_eq!(copied_rule(fine), None, "wrongly flagged: {fine}");
    }
}

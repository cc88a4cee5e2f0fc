//! `onward export` and `onward import` through the real binary: data on stdout or in
//! files, a word on stderr, nothing overwritten without --force, and a JSON export that
//! comes back whole.

mod support;

use serde_json::Value;
use support::{days_ago, short, Onward};

/// A journal with something of every kind: tags, a stage history, answers, a deleted
/// record, a name that needs quoting.
fn filled() -> (Onward, Vec<String>) {
    let o = Onward::new();
    let app = o.json(&[
        "application",
        "add",
        "--company",
        "Zoë, \"Studio\"",
        "--role",
        "Designer",
        "--applied",
        &days_ago(12),
        "--tag",
        "dream",
    ])["id"]
        .clone();
    let a = short(&app);
    o.run(&["application", "stage", &a, "screening", "--at", "9d ago"]);
    let interview = o.json(&[
        "interview",
        "add",
        "--application",
        &a,
        "--kind",
        "technical",
        "--at",
        "2d ago",
    ])["id"]
        .clone();
    let rejection = o.json(&[
        "rejection",
        "add",
        "--application",
        &a,
        "--text",
        "We chose someone else, sorry.",
    ])["id"]
        .clone();
    let entry = o.json(&[
        "entry",
        "add",
        "--kind",
        "debrief",
        "--interview",
        &short(&interview),
        "--answer",
        "showed=The portfolio walk-through, line by line.",
        "--text",
        "Tiring, but I learned a lot.",
    ])["id"]
        .clone();
    o.run(&[
        "mood",
        "add",
        "--valence",
        "2",
        "--word",
        "tired",
        "--rejection",
        &short(&rejection),
    ]);
    o.run(&[
        "goal",
        "add",
        "--kind",
        "skill",
        "--title",
        "Learn Figma variables",
    ]);
    o.run(&[
        "activity",
        "add",
        "--category",
        "social",
        "--description",
        "Coffee with Sam",
    ]);
    let gone = o.json(&[
        "application",
        "add",
        "--company",
        "Initech",
        "--role",
        "Analyst",
    ])["id"]
        .clone();
    o.run(&["delete", &short(&gone)]);
    let ids = [app, interview, rejection, entry, gone]
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    (o, ids)
}

fn output(o: &Onward, args: &[&str]) -> (String, String) {
    let out = o.command(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "onward {args:?} failed:\n{stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn without_time(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("exported_at");
    v
}

#[test]
fn json_goes_to_stdout_alone_with_the_summary_on_stderr() {
    let (o, ids) = filled();
    let (stdout, stderr) = output(&o, &["export", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout).expect("stdout is only the JSON");
    assert_eq!(v["format"], "onward-journal");
    let apps = v["records"]["applications"].as_array().unwrap();
    assert!(apps
        .iter()
        .any(|a| a["id"] == ids[4].as_str() && a["deleted"] == true));
    assert!(
        stderr.starts_with("Exported 8 records to stdout."),
        "{stderr}"
    );
}

#[test]
fn an_existing_file_or_a_full_directory_is_never_overwritten_without_force() {
    let (o, _) = filled();
    let file = o.path("onward.json");
    let file = file.to_str().unwrap();
    std::fs::write(file, "keep me").unwrap();
    let failed = o.fail(&["export", "--format", "json", "--output", file]);
    assert!(
        failed.stderr.contains(file) && failed.stderr.contains("--force"),
        "{}",
        failed.stderr
    );
    assert_eq!(std::fs::read_to_string(file).unwrap(), "keep me");
    let (_, stderr) = output(
        &o,
        &["export", "--format", "json", "--output", file, "--force"],
    );
    assert!(stderr.contains(file));
    assert!(std::fs::read_to_string(file)
        .unwrap()
        .contains("onward-journal"));

    let dir = o.path("csv");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("mine.txt"), "x").unwrap();
    let dir = dir.to_str().unwrap();
    let failed = o.fail(&["export", "--format", "csv", "--output", dir]);
    assert!(
        failed.stderr.contains(dir) && failed.stderr.contains("not empty"),
        "{}",
        failed.stderr
    );
    output(
        &o,
        &["export", "--format", "csv", "--output", dir, "--force"],
    );
    assert!(o.path("csv/mine.txt").exists(), "other files stay");
    assert!(o.path("csv/applications.csv").exists());
}

#[test]
fn csv_and_markdown_need_a_directory() {
    let (o, ids) = filled();
    let failed = o.fail(&["export", "--format", "csv"]);
    assert!(
        failed.stderr.contains("can't go to stdout") && failed.stderr.contains("--output"),
        "{}",
        failed.stderr
    );
    assert!(failed.stdout.is_empty());

    let dir = o.path("out/csv");
    let (stdout, stderr) = output(
        &o,
        &[
            "export",
            "--format",
            "csv",
            "--output",
            dir.to_str().unwrap(),
        ],
    );
    assert!(
        stdout.is_empty() && stderr.contains("Exported 8 records"),
        "{stderr}"
    );
    let mut reader = csv::Reader::from_path(dir.join("applications.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let company = header.iter().position(|h| h == "company").unwrap();
    let tags = header.iter().position(|h| h == "tags").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let zoe = rows.iter().find(|r| &r[0] == ids[0].as_str()).unwrap();
    assert_eq!(&zoe[company], "Zoë, \"Studio\"");
    assert_eq!(&zoe[tags], "dream");
    let stages = std::fs::read_to_string(dir.join("application_stages.csv")).unwrap();
    assert!(stages.starts_with("application_id,at,stage,outcome\n"));
    assert!(stages.contains(",screening,"));

    let md = o.path("notes");
    output(
        &o,
        &[
            "export",
            "--format",
            "markdown",
            "--output",
            md.to_str().unwrap(),
        ],
    );
    let index = std::fs::read_to_string(md.join("index.md")).unwrap();
    assert!(
        index.contains("debrief: Tiring, but I learned a lot."),
        "{index}"
    );
    let page = std::fs::read_dir(&md)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("-entry-"))
        .unwrap();
    let text = std::fs::read_to_string(page).unwrap();
    assert!(text.starts_with("---\nid: \""), "{text}");
    assert!(text.contains("## Where did you show it clearly?\n\nThe portfolio walk-through"));
}

#[test]
fn the_calendar_and_the_document_go_to_files() {
    let (o, ids) = filled();
    let ics = o.path("onward.ics");
    output(
        &o,
        &[
            "export",
            "--format",
            "ics",
            "--output",
            ics.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&ics).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.contains(&format!("UID:{}@onward\r\n", ids[1])));
    assert!(
        text.contains("SUMMARY:Interview: Designer at Zoë\\, \"Studio\" (round 1\\, technical)")
    );

    let doc = o.path("journal.automerge");
    let (_, stderr) = output(
        &o,
        &[
            "export",
            "--format",
            "automerge",
            "--output",
            doc.to_str().unwrap(),
        ],
    );
    assert!(stderr.contains("the document"), "{stderr}");
    let bytes = std::fs::read(&doc).unwrap();
    assert_eq!(
        &bytes[..4],
        &[0x85, 0x6f, 0x4a, 0x83],
        "Automerge's magic bytes"
    );

    let failed = o.fail(&["--json", "export", "--format", "json"]);
    assert!(failed.stderr.contains("--output"), "{}", failed.stderr);
    let summary = o.json(&[
        "export",
        "--format",
        "json",
        "--output",
        o.path("x.json").to_str().unwrap(),
    ]);
    assert_eq!(summary["records"], 8);
}

#[test]
fn a_json_export_imported_elsewhere_exports_the_same_and_shows_the_same() {
    let (o, ids) = filled();
    let file = o.path("onward.json");
    let file = file.to_str().unwrap();
    output(&o, &["export", "--format", "json", "--output", file]);

    let other = Onward::new();
    let (_, said) = output(&other, &["import", "--format", "json", "--dry-run", file]);
    assert!(
        said.contains("8 records") && said.contains("Nothing was changed"),
        "{said}"
    );
    assert!(other.json(&["timeline"]).as_array().unwrap().is_empty());

    let (stdout, said) = output(&other, &["import", "--format", "json", file]);
    assert!(stdout.is_empty());
    assert!(said.contains("Imported 8 records"), "{said}");

    let (first, _) = output(&o, &["export", "--format", "json"]);
    let (second, _) = output(&other, &["export", "--format", "json"]);
    let first: Value = serde_json::from_str(&first).unwrap();
    let second: Value = serde_json::from_str(&second).unwrap();
    assert_eq!(without_time(first), without_time(second));

    for args in [&["timeline"][..], &["timeline", "--deleted"]] {
        assert_eq!(o.run(args), other.run(args), "{args:?}");
    }
    for id in &ids {
        assert_eq!(o.run(&["show", id]), other.run(&["show", id]), "show {id}");
    }

    let (_, said) = output(&other, &["import", "--format", "json", file]);
    assert!(
        said.contains("Imported 0 records") && said.contains("8 were already here"),
        "{said}"
    );
}

#[test]
fn a_broken_or_newer_file_is_refused_and_nothing_changes() {
    let (o, _) = filled();
    let file = o.path("onward.json");
    output(
        &o,
        &[
            "export",
            "--format",
            "json",
            "--output",
            file.to_str().unwrap(),
        ],
    );
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();

    let other = Onward::new();
    v["version"] = 7.into();
    std::fs::write(&file, v.to_string()).unwrap();
    let failed = other.fail(&["import", "--format", "json", file.to_str().unwrap()]);
    assert!(
        failed.stderr.contains("version 7") && failed.stderr.contains("newer Onward"),
        "{}",
        failed.stderr
    );

    v["version"] = 1.into();
    v["records"]["interviews"][0]["scheduled_at"] = "next tuesday".into();
    std::fs::write(&file, v.to_string()).unwrap();
    let failed = other.fail(&["import", "--format", "json", file.to_str().unwrap()]);
    assert!(
        failed.stderr.contains("records.interviews[0]"),
        "{}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("Nothing was changed"),
        "{}",
        failed.stderr
    );

    std::fs::write(&file, "{ not json").unwrap();
    let failed = other.fail(&["import", "--format", "json", file.to_str().unwrap()]);
    assert!(
        failed.stderr.contains("not valid JSON"),
        "{}",
        failed.stderr
    );
    assert!(other
        .json(&["timeline", "--deleted"])
        .as_array()
        .unwrap()
        .is_empty());
}

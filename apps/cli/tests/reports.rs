//! `onward export --format work-search` and `--format coach` through the real binary,
//! with the clock pinned (`ONWARD_NOW`) and the zone given (`--time-zone`): a clean CSV
//! on stdout with the weekly counts on stderr, and a coach summary without private
//! writing unless `--include-private` is given.

mod support;

use std::process::Output;
use support::{succeeded, Onward};

const NOW: &str = "2026-11-20T20:00:00Z";
const ZONE: &str = "America/Los_Angeles";

/// Runs with the clock and zone pinned; returns (stdout, stderr).
fn run(o: &Onward, args: &[&str]) -> (String, String) {
    let mut all = vec!["--time-zone", ZONE];
    all.extend_from_slice(args);
    let out: Output = o.command(&all).env("ONWARD_NOW", NOW).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (succeeded(&all, out), stderr)
}

/// Two applications (one late on a Sunday evening in Los Angeles, already Monday in
/// UTC), an entry and a check-in with words.
fn journal() -> Onward {
    let o = Onward::new();
    run(
        &o,
        &[
            "application",
            "add",
            "--company",
            "Acme",
            "--role",
            "Data Engineer",
        ],
    );
    let acme = o.json(&["application", "list"])[0]["id"].as_str().unwrap()[..8].to_string();
    run(
        &o,
        &[
            "application",
            "stage",
            &acme,
            "applied",
            "--at",
            "2026-11-08 22:00",
        ],
    );
    run(
        &o,
        &[
            "application",
            "add",
            "--company",
            "Globex, Inc.",
            "--role",
            "Analyst",
            "--applied",
            "2026-11-10",
            "--source",
            "referral",
        ],
    );
    run(
        &o,
        &[
            "entry",
            "add",
            "--kind",
            "free",
            "--text",
            "A heavy week, honestly.",
        ],
    );
    run(&o, &["mood", "add", "--valence", "2", "--word", "tired"]);
    o
}

#[test]
fn work_search_writes_a_clean_csv_and_the_weekly_counts_on_stderr() {
    let o = journal();
    let (csv, said) = run(
        &o,
        &[
            "export",
            "--format",
            "work-search",
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-15",
            "--minimum",
            "1",
        ],
    );
    assert_eq!(
        csv,
        "Date,Employer,Position,Method of contact,Person contacted,Result\n\
         2026-11-08,Acme,Data Engineer,Online application,,Applied\n\
         2026-11-10,\"Globex, Inc.\",Analyst,Networking,,Applied\n"
    );
    assert!(
        said.contains("Exported 2 activities from 2026-11-02 to 2026-11-15"),
        "{said}"
    );
    assert!(
        said.contains("Week of 2026-11-02 (2026-W45): 1 of 1; the weekly minimum is met"),
        "{said}"
    );

    let path = o.path("log.csv");
    let path = path.to_str().unwrap();
    let summary = o.json(&[
        "--time-zone",
        ZONE,
        "export",
        "--format",
        "work-search",
        "--from",
        "2026-11-09",
        "--to",
        "2026-11-15",
        "--output",
        path,
    ]);
    assert_eq!(summary["activities"], 1);
    assert_eq!(summary["weeks"][0]["below_minimum"], true);
    assert_eq!(
        summary["weeks"][0]["note"],
        "1 of 3; 2 more would meet the weekly minimum"
    );
}

#[test]
fn the_coach_summary_keeps_private_writing_out_unless_asked() {
    let o = journal();
    let args = [
        "export",
        "--format",
        "coach",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-30",
    ];
    let (md, said) = run(&o, &args);
    assert!(
        md.starts_with("# My job search, 2026-11-02 to 2026-11-30\n"),
        "{md}"
    );
    assert!(md.contains("2 applications in this period."), "{md}");
    assert!(!md.contains("heavy week") && !md.contains("tired"), "{md}");
    assert!(said.contains("--include-private adds them"), "{said}");

    let mut with = args.to_vec();
    with.push("--include-private");
    let (md, _) = run(&o, &with);
    assert!(md.contains("A heavy week, honestly."), "{md}");
    assert!(md.contains("Low · tired"), "{md}");
}

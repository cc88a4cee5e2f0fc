//! `onward import --format csv` through the real binary: the mapping shown, the
//! summary, `--json`, `--dry-run`, bad rows by line, and a file imported twice.

mod support;

use serde_json::Value;
use std::path::PathBuf;
use support::{succeeded, Onward};

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../core/tests/data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn applications(o: &Onward) -> Vec<Value> {
    o.json(&["application", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["fields"].clone())
        .collect()
}

fn find<'a>(apps: &'a [Value], company: &str) -> &'a Value {
    apps.iter()
        .find(|a| a["company"] == company)
        .unwrap_or_else(|| panic!("{company} is missing"))
}

#[test]
fn shows_the_mapping_and_a_second_import_adds_nothing() {
    let o = Onward::new();
    let file = data("huntr-teal-export.csv");
    let out = o.run(&["import", "--format", "csv", &file]);
    let mapping = out.find("company     ← Company").expect(&out);
    assert!(out.contains("role        ← Job Title"), "{out}");
    assert!(
        out.contains("kept in notes: Date Saved, Recruiter"),
        "{out}"
    );
    let summary = out.find("Added 6 applications").expect(&out);
    assert!(mapping < summary, "the mapping comes first:\n{out}");
    assert!(out.contains("; 0 already there."), "{out}");

    let apps = applications(&o);
    assert_eq!(apps.len(), 6);
    let initech = find(&apps, "Initech");
    assert_eq!(initech["stage"], "applied");
    assert_eq!(initech["outcome"], "rejected");
    let acme = find(&apps, "Acme");
    assert_eq!(acme["excitement"], 4);
    assert!(acme["notes"]
        .as_str()
        .unwrap()
        .ends_with("Date Saved: 2026-09-30\nRecruiter: Dana Lee"));

    let again = o.json(&["import", "--format", "csv", &file]);
    assert_eq!(again["added"], 0);
    assert_eq!(again["skipped_existing"], 6);
    assert_eq!(applications(&o).len(), 6);
    let human = o.run(&["import", "--format", "csv", &file]);
    assert!(
        human.contains("Nothing new: all 6 applications were already there"),
        "{human}"
    );
}

#[test]
fn json_reports_the_mapping_the_counts_and_bad_rows_by_line() {
    let o = Onward::new();
    let out = o.json(&["import", "--format", "csv", &data("bad-rows.csv")]);
    assert_eq!(out["added"], 2);
    assert_eq!(out["skipped_existing"], 0);
    assert_eq!(out["mapping"]["company"], "company");
    assert_eq!(out["mapping"]["applied"], "date applied");
    let lines: Vec<u64> = out["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5]);
    assert!(out["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("sometime in spring"));

    let apps = applications(&o);
    let mut companies: Vec<&str> = apps
        .iter()
        .map(|a| a["company"].as_str().unwrap())
        .collect();
    companies.sort();
    assert_eq!(companies, ["Acme", "Hooli"]);

    let human = Onward::new().run(&["import", "--format", "csv", &data("bad-rows.csv")]);
    assert!(human.contains("line 4: no company and no role"), "{human}");
    assert!(human.contains("line 5: a quote opens here"), "{human}");
}

#[test]
fn a_dry_run_writes_nothing() {
    let o = Onward::new();
    let out = o.json(&[
        "import",
        "--format",
        "csv",
        &data("google-sheets-bom-crlf.csv"),
        "--dry-run",
    ]);
    assert_eq!(out["dry_run"], true);
    assert_eq!(out["added"], 3);
    assert_eq!(out["mapping"]["company"], "Employer");
    assert_eq!(out["mapping"]["kept_in_notes"][0], "Next step");
    assert!(
        !o.journal.exists(),
        "a dry run leaves no journal file behind"
    );
    assert!(applications(&o).is_empty());
    let human = o.run(&[
        "import",
        "--format",
        "csv",
        &data("google-sheets-bom-crlf.csv"),
        "--dry-run",
    ]);
    assert!(
        human.contains("Dry run, nothing written: 3 applications would be added"),
        "{human}"
    );

    o.run(&[
        "import",
        "--format",
        "csv",
        &data("google-sheets-bom-crlf.csv"),
    ]);
    let apps = applications(&o);
    let northwind = find(&apps, "Northwind");
    assert_eq!(northwind["stage"], "screening");
    assert!(northwind["notes"]
        .as_str()
        .unwrap()
        .ends_with("Next step: Send portfolio"));
    assert_eq!(find(&apps, "Contoso")["outcome"], "no_response");
}

#[test]
fn a_file_without_company_or_role_is_refused_and_changes_nothing() {
    let o = Onward::new();
    o.run(&["application", "add", "--company", "Before", "--role", "Dev"]);
    let file = o.path("contacts.csv");
    std::fs::write(&file, "name,email\nDana,dana@example.com\n").unwrap();
    let failed = o.fail(&["import", "--format", "csv", file.to_str().unwrap()]);
    assert_eq!(failed.code, 1);
    assert!(
        failed
            .stderr
            .contains("no column names a company or a role"),
        "{}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("Nothing was changed"),
        "{}",
        failed.stderr
    );
    assert_eq!(applications(&o).len(), 1);
}

#[test]
fn the_date_order_can_be_chosen() {
    let o = Onward::new();
    let file = data("odd-headers.csv");
    let out = o.run(&["import", "--format", "csv", &file, "--dry-run"]);
    assert!(
        out.contains("dates read as day/month/year (--month-first to change it)"),
        "{out}"
    );
    let month_first = o.json(&[
        "import",
        "--format",
        "csv",
        &file,
        "--month-first",
        "--dry-run",
    ]);
    assert_eq!(
        month_first["errors"][0]["line"], 3,
        "25/11/2026 has no month 25"
    );
    assert_eq!(month_first["added"], 1);

    let header = o.path("us.csv");
    std::fs::write(&header, "Company,Role,Applied\nAcme,Dev,02/11/2026\n").unwrap();
    // The journal's zone reads the date (UTC until one is set; TZ pinned so a default
    // taken from the machine reads it the same way).
    let args = [
        "import",
        "--format",
        "csv",
        header.to_str().unwrap(),
        "--day-first",
    ];
    succeeded(&args, o.command(&args).env("TZ", "UTC").output().unwrap());
    let apps = applications(&o);
    let applied = find(&apps, "Acme")["applied_at"]
        .as_str()
        .unwrap()
        .to_string();
    let local = chrono::DateTime::parse_from_rfc3339(&applied)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(local, "2026-11-02");
}

#[test]
fn the_mapping_says_which_year_dates_without_one_were_read_as() {
    let o = Onward::new();
    let file = data("personal-sheet.csv");
    let args = ["import", "--format", "csv", "--dry-run", &file];
    let out = o
        .command(&args)
        .env("ONWARD_NOW", "2026-10-01T20:00:00Z")
        .output()
        .unwrap();
    let out = succeeded(&args, out);
    assert!(out.contains("url         ← Applicant Portal"), "{out}");
    assert!(
        out.contains("3 dates had no year: read as 2025 (1) and 2026 (2)"),
        "{out}"
    );
}

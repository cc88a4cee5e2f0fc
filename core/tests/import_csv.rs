//! CSV import through the core: real-world-shaped files in tests/data, what lands in
//! the journal, the lines of the rows left out, and files imported twice.

use chrono::{DateTime, Utc};
use onward_core::import::csv::{self, Field, Options, Parsed};
use onward_core::model::{Application, Outcome, Source, Stage};
use onward_core::zone::Zone;
use onward_core::Journal;
use std::path::Path;

/// The journal's zone: dates in the files carry no offset and are read in it (one behind
/// UTC, so a date read as UTC midnight would land on the day before).
const ZONE: Zone = chrono_tz::Pacific::Honolulu;

fn data(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(name: &str) -> Parsed {
    csv::read(&data(name), &Options::default(), ZONE, Utc::now()).unwrap()
}

fn journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path().join("j.onward")).unwrap();
    (dir, journal)
}

fn by_company(journal: &Journal, company: &str) -> Application {
    journal
        .list::<Application>()
        .unwrap()
        .into_iter()
        .find(|a| a.company == company)
        .unwrap_or_else(|| panic!("{company} was not imported"))
}

fn local_date(at: Option<DateTime<Utc>>) -> String {
    at.expect("an applied date")
        .with_timezone(&ZONE)
        .format("%Y-%m-%d")
        .to_string()
}

fn import(journal: &mut Journal, parsed: Parsed) -> csv::Imported {
    csv::import(journal, parsed.rows, &mut |_, _| {}).unwrap()
}

#[test]
fn a_tracker_export_lands_with_stages_outcomes_and_every_column() {
    let parsed = read("huntr-teal-export.csv");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let fields: Vec<(Field, &str)> = parsed
        .mapping
        .fields
        .iter()
        .map(|(f, h)| (*f, h.as_str()))
        .collect();
    assert!(fields.contains(&(Field::Role, "Job Title")));
    assert!(fields.contains(&(Field::Url, "Job URL")));
    assert_eq!(parsed.mapping.kept_in_notes, ["Date Saved", "Recruiter"]);

    let (_dir, mut j) = journal();
    let done = import(&mut j, parsed);
    assert_eq!((done.added, done.skipped_existing), (6, 0));

    let acme = by_company(&j, "Acme");
    assert_eq!(acme.role, "Data Engineer");
    assert_eq!((acme.stage, acme.outcome), (Stage::Applied, Outcome::Open));
    assert_eq!(local_date(acme.applied_at), "2026-10-02");
    assert_eq!(acme.excitement, Some(4));
    assert_eq!(acme.salary.as_deref(), Some("€70-80k"));
    assert_eq!(acme.location.as_deref(), Some("Berlin"));
    assert_eq!(acme.url.as_deref(), Some("https://jobs.acme.example/de-42"));
    assert_eq!(
        acme.notes,
        "Referral from Sam\n\nDate Saved: 2026-09-30\nRecruiter: Dana Lee"
    );

    let initech = by_company(&j, "Initech");
    assert_eq!(
        (initech.stage, initech.outcome),
        (Stage::Applied, Outcome::Rejected)
    );
    assert!(initech
        .notes
        .starts_with("Final round went well, \"culture fit\" they said"));
    assert_eq!(
        initech.history.last().unwrap().at,
        initech.applied_at.unwrap(),
        "an old rejection is dated with the application, not this week"
    );

    let umbrella = by_company(&j, "Umbrella");
    assert_eq!((umbrella.stage, umbrella.applied_at), (Stage::Saved, None));
    let hooli = by_company(&j, "Hooli");
    assert_eq!(hooli.stage, Stage::Offer);
    let globex = by_company(&j, "Globex");
    assert_eq!(globex.stage, Stage::Interviewing);

    let stark = by_company(&j, "Stark Industries");
    assert_eq!(
        (stark.stage, stark.outcome),
        (Stage::Applied, Outcome::Open),
        "an unknown status with a date is applied"
    );
    assert_eq!(stark.notes, "Status: Waiting on visa");
}

#[test]
fn a_google_sheet_with_a_bom_and_crlf_reads_cleanly() {
    let parsed = read("google-sheets-bom-crlf.csv");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(
        parsed.mapping.fields[0],
        (Field::Company, "Employer".into())
    );
    assert_eq!(parsed.mapping.kept_in_notes, ["Next step"]);
    assert_eq!(parsed.mapping.date_order.as_deref(), Some("month/day/year"));
    let lines: Vec<u64> = parsed.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 4, 5], "the quoted note spans lines 2 and 3");

    let (_dir, mut j) = journal();
    import(&mut j, parsed);
    let northwind = by_company(&j, "Northwind");
    assert_eq!(northwind.stage, Stage::Screening);
    assert_eq!(local_date(northwind.applied_at), "2026-11-02");
    assert_eq!(
        northwind.notes,
        "Met them at a meetup,\r\nvery kind\n\nNext step: Send portfolio"
    );
    let contoso = by_company(&j, "Contoso");
    assert_eq!(
        (contoso.stage, contoso.outcome),
        (Stage::Applied, Outcome::NoResponse)
    );
    let fabrikam = by_company(&j, "Fabrikam");
    assert_eq!(
        (fabrikam.stage, fabrikam.outcome),
        (Stage::Interviewing, Outcome::Rejected)
    );
    assert_eq!(local_date(fabrikam.applied_at), "2026-11-02");
}

#[test]
fn bad_rows_are_reported_by_line_and_the_good_ones_still_land() {
    let parsed = read("bad-rows.csv");
    let errors: Vec<(u64, &str)> = parsed
        .errors
        .iter()
        .map(|e| (e.line, e.reason.as_str()))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0].0, 3);
    assert!(errors[0]
        .1
        .contains("\"sometime in spring\" under date applied"));
    assert_eq!(errors[1].0, 4);
    assert!(errors[1].1.contains("no company and no role"));
    assert_eq!(errors[2].0, 5);
    assert!(errors[2].1.contains("quote"), "{}", errors[2].1);

    let (_dir, mut j) = journal();
    let done = import(&mut j, parsed);
    assert_eq!(done.added, 2);
    let companies: Vec<String> = j
        .list::<Application>()
        .unwrap()
        .into_iter()
        .map(|a| a.company)
        .collect();
    assert_eq!(companies.len(), 2);
    assert!(companies.contains(&"Acme".to_string()));
    assert!(
        companies.contains(&"Hooli".to_string()),
        "the row after a broken quote still counts"
    );
}

#[test]
fn a_file_with_only_bad_rows_changes_nothing() {
    let (_dir, mut j) = journal();
    j.add_application(Application::new("Before", "Dev"))
        .unwrap();
    let state = |j: &Journal| {
        let sizes = j.storage_sizes().unwrap();
        let counts = j.counts().unwrap();
        (
            sizes.snapshot_bytes,
            sizes.chunk_bytes,
            sizes.chunks,
            counts,
        )
    };
    let before = state(&j);
    let parsed = read("all-bad.csv");
    assert_eq!(parsed.errors.len(), 2);
    assert!(parsed.rows.is_empty());
    let done = import(&mut j, parsed);
    assert_eq!(done, csv::Imported::default());
    assert_eq!(state(&j), before, "no write at all");

    let refused = csv::read(
        b"name,when\nAcme,2026-01-01\n",
        &Options::default(),
        ZONE,
        Utc::now(),
    );
    let message = refused.unwrap_err().to_string();
    assert!(
        message.contains("no column names a company or a role"),
        "{message}"
    );
    assert!(message.contains("name, when"), "{message}");
}

#[test]
fn importing_the_same_file_twice_adds_nothing_the_second_time() {
    let (_dir, mut j) = journal();
    let first = import(&mut j, read("huntr-teal-export.csv"));
    assert_eq!((first.added, first.skipped_existing), (6, 0));
    let again = read("huntr-teal-export.csv");
    assert_eq!(csv::existing(&j, &again.rows).unwrap(), 6);
    let second = import(&mut j, again);
    assert_eq!((second.added, second.skipped_existing), (0, 6));
    assert_eq!(j.list::<Application>().unwrap().len(), 6);

    // The same rows with other case and spacing are the same rows.
    let shouted = String::from_utf8(data("huntr-teal-export.csv"))
        .unwrap()
        .replace("Acme,Data Engineer", "ACME , data  engineer");
    let parsed = csv::read(shouted.as_bytes(), &Options::default(), ZONE, Utc::now()).unwrap();
    let third = import(&mut j, parsed);
    assert_eq!((third.added, third.skipped_existing), (0, 6));
}

#[test]
fn odd_headers_semicolons_and_day_first_dates_are_understood() {
    let parsed = read("odd-headers.csv");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.mapping.delimiter, ';');
    assert_eq!(
        parsed.mapping.date_order.as_deref(),
        Some("day/month/year"),
        "25/11/2026 shows the column is day first"
    );
    assert_eq!(parsed.mapping.kept_in_notes, ["Where", "Column 7"]);
    let fields: Vec<Field> = parsed.mapping.fields.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        [
            Field::Company,
            Field::Role,
            Field::Applied,
            Field::Salary,
            Field::Source,
            Field::Excitement
        ]
    );

    let (_dir, mut j) = journal();
    import(&mut j, parsed);
    let wayne = by_company(&j, "Wayne Enterprises");
    assert_eq!(local_date(wayne.applied_at), "2026-11-02");
    assert_eq!(wayne.excitement, Some(4), "four stars");
    assert_eq!(wayne.source, Some(Source::JobBoard));
    assert_eq!(
        wayne.notes,
        "Source: LinkedIn\nWhere: Gotham\nColumn 7: call back friday"
    );
    let tyrell = by_company(&j, "Tyrell");
    assert_eq!(tyrell.source, Some(Source::Referral));
    assert_eq!(tyrell.notes, "Where: LA");

    // Told otherwise, the same file reads month first, and 25/11 is no date.
    let month_first = csv::read(
        &data("odd-headers.csv"),
        &Options {
            day_first: Some(false),
        },
        ZONE,
        Utc::now(),
    )
    .unwrap();
    assert_eq!(month_first.errors.len(), 1);
    assert_eq!(month_first.errors[0].line, 3);
}

#[test]
fn windows_1252_and_tab_separated_files_read_too() {
    let latin = b"Company,Role,Status\nCaf\xe9 Lumi\xe8re,Barista,applied\n";
    let parsed = csv::read(latin, &Options::default(), ZONE, Utc::now()).unwrap();
    assert_eq!(parsed.mapping.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(parsed.rows[0].application.company, "Café Lumière");

    let tabs = "Company\tRole\tDate applied\nAcme\tDev, backend\t2026-11-02\n";
    let parsed = csv::read(tabs.as_bytes(), &Options::default(), ZONE, Utc::now()).unwrap();
    assert_eq!(parsed.mapping.delimiter, '\t');
    assert_eq!(parsed.rows[0].application.role, "Dev, backend");
    assert_eq!(parsed.rows[0].application.stage, Stage::Applied);
}

fn read_at(name: &str, now: &str) -> Parsed {
    let now: DateTime<Utc> = now.parse().unwrap();
    csv::read(&data(name), &Options::default(), ZONE, now).unwrap()
}

#[test]
fn dates_without_a_year_take_the_latest_year_not_in_the_future_and_the_mapping_says_so() {
    let parsed = read_at("personal-sheet.csv", "2026-10-01T20:00:00Z");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.mapping.years_inferred, [(2025, 1), (2026, 2)]);
    assert_eq!(
        parsed.mapping.years_note().as_deref(),
        Some("3 dates had no year: read as 2025 (1) and 2026 (2)")
    );
    assert_eq!(
        parsed.mapping.to_json()["dates_without_year"],
        serde_json::json!({"2025": 1, "2026": 2})
    );
    let (_dir, mut j) = journal();
    import(&mut j, parsed);
    assert_eq!(local_date(by_company(&j, "Acme").applied_at), "2026-09-19");
    assert_eq!(
        local_date(by_company(&j, "Globex").applied_at),
        "2025-10-13"
    );
    assert_eq!(
        local_date(by_company(&j, "Initech").applied_at),
        "2026-09-02"
    );
}

#[test]
fn a_date_without_a_year_takes_the_year_of_the_neighbouring_rows() {
    // On its own, 9/30 would be this year's (2026).
    let parsed = read_at("links-unnamed.csv", "2026-12-01T20:00:00Z");
    assert_eq!(
        parsed.mapping.years_note().as_deref(),
        Some("1 date had no year: read as 2025")
    );
    let (_dir, mut j) = journal();
    import(&mut j, parsed);
    assert_eq!(
        local_date(by_company(&j, "Globex").applied_at),
        "2025-09-30"
    );
}

#[test]
fn a_column_of_links_becomes_the_url_not_a_note() {
    let parsed = read_at("personal-sheet.csv", "2026-10-01T20:00:00Z");
    assert!(parsed
        .mapping
        .fields
        .contains(&(Field::Url, "Applicant Portal".to_string())));
    assert_eq!(parsed.mapping.kept_in_notes, ["Contact"]);
    let (_dir, mut j) = journal();
    import(&mut j, parsed);
    let acme = by_company(&j, "Acme");
    assert_eq!(acme.url.as_deref(), Some("https://jobs.acme.example/123"));
    assert_eq!(acme.notes, "Contact: Dana");

    // A column no name places, whose values are all links, is the url too.
    let parsed = read_at("links-unnamed.csv", "2026-12-01T20:00:00Z");
    assert!(parsed.mapping.kept_in_notes.is_empty());
    let (_dir, mut j) = journal();
    import(&mut j, parsed);
    let globex = by_company(&j, "Globex");
    assert_eq!(globex.url.as_deref(), Some("www.globex.example/careers/9"));
    assert!(globex.notes.is_empty(), "{}", globex.notes);
}

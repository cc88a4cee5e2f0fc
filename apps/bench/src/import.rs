//! The import section: a CSV of `rows` applications shaped like a tracker's export
//! (mixed statuses and date formats, quoted notes with commas and line breaks, columns
//! the importer keeps in the notes), read and imported into a fresh journal through
//! `onward_core::import::csv`, timed; then the same file again, when every row is
//! already there.

use crate::measure::{ms, timed};
use crate::report::ImportFigures;
use anyhow::{Context, Result};
use onward_core::import::csv::{self, Options};
use onward_core::Journal;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use std::fmt::Write as _;
use std::path::Path;

const COMPANIES: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Soylent",
    "Wonka",
    "Vandelay",
    "Pied Piper",
    "Aperture",
    "Black Mesa",
    "Oscorp",
    "Massive Dynamic",
];
const SUFFIXES: &[&str] = &[
    "",
    " Labs",
    " GmbH",
    " Inc.",
    " Health",
    " Analytics",
    " Systems",
];
const ROLES: &[&str] = &[
    "Data Engineer",
    "Backend Engineer",
    "Platform Engineer",
    "Site Reliability Engineer",
    "Data Analyst",
    "ML Engineer",
    "Product Manager",
    "Engineering Manager",
    "Frontend Developer",
    "Analytics Engineer",
];
const LEVELS: &[&str] = &["", "Senior ", "Staff ", "Junior ", "Lead "];
const STATUSES: &[&str] = &[
    "Applied",
    "Applied",
    "Applied",
    "Rejected",
    "Rejected",
    "Ghosted",
    "Phone Screen",
    "Interviewing",
    "Onsite",
    "Final round",
    "Offer",
    "Withdrawn",
    "Wishlist",
    "Rejected after onsite",
    "Waiting to hear back",
];
const CITIES: &[&str] = &[
    "Berlin",
    "Remote",
    "London",
    "Amsterdam",
    "Munich",
    "Lisbon",
    "New York",
    "Toronto",
];
const NOTES: &[&str] = &[
    "Referral from a former colleague",
    "Great team, \"small and kind\" they said",
    "Asked about on-call, answer was vague",
    "Take-home due Friday, about 4 hours",
    "Salary range not posted; ask in the screen",
    "Met them at a meetup,\nfollow up next week",
    "",
    "",
];
const RECRUITERS: &[&str] = &["Dana Lee", "Sam Ortiz", "", "", "Priya Nair", "Jo Becker"];

/// A CSV of `rows` applications, from a fixed seed.
pub fn generate(rows: usize, seed: u64) -> String {
    let mut r = StdRng::seed_from_u64(seed);
    let mut out = String::from(
        "Company,Job Title,Status,Date Applied,Job URL,Location,Salary,Excitement,Notes,Recruiter,Date Saved\n",
    );
    let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 2).expect("a valid date");
    for i in 0..rows {
        let company = format!(
            "{}{}",
            COMPANIES.choose(&mut r).expect("not empty"),
            SUFFIXES.choose(&mut r).expect("not empty")
        );
        let role = format!(
            "{}{}",
            LEVELS.choose(&mut r).expect("not empty"),
            ROLES.choose(&mut r).expect("not empty")
        );
        let status = *STATUSES.choose(&mut r).expect("not empty");
        let day = start + chrono::Duration::days(r.random_range(0..1400));
        let applied = if status == "Wishlist" {
            String::new()
        } else {
            match r.random_range(0..4) {
                0 => day.format("%Y-%m-%d").to_string(),
                1 => day.format("%m/%d/%Y").to_string(),
                2 => day.format("%b %-d, %Y").to_string(),
                _ => day.format("%-d %b %Y").to_string(),
            }
        };
        let url = format!(
            "https://jobs.example/{}/{i}",
            company.to_lowercase().replace(' ', "-")
        );
        let salary = if r.random_bool(0.4) {
            let low = r.random_range(45..120);
            format!("€{low}k-{}k", low + r.random_range(5..25))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            quote(&company),
            quote(&role),
            status,
            quote(&applied),
            url,
            CITIES.choose(&mut r).expect("not empty"),
            salary,
            r.random_range(1..=5),
            quote(NOTES.choose(&mut r).expect("not empty")),
            RECRUITERS.choose(&mut r).expect("not empty"),
            (day - chrono::Duration::days(3)).format("%Y-%m-%d"),
        );
    }
    out
}

/// Quotes a value when it needs it, as spreadsheets do.
fn quote(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// Writes the CSV under `dir`, imports it into a new journal there (twice) and times it.
pub fn measure(dir: &Path, rows: usize, seed: u64) -> Result<ImportFigures> {
    let text = generate(rows, seed);
    let csv_path = dir.join("import.csv");
    std::fs::write(&csv_path, &text).context("writing the import CSV")?;
    let journal_path = dir.join("import.onward");
    let mut journal = Journal::open(&journal_path)
        .with_context(|| format!("opening {}", journal_path.display()))?;

    let (bytes, read_file) = timed(|| std::fs::read(&csv_path));
    let bytes = bytes.context("reading the import CSV")?;
    let (parsed, parse) =
        timed(|| csv::read(&bytes, &Options::default(), journal.zone(), journal.now()));
    let parsed = parsed?;
    let errors = parsed.errors.len();
    let repeated = parsed.repeated.len();
    let valid = parsed.rows.len();
    let mut batches = 0;
    let (done, store) = timed(|| csv::import(&mut journal, parsed.rows, &mut |_, _| batches += 1));
    let done = done?;
    let (applied, apply) = timed(|| journal.apply_pending());
    applied?;

    let (again, second) = timed(|| -> Result<csv::Imported> {
        let parsed = csv::read(&bytes, &Options::default(), journal.zone(), journal.now())?;
        Ok(csv::import(&mut journal, parsed.rows, &mut |_, _| {})?)
    });
    let again = again?;
    let total = ms(read_file) + ms(parse) + ms(store);
    Ok(ImportFigures {
        rows,
        file_bytes: bytes.len() as u64,
        valid_rows: valid,
        errors,
        repeated_in_file: repeated,
        added: done.added,
        batches,
        parse_ms: ms(read_file) + ms(parse),
        store_ms: ms(store),
        total_ms: total,
        rows_per_second: rows as f64 / (total / 1000.0),
        applied_ms: ms(apply),
        second_import_ms: ms(second),
        second_import_skipped: again.skipped_existing,
    })
}

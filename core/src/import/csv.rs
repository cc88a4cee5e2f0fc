//! Applications from a CSV file: a spreadsheet, or the export of another tracker.
//!
//! Columns are found by their header, whatever the case, spacing or punctuation
//! ("Job Title", "job_title" and "JOB-TITLE" are one name), under the common names other
//! tools use. A column this module does not know is never dropped: its values go into the
//! application's notes as "Column: value" lines. A status becomes a stage and an outcome
//! ("Rejected after onsite" is the interviewing stage, rejected); a status it can't read is
//! kept in the notes too.
//!
//! A row that can't be read (a date no format fits, neither company nor role, a broken
//! quote) is reported with its line number and left out; every other row is imported.
//! Each row gets an id derived from its company, role, applied date and url, so importing
//! the same file again adds nothing.
//!
//! Dates: `2026-11-02`, `2026-11-02 14:30`, RFC 3339, `2 Nov 2026`, `Nov 2, 2026`,
//! `November 2 2026`, `2-Nov-2026`, `02.11.2026` (day first), and slashed dates such as
//! `11/02/2026`. Slashed dates are read month first (as US trackers write them) unless
//! [`Options::day_first`] says otherwise or the file itself shows it: a date such as
//! `25/11/2026` anywhere in the column makes the whole column day first. Dates without an
//! offset are local time.

use crate::model::{Application, Outcome, Record, Source, Stage, StageEvent, WorkMode};
use crate::store::queries;
use crate::{Error, Journal, Result, Stored};
use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// The namespace of the ids given to imported rows (UUID v5 of the row's key).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f6e_7761_7264_4373_b600_696d_706f_7274);

/// How to read the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Slashed dates: `Some(true)` reads 02/11/2026 as 2 November, `Some(false)` as
    /// February 11; `None` decides from the file (month first unless a date such as
    /// 25/11/2026 shows the column is day first).
    pub day_first: Option<bool>,
}

/// The application fields a column can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Company,
    Role,
    Status,
    Applied,
    Url,
    Notes,
    Location,
    Salary,
    Source,
    Excitement,
    WorkMode,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Company,
        Field::Role,
        Field::Status,
        Field::Applied,
        Field::Url,
        Field::Notes,
        Field::Location,
        Field::Salary,
        Field::Source,
        Field::Excitement,
        Field::WorkMode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Company => "company",
            Field::Role => "role",
            Field::Status => "status",
            Field::Applied => "applied",
            Field::Url => "url",
            Field::Notes => "notes",
            Field::Location => "location",
            Field::Salary => "salary",
            Field::Source => "source",
            Field::Excitement => "excitement",
            Field::WorkMode => "work_mode",
        }
    }

    /// Header names (squeezed: lower case, letters and digits only) that mean this field.
    fn names(self) -> &'static [&'static str] {
        match self {
            Field::Company => &[
                "company",
                "companyname",
                "employer",
                "organization",
                "organisation",
                "org",
            ],
            Field::Role => &[
                "role",
                "title",
                "position",
                "jobtitle",
                "jobposition",
                "jobrole",
                "positiontitle",
                "roletitle",
                "job",
            ],
            Field::Status => &["status", "stage", "applicationstatus", "state"],
            Field::Applied => &[
                "dateapplied",
                "applied",
                "appliedon",
                "applieddate",
                "appliedat",
                "applicationdate",
                "dateofapplication",
            ],
            Field::Url => &[
                "url",
                "link",
                "joburl",
                "joblink",
                "posting",
                "postingurl",
                "jobposting",
                "jobpostingurl",
            ],
            Field::Notes => &["notes", "note", "description", "comments", "comment"],
            Field::Location => &["location", "city", "joblocation"],
            Field::Salary => &["salary", "compensation", "pay", "salaryrange"],
            Field::Source => &["source", "jobsource", "foundvia", "foundon"],
            Field::Excitement => &["excitement", "interest", "interestlevel", "excitementlevel"],
            Field::WorkMode => &["workmode", "worktype", "workplace", "workplacetype"],
        }
    }
}

/// Which column filled which field, and what else the file held.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Mapping {
    /// (field, the header as written in the file), in the order of [`Field::ALL`].
    pub fields: Vec<(Field, String)>,
    /// Headers kept in the notes, as written.
    pub kept_in_notes: Vec<String>,
    /// The separator found on the header line.
    pub delimiter: char,
    /// "month/day/year" or "day/month/year" when the file has slashed dates.
    pub date_order: Option<String>,
    /// The file's encoding when it was not UTF-8 (e.g. "windows-1252").
    pub encoding: Option<String>,
}

impl Mapping {
    /// `{"company": "Employer", ..., "kept_in_notes": [...]}` for `--json`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (field, header) in &self.fields {
            map.insert(field.as_str().to_string(), header.clone().into());
        }
        map.insert(
            "kept_in_notes".into(),
            serde_json::to_value(&self.kept_in_notes).unwrap_or_default(),
        );
        if let Some(order) = &self.date_order {
            map.insert("date_order".into(), order.clone().into());
        }
        if let Some(encoding) = &self.encoding {
            map.insert("encoding".into(), encoding.clone().into());
        }
        serde_json::Value::Object(map)
    }
}

/// A row left out, with the line it starts on (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

/// One row read as an application.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub application: Application,
}

/// The whole file read: nothing is written yet.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub mapping: Mapping,
    pub rows: Vec<Row>,
    pub errors: Vec<RowError>,
    /// Lines that repeat an earlier row of the same file (same company, role, date and
    /// url): (line, the earlier line). They are imported once.
    pub repeated: Vec<(u64, u64)>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub added: usize,
    pub skipped_existing: usize,
}

/// Reads CSV bytes into applications. `now` stamps the new records. An error means the
/// file as a whole can't be imported (no header, no company or role column); a bad row
/// only lands in [`Parsed::errors`].
pub fn read(bytes: &[u8], options: &Options, now: DateTime<Utc>) -> Result<Parsed> {
    let (text, encoding) = decode(bytes);
    let delimiter = sniff_delimiter(&text);
    let records = split(&text, delimiter);
    let mut records = records.into_iter();
    let header = loop {
        match records.next() {
            None => {
                return Err(Error::invalid(
                    "csv",
                    "the file is empty; a header line naming the columns is needed",
                ))
            }
            Some(Split::Record(_, fields)) if fields.iter().all(|f| f.trim().is_empty()) => {}
            Some(Split::Record(_, fields)) => break fields,
            Some(Split::Broken(line)) => {
                return Err(Error::invalid(
                    "csv",
                    format!("the header on line {line} has a quote that is never closed"),
                ))
            }
        }
    };

    let (columns, mapping_fields, kept) = map_columns(&header);
    if !columns.contains_key(&Field::Company) && !columns.contains_key(&Field::Role) {
        return Err(Error::invalid(
            "csv",
            format!(
                "no column names a company or a role (the columns are: {}). Name one of them \
                 \"Company\" or \"Role\" and import again",
                shown_columns(&header)
            ),
        ));
    }

    let rest: Vec<Split> = records.collect();
    let day_first = options.day_first.unwrap_or_else(|| {
        columns
            .get(&Field::Applied)
            .map(|&i| {
                rest.iter().any(|r| match r {
                    Split::Record(_, f) => f.get(i).is_some_and(|v| slashed(v) == Some(true)),
                    Split::Broken(_) => false,
                })
            })
            .unwrap_or(false)
    });
    let has_slashed = columns.get(&Field::Applied).is_some_and(|&i| {
        rest.iter().any(|r| match r {
            Split::Record(_, f) => f.get(i).is_some_and(|v| slashed(v).is_some()),
            Split::Broken(_) => false,
        })
    });

    let mut parsed = Parsed {
        mapping: Mapping {
            fields: mapping_fields,
            kept_in_notes: kept.iter().map(|(_, h)| h.clone()).collect(),
            delimiter: delimiter as char,
            date_order: has_slashed.then(|| {
                if day_first {
                    "day/month/year".to_string()
                } else {
                    "month/day/year".to_string()
                }
            }),
            encoding,
        },
        rows: Vec::new(),
        errors: Vec::new(),
        repeated: Vec::new(),
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    for split in rest {
        let (line, fields) = match split {
            Split::Broken(line) => {
                parsed.errors.push(RowError {
                    line,
                    reason: "a quote opens here and is never closed, so the row can't be \
                             split into columns"
                        .into(),
                });
                continue;
            }
            Split::Record(line, fields) => (line, fields),
        };
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields.len() > header.len() && fields[header.len()..].iter().any(|f| !f.is_empty()) {
            parsed.errors.push(RowError {
                line,
                reason: format!(
                    "{} values where the header has {} columns (a {} inside a value that \
                     isn't quoted?)",
                    fields.len(),
                    header.len(),
                    describe(delimiter)
                ),
            });
            continue;
        }
        match row(&fields, &header, &columns, &kept, day_first, now) {
            Ok(application) => {
                let id = application.meta.id.clone();
                if let Some(&first) = seen.get(&id) {
                    parsed.repeated.push((line, first));
                    continue;
                }
                seen.insert(id, line);
                parsed.rows.push(Row { line, application });
            }
            Err(reason) => parsed.errors.push(RowError { line, reason }),
        }
    }
    Ok(parsed)
}

/// The header's columns for a message: the first few, each cut to a readable length (a
/// file that is not CSV at all may have a "header" of megabytes).
fn shown_columns(header: &[String]) -> String {
    const COLUMNS: usize = 12;
    const CHARS: usize = 40;
    let mut shown: Vec<String> = header
        .iter()
        .take(COLUMNS)
        .map(|h| {
            let h = h.trim();
            match h.char_indices().nth(CHARS) {
                Some((cut, _)) => format!("{}…", &h[..cut]),
                None => h.to_string(),
            }
        })
        .collect();
    if header.len() > COLUMNS {
        shown.push(format!("and {} more", header.len() - COLUMNS));
    }
    shown.join(", ")
}

/// How many of the rows the journal already has (for a dry run).
pub fn existing(journal: &Journal, rows: &[Row]) -> Result<usize> {
    let mut n = 0;
    for row in rows {
        if queries::get(journal.connection(), &row.application.meta.id)?.is_some() {
            n += 1;
        }
    }
    Ok(n)
}

/// Stores the rows; those the journal already has are left as they are. `progress`
/// hears (done, total) after each batch.
///
/// Rows the index already knows are set aside before the write, so importing a file
/// again does not load the document at all; the write itself still checks each id.
pub fn import(
    journal: &mut Journal,
    rows: Vec<Row>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Imported> {
    let mut known = 0;
    let mut records: Vec<Record> = Vec::with_capacity(rows.len());
    for row in rows {
        if queries::get(journal.connection(), &row.application.meta.id)?.is_some() {
            known += 1;
        } else {
            records.push(row.application.into());
        }
    }
    if records.is_empty() {
        return Ok(Imported {
            added: 0,
            skipped_existing: known,
        });
    }
    let Stored { written, skipped } = journal.put_records(records, true, progress)?;
    Ok(Imported {
        added: written,
        skipped_existing: known + skipped,
    })
}

/// The deterministic id of a row: the same company, role, applied date and url give the
/// same id, whatever the case and spacing.
pub fn row_id(company: &str, role: &str, applied: Option<NaiveDate>, url: &str) -> String {
    let squeeze = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let url = url.trim().trim_end_matches('/').to_lowercase();
    let date = applied.map(|d| d.to_string()).unwrap_or_default();
    let key = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        squeeze(company),
        squeeze(role),
        date,
        url
    );
    uuid::Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string()
}

// ----- reading the text -----

/// UTF-8 (a BOM dropped), or UTF-16 with a BOM, or else Windows-1252 as older Excel
/// writes it. The second value names a non-UTF-8 encoding.
fn decode(bytes: &[u8]) -> (String, Option<String>) {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        let name = (encoding != encoding_rs::UTF_8).then(|| encoding.name().to_lowercase());
        return (text.into_owned(), name);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), None),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), Some("windows-1252".into()))
        }
    }
}

/// Comma, semicolon (European spreadsheets) or tab: whichever the header line has most of.
fn sniff_delimiter(text: &str) -> u8 {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let count = |c: char| first.chars().filter(|&x| x == c).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (count(d as char), d == b','))
        .unwrap_or(b',')
}

fn describe(delimiter: u8) -> &'static str {
    match delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    }
}

enum Split {
    /// A record and the line it starts on.
    Record(u64, Vec<String>),
    /// A line where a quote opens and never closes.
    Broken(u64),
}

/// The records of the text, read by the `csv` crate. A quote that is never closed makes
/// the parser swallow the rest of the file; such a row is reported as broken and reading
/// starts again on the next line, so the rows after it still count.
fn split(text: &str, delimiter: u8) -> Vec<Split> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    // Line numbers are counted here from byte offsets (the header is line 1), the same
    // for LF and CRLF files.
    let mut counted = (0usize, 1u64);
    let mut line_at = |byte: usize| -> u64 {
        let (from, line) = counted;
        let more = text.as_bytes()[from..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = (byte, line + more as u64);
        counted.1
    };
    let mut columns: Option<usize> = None;
    'restart: while offset < text.len() {
        let rest = &text[offset..];
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(rest.as_bytes());
        let mut record = ::csv::StringRecord::new();
        loop {
            let before = reader.position().byte() as usize;
            let start = match reader.read_record(&mut record) {
                Ok(false) => break 'restart,
                Ok(true) => record.position().map_or(before, |p| p.byte() as usize),
                Err(_) => {
                    // The text is UTF-8 already; any error is a row that can't be split.
                    out.push(Split::Broken(line_at(offset + before)));
                    match next_line(rest, before) {
                        Some(next) => {
                            offset += next;
                            continue 'restart;
                        }
                        None => break 'restart,
                    }
                }
            };
            // After a CRLF the parser's position can still point at the '\n'.
            let start = start
                + rest.as_bytes()[start..]
                    .iter()
                    .take_while(|&&b| b == b'\r' || b == b'\n')
                    .count();
            let line = line_at(offset + start);
            let fields: Vec<String> = record.iter().map(str::to_string).collect();
            let expected = *columns.get_or_insert(fields.len());
            // A value that runs over lines is fine (a long note); one that runs over
            // lines and leaves the row with the wrong number of values is a quote that
            // opened and never closed.
            let swallowed = fields.len() != expected && fields.iter().any(|f| f.contains('\n'));
            if swallowed {
                out.push(Split::Broken(line));
                match next_line(rest, start) {
                    Some(next) => {
                        offset += next;
                        continue 'restart;
                    }
                    None => break 'restart,
                }
            }
            out.push(Split::Record(line, fields));
        }
    }
    out
}

/// The byte just after the end of the line holding `at`, if any text follows.
fn next_line(text: &str, at: usize) -> Option<usize> {
    let newline = text[at..].find('\n')?;
    let next = at + newline + 1;
    (next < text.len()).then_some(next)
}

// ----- columns -----

/// Lower case, letters and digits only: "Job Title", "job_title" and "JOB-TITLE" meet.
fn squeeze(header: &str) -> String {
    // "Excitement (1-5)" is the excitement column: a note in brackets is left out.
    let mut depth = 0usize;
    let outside: String = header
        .chars()
        .filter(|&c| match c {
            '(' | '[' => {
                depth += 1;
                false
            }
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect();
    let header = if outside.chars().any(char::is_alphanumeric) {
        outside.as_str()
    } else {
        header
    };
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

type Columns = HashMap<Field, usize>;
/// Columns kept in the notes: (index, name to show).
type Kept = Vec<(usize, String)>;

/// Which column fills which field (the first one that fits wins), and the columns kept
/// in the notes with the name to show for each.
fn map_columns(header: &[String]) -> (Columns, Vec<(Field, String)>, Kept) {
    let mut columns = Columns::new();
    let mut kept = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let key = squeeze(name);
        let field = Field::ALL
            .iter()
            .copied()
            .find(|f| f.names().contains(&key.as_str()) && !columns.contains_key(f));
        match field {
            Some(field) => {
                columns.insert(field, i);
            }
            None => {
                let shown = if name.trim().is_empty() {
                    format!("Column {}", i + 1)
                } else {
                    name.trim().to_string()
                };
                kept.push((i, shown));
            }
        }
    }
    let mut fields: Vec<(Field, String)> = columns
        .iter()
        .map(|(&f, &i)| (f, header[i].trim().to_string()))
        .collect();
    fields.sort_by_key(|(f, _)| Field::ALL.iter().position(|x| x == f));
    (columns, fields, kept)
}

/// One row as an application, or the reason it can't be one.
fn row(
    fields: &[String],
    header: &[String],
    columns: &Columns,
    kept: &[(usize, String)],
    day_first: bool,
    now: DateTime<Utc>,
) -> std::result::Result<Application, String> {
    let get = |field: Field| -> &str {
        columns
            .get(&field)
            .and_then(|&i| fields.get(i))
            .map(|v| v.trim())
            .unwrap_or("")
    };
    let header_of = |field: Field| columns.get(&field).map_or("", |&i| header[i].trim());
    let company = get(Field::Company);
    let role = get(Field::Role);
    if company.is_empty() && role.is_empty() {
        return Err("no company and no role: at least one of them is needed".into());
    }

    let mut extra: Vec<String> = Vec::new();
    let applied_text = get(Field::Applied);
    let applied = if applied_text.is_empty() {
        None
    } else {
        Some(parse_date(applied_text, day_first).ok_or_else(|| {
            format!(
                "\"{applied_text}\" under {} is not a date I can read (2026-11-02, 11/02/2026, \
                 2 Nov 2026 and Nov 2, 2026 all work)",
                header_of(Field::Applied)
            )
        })?)
    };

    let status_text = get(Field::Status);
    let status = read_status(status_text);
    if status.is_none() && !status_text.is_empty() {
        extra.push(format!("{}: {status_text}", header_of(Field::Status)));
    }

    let excitement_text = get(Field::Excitement);
    let excitement = read_excitement(excitement_text);
    if excitement.is_none() && !excitement_text.is_empty() && excitement_text != "0" {
        extra.push(format!(
            "{}: {excitement_text}",
            header_of(Field::Excitement)
        ));
    }

    let source_text = get(Field::Source);
    let source = read_source(source_text);
    let exact_source = source_text.parse::<Source>().is_ok();
    if !source_text.is_empty() && !exact_source {
        extra.push(format!("{}: {source_text}", header_of(Field::Source)));
    }

    let mode_text = get(Field::WorkMode);
    let work_mode = read_work_mode(mode_text);
    if work_mode.is_none() && !mode_text.is_empty() {
        extra.push(format!("{}: {mode_text}", header_of(Field::WorkMode)));
    }

    for (i, name) in kept {
        if let Some(value) = fields.get(*i).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            extra.push(format!("{name}: {value}"));
        }
    }

    let url = get(Field::Url);
    let mut app = Application::new(company, role);
    app.meta.id = row_id(company, role, applied.map(|(d, _)| d), url);
    app.meta.created_at = now;
    app.meta.updated_at = now;
    let text = |v: &str| (!v.is_empty()).then(|| v.to_string());
    app.url = text(url);
    app.location = text(get(Field::Location));
    app.salary = text(get(Field::Salary));
    app.source = source;
    app.work_mode = work_mode;
    app.excitement = excitement;
    app.applied_at = applied.map(|(_, at)| at);

    let mut notes = get(Field::Notes).to_string();
    if !extra.is_empty() {
        if !notes.is_empty() {
            notes.push_str("\n\n");
        }
        notes.push_str(&extra.join("\n"));
    }
    app.notes = notes;

    // The stage and outcome, with a history that starts on the applied date (or now),
    // so an old rejection is not counted as this week's.
    let (mut stage, outcome) = status.unwrap_or((None, None));
    if applied.is_some() {
        stage = Some(stage.map_or(Stage::Applied, |s| s.max(Stage::Applied)));
    }
    let stage = stage.unwrap_or(match outcome {
        Some(Outcome::Rejected | Outcome::NoResponse) => Stage::Applied,
        Some(Outcome::Hired | Outcome::OfferDeclined) => Stage::Offer,
        _ => Stage::Saved,
    });
    let at = app.applied_at.unwrap_or(now);
    if app.applied_at.is_some() {
        app.history.push(StageEvent {
            at,
            stage: Some(Stage::Applied),
            outcome: None,
        });
    }
    if stage != Stage::Applied || app.applied_at.is_none() {
        app.history.push(StageEvent {
            at,
            stage: Some(stage),
            outcome: None,
        });
    }
    app.stage = stage;
    if let Some(outcome) = outcome.filter(|o| *o != Outcome::Open) {
        app.outcome = outcome;
        app.history.push(StageEvent {
            at,
            stage: None,
            outcome: Some(outcome),
        });
    }
    Ok(app)
}

// ----- values -----

/// A status as (stage, outcome); `None` when none of its words are known.
pub fn read_status(text: &str) -> Option<(Option<Stage>, Option<Outcome>)> {
    let words: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words = format!(
        " {} ",
        words.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    if words.trim().is_empty() {
        return None;
    }
    let has = |phrases: &[&str]| phrases.iter().any(|p| words.contains(&format!(" {p} ")));

    let offer_declined = has(&[
        "offer declined",
        "declined offer",
        "declined the offer",
        "turned down offer",
        "turned down the offer",
    ]);
    let outcome = if offer_declined {
        Some(Outcome::OfferDeclined)
    } else if has(&["accepted", "hired", "offer accepted", "signed"]) {
        Some(Outcome::Hired)
    } else if has(&["withdrawn", "withdrew", "withdraw", "i withdrew"]) {
        Some(Outcome::Withdrawn)
    } else if has(&[
        "ghosted",
        "no response",
        "no reply",
        "no answer",
        "never heard back",
        "silence",
        "no news",
    ]) {
        Some(Outcome::NoResponse)
    } else if has(&[
        "rejected",
        "rejection",
        "declined",
        "not selected",
        "not moving forward",
        "turned down",
        "unsuccessful",
        "denied",
    ]) || words.trim() == "no"
    {
        Some(Outcome::Rejected)
    } else {
        None
    };

    let stage = if has(&["offer", "negotiating", "negotiation"]) {
        Some(Stage::Offer)
    } else if has(&["final", "final round", "finals"]) {
        Some(Stage::Final)
    } else if has(&[
        "interview",
        "interviews",
        "interviewing",
        "interviewed",
        "onsite",
        "on site",
        "technical",
        "take home",
        "assessment",
        "panel",
    ]) {
        Some(Stage::Interviewing)
    } else if has(&[
        "screen",
        "screening",
        "phone screen",
        "recruiter",
        "recruiter call",
        "phone",
        "call",
    ]) {
        Some(Stage::Screening)
    } else if has(&["applied", "submitted", "application sent", "sent"]) {
        Some(Stage::Applied)
    } else if has(&[
        "saved",
        "wishlist",
        "wish list",
        "interested",
        "bookmarked",
        "applying",
        "to apply",
        "watching",
        "draft",
    ]) {
        Some(Stage::Saved)
    } else {
        None
    };
    let stage = match (stage, outcome) {
        (None, Some(Outcome::Hired | Outcome::OfferDeclined)) => Some(Stage::Offer),
        (s, _) => s,
    };
    (stage.is_some() || outcome.is_some()).then_some((stage, outcome))
}

/// 1-5, "4/5", or stars.
fn read_excitement(text: &str) -> Option<u8> {
    let text = text.trim();
    let stars = text.chars().filter(|&c| c == '★' || c == '*').count();
    let n = if stars > 0 && text.chars().all(|c| "★☆* ".contains(c)) {
        stars as f64
    } else {
        let head = text.split('/').next().unwrap_or("").trim();
        head.parse::<f64>().ok()?
    };
    (1.0..=5.0).contains(&n).then(|| n.round() as u8)
}

fn read_source(text: &str) -> Option<Source> {
    if text.is_empty() {
        return None;
    }
    if let Ok(source) = text.parse::<Source>() {
        return Some(source);
    }
    let t = squeeze(text);
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    Some(if has(&["referr", "referal"]) {
        Source::Referral
    } else if has(&["recruit", "agency", "headhunt"]) {
        Source::Recruiter
    } else if has(&[
        "companysite",
        "companywebsite",
        "careerspage",
        "careers",
        "website",
    ]) {
        Source::CompanySite
    } else if has(&["network", "friend", "meetup", "alumni", "event"]) {
        Source::Network
    } else if has(&[
        "linkedin",
        "indeed",
        "glassdoor",
        "jobboard",
        "monster",
        "ziprecruiter",
        "wellfound",
        "angellist",
        "otta",
        "stepstone",
        "seek",
        "dice",
        "board",
    ]) {
        Source::JobBoard
    } else {
        Source::Other
    })
}

fn read_work_mode(text: &str) -> Option<WorkMode> {
    if text.is_empty() {
        return None;
    }
    let t = squeeze(text);
    match t.as_str() {
        "remote" | "fullyremote" | "wfh" => Some(WorkMode::Remote),
        "hybrid" => Some(WorkMode::Hybrid),
        "onsite" | "inoffice" | "office" | "inperson" => Some(WorkMode::Onsite),
        _ => None,
    }
}

/// For a slashed or dashed numeric date `a/b/yyyy`: `Some(true)` if it can only be day
/// first (a > 12), `Some(false)` otherwise; `None` if it isn't such a date.
fn slashed(text: &str) -> Option<bool> {
    let date = text.split_whitespace().next()?;
    let parts: Vec<&str> = date.split('/').collect();
    if parts.len() != 3 || !parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let a: u32 = parts[0].parse().ok()?;
    Some(a > 12)
}

const DATE_TIMES: &[&str] = &[
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
];
const MONTH_FIRST_TIMES: &[&str] = &[
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
];
const DAY_FIRST_TIMES: &[&str] = &["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M"];
const DATES: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%b %d %Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b, %Y",
    "%a, %d %b %Y",
    "%a %b %d %Y",
    "%A, %B %d, %Y",
    "%a, %b %d, %Y",
    "%b %d, %y",
];
const MONTH_FIRST: &[&str] = &["%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"];
const DAY_FIRST: &[&str] = &["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"];

/// A date as people and spreadsheets write it: the calendar date as written (for the
/// row's id) and the moment in UTC. `None` when no format fits.
pub fn parse_date(text: &str, day_first: bool) -> Option<(NaiveDate, DateTime<Utc>)> {
    let text = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(". ", " ");
    let text = text.trim_end_matches('.');
    let plausible = |d: NaiveDate| (1900..=2200).contains(&chrono::Datelike::year(&d));

    if let Some(absolute) = [
        DateTime::parse_from_rfc3339(text).ok(),
        DateTime::parse_from_rfc2822(text).ok(),
        DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%z").ok(),
        DateTime::parse_from_str(text, "%Y-%m-%d %H:%M%z").ok(),
    ]
    .into_iter()
    .flatten()
    .next()
    {
        return fixed(absolute).filter(|(d, _)| plausible(*d));
    }

    let (slashed_times, slashed_dates) = if day_first {
        (DAY_FIRST_TIMES, DAY_FIRST)
    } else {
        (MONTH_FIRST_TIMES, MONTH_FIRST)
    };
    let naive = DATE_TIMES
        .iter()
        .chain(slashed_times)
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .filter(|t| plausible(t.date()))
        .or_else(|| {
            DATES
                .iter()
                .chain(slashed_dates)
                .filter_map(|f| NaiveDate::parse_from_str(text, f).ok())
                .find(|d| plausible(*d))
                .map(|d| d.and_time(NaiveTime::MIN))
        })?;
    let at = Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive));
    Some((naive.date(), at))
}

fn fixed(at: DateTime<FixedOffset>) -> Option<(NaiveDate, DateTime<Utc>)> {
    Some((at.date_naive(), at.with_timezone(&Utc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str, day_first: bool) -> Option<String> {
        parse_date(text, day_first).map(|(d, _)| d.to_string())
    }

    #[test]
    fn reads_the_common_date_formats() {
        for text in [
            "2026-11-02",
            "11/02/2026",
            "2 Nov 2026",
            "Nov 2, 2026",
            "November 2 2026",
            "November 2, 2026",
            "Nov. 2, 2026",
            "2-Nov-2026",
            "02.11.2026",
            "2026-11-02 14:30",
            "2026-11-02T14:30:00",
            "11/02/2026 2:30 PM",
            "11/2/26",
        ] {
            assert_eq!(date(text, false).as_deref(), Some("2026-11-02"), "{text}");
        }
        assert_eq!(date("02/11/2026", true).as_deref(), Some("2026-11-02"));
        assert_eq!(date("25/11/2026", false), None, "month 25 does not exist");
        assert_eq!(
            parse_date("2026-11-02T14:30:00+01:00", false).map(|(_, t)| t.to_rfc3339()),
            Some("2026-11-02T13:30:00+00:00".into())
        );
        assert_eq!(date("sometime in spring", false), None);
        assert_eq!(date("31/02/2026", true), None);
    }

    #[test]
    fn statuses_become_a_stage_and_an_outcome() {
        use Outcome::*;
        use Stage::*;
        let cases = [
            ("Wishlist", (Some(Saved), None)),
            ("Applied", (Some(Applied), None)),
            ("Phone Screen", (Some(Screening), None)),
            ("Interviewing", (Some(Interviewing), None)),
            ("Onsite", (Some(Interviewing), None)),
            ("Final round", (Some(Final), None)),
            ("Offer", (Some(Offer), None)),
            ("Rejected", (None, Some(Rejected))),
            (
                "Rejected after onsite",
                (Some(Interviewing), Some(Rejected)),
            ),
            ("Declined by company", (None, Some(Rejected))),
            ("No", (None, Some(Rejected))),
            ("Ghosted", (None, Some(NoResponse))),
            ("No response", (None, Some(NoResponse))),
            ("Withdrawn", (None, Some(Withdrawn))),
            ("Accepted", (Some(Offer), Some(Hired))),
            ("Offer declined", (Some(Offer), Some(OfferDeclined))),
        ];
        for (text, expected) in cases {
            assert_eq!(read_status(text), Some(expected), "{text}");
        }
        assert_eq!(read_status("Waiting on visa"), None);
        assert_eq!(
            read_status("Nothing yet"),
            None,
            "\"no\" only as a whole word"
        );
    }

    #[test]
    fn headers_meet_whatever_their_spelling() {
        let header: Vec<String> = ["Job_Title", "EMPLOYER", "date-applied", "Recruiter", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (columns, _, kept) = map_columns(&header);
        assert_eq!(columns[&Field::Role], 0);
        assert_eq!(columns[&Field::Company], 1);
        assert_eq!(columns[&Field::Applied], 2);
        assert_eq!(
            kept,
            vec![(3, "Recruiter".to_string()), (4, "Column 5".to_string())]
        );
    }

    #[test]
    fn ids_ignore_case_and_spacing() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 2);
        assert_eq!(
            row_id("Acme ", "Data  Engineer", d, "https://x.io/1/"),
            row_id("acme", "data engineer", d, "https://X.io/1")
        );
        assert_ne!(
            row_id("Acme", "Dev", d, ""),
            row_id("Acme", "Dev", None, "")
        );
    }
}

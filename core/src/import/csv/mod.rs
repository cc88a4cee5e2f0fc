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
//! offset are read in the journal's time zone. A date without a year (`9/19`, `Sep 19`)
//! takes the year of the nearest row that has one, else the latest such date not in the
//! future; the mapping says so ([`Mapping::years_note`]).
//!
//! A column of links ("Applicant Portal", "Job Link", or any column whose values are all
//! links) fills the application's url rather than its notes.

mod columns;
mod dates;
mod decode;
mod ids;
mod row;
mod split;
mod statuses;
mod values;
mod years;

pub use columns::Field;
pub use dates::parse_date;
pub use ids::row_id;
pub use statuses::read_status;

use columns::{adopt_links, is_link, map_columns};
use dates::slashed;
use split::{describe, sniff_delimiter, split, Split};

use crate::model::{Application, Record};
use crate::store::queries;
use crate::zone::{self, Zone};
use crate::{Error, Journal, Result, WriteCounts};
use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// How to read the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Slashed dates: `Some(true)` reads 02/11/2026 as 2 November, `Some(false)` as
    /// February 11; `None` decides from the file (month first unless a date such as
    /// 25/11/2026 shows the column is day first).
    pub day_first: Option<bool>,
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
    /// Dates written without a year: (the year they were read as, how many), by year.
    pub years_inferred: Vec<(i32, usize)>,
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
        if !self.years_inferred.is_empty() {
            let years: serde_json::Map<String, serde_json::Value> = self
                .years_inferred
                .iter()
                .map(|(year, n)| (year.to_string(), (*n).into()))
                .collect();
            map.insert("dates_without_year".into(), years.into());
        }
        serde_json::Value::Object(map)
    }

    /// "12 dates had no year: read as 2026" (or "... read as 2025 (3) and 2026 (9)"),
    /// when some had none.
    pub fn years_note(&self) -> Option<String> {
        let total: usize = self.years_inferred.iter().map(|(_, n)| n).sum();
        let years: Vec<String> = match self.years_inferred.as_slice() {
            [] => return None,
            [(year, _)] => vec![year.to_string()],
            many => many.iter().map(|(y, n)| format!("{y} ({n})")).collect(),
        };
        let had = if total == 1 {
            "1 date had".to_string()
        } else {
            format!("{} dates had", crate::words::count(total))
        };
        let years = match years.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        };
        Some(format!("{had} no year: read as {years}"))
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

/// Reads CSV bytes into applications. Dates without an offset are wall-clock times in
/// `zone` (the journal's); `now` stamps the new records. An error means the file as a
/// whole can't be imported (no header, no company or role column); a bad row only lands
/// in [`Parsed::errors`].
pub fn read(bytes: &[u8], options: &Options, zone: Zone, now: DateTime<Utc>) -> Result<Parsed> {
    let (text, encoding) = decode::decode(bytes);
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

    let (mut columns, mut mapping_fields, mut kept) = map_columns(&header);
    if !columns.contains_key(&Field::Company) && !columns.contains_key(&Field::Role) {
        return Err(Error::invalid(
            "csv",
            format!(
                "no column names a company or a role (the columns are: {}). Name one of them \
                 \"Company\" or \"Role\" and import again",
                columns::shown_columns(&header)
            ),
        ));
    }

    let rest: Vec<Split> = records.collect();
    let values = |i: usize| {
        rest.iter().filter_map(move |r| match r {
            Split::Record(_, f) => f.get(i).map(|v| v.trim()).filter(|v| !v.is_empty()),
            Split::Broken(_) => None,
        })
    };
    adopt_links(&mut columns, &mut mapping_fields, &mut kept, &header, |i| {
        values(i).next().is_some() && values(i).all(is_link)
    });
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

    let years_read = columns.get(&Field::Applied).map(|&i| {
        let values: Vec<Option<&str>> = rest
            .iter()
            .map(|r| match r {
                Split::Record(_, f) => f.get(i).map(String::as_str),
                Split::Broken(_) => None,
            })
            .collect();
        (
            i,
            years::infer(&values, day_first, zone, zone::local_day(now, zone)),
        )
    });
    let mut years_inferred: BTreeMap<i32, usize> = BTreeMap::new();
    for date in years_read
        .iter()
        .flat_map(|(_, dates)| dates.iter().flatten())
    {
        *years_inferred.entry(date.year()).or_default() += 1;
    }

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
            years_inferred: years_inferred.into_iter().collect(),
        },
        rows: Vec::new(),
        errors: Vec::new(),
        repeated: Vec::new(),
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (n, split) in rest.into_iter().enumerate() {
        let (line, mut fields) = match split {
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
        // A date without a year is read as the full date the file suggests.
        if let Some((i, Some(date))) = years_read.as_ref().map(|(i, d)| (*i, d[n])) {
            fields[i] = date.to_string();
        }
        match row::row(&fields, &header, &columns, &kept, day_first, zone, now) {
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
    let WriteCounts { written, skipped } = journal.put_records(records, true, progress)?;
    Ok(Imported {
        added: written,
        skipped_existing: known + skipped,
    })
}

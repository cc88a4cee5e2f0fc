//! The work-search log as a spreadsheet: a header row, then one row per activity and
//! nothing else, so any office's form or spreadsheet can take it as it is.

use super::work_search::WorkSearchLog;
use crate::vocabulary::Label;

/// The header row.
pub const HEADER: [&str; 6] = [
    "Date",
    "Employer",
    "Position",
    "Method of contact",
    "Person contacted",
    "Result",
];

impl WorkSearchLog {
    /// The activities as CSV (UTF-8, quoted where needed, dates as YYYY-MM-DD).
    pub fn to_csv(&self) -> String {
        let mut out = csv::Writer::from_writer(Vec::new());
        let rows =
            std::iter::once(HEADER.map(String::from)).chain(self.activities.iter().map(|a| {
                [
                    a.date.to_string(),
                    a.employer.clone(),
                    a.position.clone(),
                    a.method.label().to_string(),
                    a.contacted.clone(),
                    a.result.clone(),
                ]
            }));
        for row in rows {
            // Writing into memory cannot fail.
            let _ = out.write_record(&row);
        }
        String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

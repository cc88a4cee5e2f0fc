//! Which column fills which application field, found by its header under the names
//! other tools use.

use serde::Serialize;
use std::collections::HashMap;

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
                "date",
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
                "postinglink",
                "joblisting",
                "listing",
                "listingurl",
                "applicantportal",
                "applicationportal",
                "portal",
                "portallink",
                "applicationlink",
                "applicationurl",
                "careerspage",
                "website",
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

/// Lower case, letters and digits only: "Job Title", "job_title" and "JOB-TITLE" meet.
pub(super) fn squeeze(header: &str) -> String {
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

pub(super) type Columns = HashMap<Field, usize>;
/// Columns kept in the notes: (index, name to show).
pub(super) type Kept = Vec<(usize, String)>;

/// Which column fills which field (the first one that fits wins), and the columns kept
/// in the notes with the name to show for each.
pub(super) fn map_columns(header: &[String]) -> (Columns, Vec<(Field, String)>, Kept) {
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

/// When no header names the url, the first column kept in the notes whose values are
/// all links (`is_links` says, by column index) fills it instead: a link belongs on the
/// application, where it can be opened, not in its notes.
pub(super) fn adopt_links(
    columns: &mut Columns,
    fields: &mut Vec<(Field, String)>,
    kept: &mut Kept,
    header: &[String],
    is_links: impl Fn(usize) -> bool,
) {
    if columns.contains_key(&Field::Url) {
        return;
    }
    let Some(at) = kept.iter().position(|(i, _)| is_links(*i)) else {
        return;
    };
    let (i, _) = kept.remove(at);
    columns.insert(Field::Url, i);
    fields.push((Field::Url, header[i].trim().to_string()));
    fields.sort_by_key(|(f, _)| Field::ALL.iter().position(|x| x == f));
}

/// A value that is a web address.
pub(super) fn is_link(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    !v.contains(char::is_whitespace)
        && (v.starts_with("https://") || v.starts_with("http://") || v.starts_with("www."))
}

/// The header's columns for a message: the first few, each cut to a readable length (a
/// file that is not CSV at all may have a "header" of megabytes).
pub(super) fn shown_columns(header: &[String]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! The text cut into records: the separator found, and rows with a broken quote set
//! aside without losing the rows after them.

/// Comma, semicolon (European spreadsheets) or tab: whichever the header line has most of.
pub(super) fn sniff_delimiter(text: &str) -> u8 {
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

pub(super) fn describe(delimiter: u8) -> &'static str {
    match delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    }
}

pub(super) enum Split {
    /// A record and the line it starts on.
    Record(u64, Vec<String>),
    /// A line where a quote opens and never closes.
    Broken(u64),
}

/// The records of the text, read by the `csv` crate. A quote that is never closed makes
/// the parser swallow the rest of the file; such a row is reported as broken and reading
/// starts again on the next line, so the rows after it still count.
pub(super) fn split(text: &str, delimiter: u8) -> Vec<Split> {
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

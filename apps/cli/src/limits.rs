//! The core's ranges (`onward_core::limits`) as clap parsers, so a value out of range is
//! refused before anything runs, with the same bounds the journal checks.

use clap::builder::RangedI64ValueParser;
use onward_core::limits::{Range, INSIGHT_WEEKS, PERCENT, ROUND, SCALE};

fn parser<T>(range: Range) -> RangedI64ValueParser<T>
where
    T: TryFrom<i64> + Clone + Send + Sync + 'static,
    <T as TryFrom<i64>>::Error: Send + Sync + 'static + std::error::Error + ToString,
{
    RangedI64ValueParser::new().range(i64::from(range.min)..=i64::from(range.max))
}

/// A 1-to-5 rating.
pub fn scale() -> RangedI64ValueParser<u8> {
    parser(SCALE)
}

/// A percent.
pub fn percent() -> RangedI64ValueParser<u8> {
    parser(PERCENT)
}

/// An interview round.
pub fn round() -> RangedI64ValueParser<u32> {
    parser(ROUND)
}

/// How many weeks `stats` covers.
pub fn insight_weeks() -> RangedI64ValueParser<u32> {
    parser(INSIGHT_WEEKS)
}

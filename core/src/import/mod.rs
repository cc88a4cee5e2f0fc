//! Import: records from files into a journal, with their ids and times kept.

pub mod csv;
pub mod json;

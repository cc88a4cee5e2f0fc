//! Import: records from files into a journal, with their ids and times kept.

pub mod json;

//! Commands over records of any kind: the timeline, one record in full, search,
//! delete and restore, tags.

mod delete;
mod fields;
mod search;
mod show;
mod tags;
mod timeline;

pub use delete::{delete, restore, IdArgs};
pub use search::{search, SearchArgs};
pub use show::{show, ShowArgs};
pub use tags::{tag, TagArgs};
pub use timeline::{timeline, TimelineArgs};

//! The wire protocol between Onward devices and `onward-relay`, compiled by both sides
//! so that a change to one is a compile error in the other: the frame codec of a pull
//! answer, the header names, the JSON answers, the error codes and the limits.
//! docs/SYNC.md describes the same protocol in words; `tests/docs.rs` checks that the
//! numbers it gives are these.

pub mod answers;
pub mod errors;
pub mod frames;
pub mod headers;
pub mod limits;
pub mod members;
pub mod padding;
pub mod paths;

pub use answers::{
    AcceptInvitation, CreateJournal, DeleteAnswer, DeviceRecord, DeviceRecords, ErrorBody,
    InvitationAnswer, InvitationUpload, JournalInfo, MembersAnswer, MembersChange, PartAnswer,
    PushAnswer, SnapshotInfo, WrapsAnswer,
};
pub use errors::ErrorCode;
pub use frames::{Frame, FrameError};

/// Journal, batch, snapshot and device ids: this many lowercase hex characters.
pub const ID_HEX_LEN: usize = 32;

/// Whether `text` is a well-formed id (32 lowercase hex characters).
pub fn is_id(text: &str) -> bool {
    text.len() == ID_HEX_LEN
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

//! The core's one error type. Every message says what went wrong in words a person can
//! act on; the CLI and the bindings show them as they are.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("nothing in this journal has the id {id}")]
    NotFound { id: String },

    #[error("the id {prefix} fits several records ({candidates}); give a few more characters")]
    Ambiguous { prefix: String, candidates: String },

    #[error("no pending reminder has the key {key}")]
    NoSuchReminder { key: String },

    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },

    #[error("{path} can't be read as an Onward journal ({detail}). It was left untouched; move it aside or open another file")]
    Corrupt { path: PathBuf, detail: String },

    #[error("{path} is busy: another Onward (the app, or another onward command) has been writing to it for over {seconds} seconds. Nothing was written; try again once it is done")]
    Busy { path: PathBuf, seconds: u64 },

    #[error("{path} is an SQLite database of another program, not an Onward journal. It was left untouched; open another file")]
    NotAJournal { path: PathBuf },

    #[error("{path} was written by a newer Onward (journal format {found}, this one knows up to {known}). Update Onward to open it; the file was left untouched")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error("the journal's document: {0}")]
    Document(String),

    #[error("storage: {0}")]
    Storage(#[from] rusqlite::Error),

    #[error("couldn't reach the sync relay at {url} ({detail}). Your journal is safe and keeps working offline; sync again once you're online")]
    RelayUnreachable { url: String, detail: String },

    #[error("the relay at {url} doesn't know this journal, or refused this device's key. Join again with a new invitation from a device that syncs")]
    RelayRefusedCredential { url: String },

    #[error(
        "the relay at {url} couldn't take the request: {detail}. Nothing was lost; try again later"
    )]
    Relay { url: String, detail: String },

    #[error("the sync relay sent an answer that doesn't add up ({detail}); nothing from it was applied. Your journal is safe and keeps working offline; if this keeps happening, the relay may be faulty")]
    RelayAnswer { detail: String },

    #[error("the sync relay has gone back to an earlier state ({reason}); this device will send again what it lost")]
    RelayWentBack { reason: String },

    #[error("this invitation doesn't work: {reason}. Copy it again from the device that made it")]
    PairingCode { reason: String },

    #[error("{what} was refused: {reason}. It was not applied, and nothing else was changed")]
    Refused { what: String, reason: String },

    #[error("the recovery kit can't be read: {reason}")]
    RecoveryKit { reason: String },

    #[error("{url} sends your journal's traffic unencrypted over the network; use an https:// address (plain http:// is only for a relay on this machine, unless you allow it explicitly)")]
    PlainHttp { url: String },

    #[error("this device was removed from the journal's devices. What is here stays here; to sync again, join with a new invitation from a device that syncs")]
    DeviceRemoved,

    #[error(
        "this invitation was already used or has expired; ask for a new one on a device that syncs"
    )]
    InvitationGone,

    #[error("the relay's copy of this journal was deleted; a device that syncs can restore it within the grace period")]
    JournalDeleted,

    #[error("this device has no deleted relay copy to bring back")]
    NoDeletedRelayCopy,

    #[error("the relay at {url} dropped its copy of this journal for good at {at}, when its grace period ended; it can't come back. Your journal is still here, and turning sync on again starts a new copy")]
    RelayCopyGone {
        url: String,
        at: chrono::DateTime<chrono::Utc>,
    },

    #[error("sync on this device was set up by an earlier Onward, with a shared secret; turn sync off and join again with an invitation from another device")]
    OldSyncSetup,

    #[error("this device's sync keys couldn't be used: {detail}")]
    SecretStore { detail: String },

    #[error("no device of this journal is called {name}{known}")]
    NoSuchDevice { name: String, known: String },

    #[error("sync isn't set up for this journal yet")]
    SyncNotEnabled,

    #[error("this journal already syncs through {url}; turn sync off first to use another relay")]
    SyncAlreadyEnabled { url: String },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl From<automerge::AutomergeError> for Error {
    fn from(e: automerge::AutomergeError) -> Self {
        Error::Document(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

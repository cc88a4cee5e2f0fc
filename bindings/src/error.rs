//! The one error every call can raise, converted in one place from the core's errors,
//! and the guard that keeps a panic from crossing the FFI.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// What went wrong, in words a developer can act on. Each variant names the thing to
/// fix; `detail` is a sentence fit to log (or, reworded, to show).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum OnwardError {
    /// No record (or pending reminder, or device of the journal) has this id, key or
    /// name. It may have been typed wrong, or belong to another journal.
    #[error("{detail}")]
    NotFound { id: String, detail: String },

    /// A value given was not accepted; `field` names it and `reason` says what would be.
    #[error("{field}: {reason}")]
    InvalidInput { field: String, reason: String },

    /// The journal file can't be read as an Onward journal (damaged, another program's
    /// database, or written by a newer Onward). The file was left untouched: open
    /// another path, or keep the file for recovery.
    #[error("{detail}")]
    CorruptJournal { path: String, detail: String },

    /// The storage underneath failed (disk full, permissions, a locked file). Retrying
    /// later may work; nothing was half-written.
    #[error("{detail}")]
    Storage { detail: String },

    /// Syncing could not be done: the relay is unreachable or refused this device (it
    /// was removed, or the relay's copy was deleted), its answer could not be read, a
    /// batch was refused, or sync is not set up (or is already, or by an older Onward).
    /// The journal is unchanged and keeps working offline; `detail` says what to do
    /// next.
    #[error("{detail}")]
    Sync { detail: String },

    /// A bug in Onward: something panicked. The call was abandoned and the journal is
    /// still usable; please report `detail`.
    #[error("{detail}")]
    Internal { detail: String },
}

impl From<onward_core::Error> for OnwardError {
    fn from(e: onward_core::Error) -> Self {
        use onward_core::Error as Core;
        let detail = e.to_string();
        match e {
            Core::NotFound { id } => OnwardError::NotFound { id, detail },
            Core::NoSuchReminder { key } => OnwardError::NotFound { id: key, detail },
            Core::Ambiguous { .. } => OnwardError::InvalidInput {
                field: "id".into(),
                reason: detail,
            },
            Core::Invalid { field, reason } => OnwardError::InvalidInput { field, reason },
            Core::Corrupt { path, .. } | Core::NotAJournal { path } | Core::TooNew { path, .. } => {
                OnwardError::CorruptJournal {
                    path: path.display().to_string(),
                    detail,
                }
            }
            Core::Document(_) => OnwardError::CorruptJournal {
                path: String::new(),
                detail,
            },
            Core::NoSuchDevice { name, .. } => OnwardError::NotFound { id: name, detail },
            // The app's Keychain or Keystore failed (locked, say): as for the disk,
            // retrying later may work.
            Core::Storage(_) | Core::Io { .. } | Core::SecretStore { .. } | Core::Busy { .. } => {
                OnwardError::Storage { detail }
            }
            // Everything wrong with what was typed or scanned names the field it was
            // typed in, with the whole sentence (what to do next) as the reason.
            Core::PairingCode { .. } | Core::InvitationGone => OnwardError::InvalidInput {
                field: "invitation".into(),
                reason: detail,
            },
            Core::RecoveryKit { .. } => OnwardError::InvalidInput {
                field: "recovery_kit".into(),
                reason: detail,
            },
            Core::PlainHttp { .. } => OnwardError::InvalidInput {
                field: "relay".into(),
                reason: detail,
            },
            Core::DeviceRemoved
            | Core::JournalDeleted
            | Core::NoDeletedRelayCopy
            | Core::RelayCopyGone { .. }
            | Core::OldSyncSetup
            | Core::RelayUnreachable { .. }
            | Core::RelayRefusedCredential { .. }
            | Core::Relay { .. }
            | Core::RelayAnswer { .. }
            | Core::RelayWentBack { .. }
            | Core::Refused { .. }
            | Core::SyncNotEnabled
            | Core::SyncAlreadyEnabled { .. } => OnwardError::Sync { detail },
        }
    }
}

/// The result of every exported call.
pub type Result<T, E = OnwardError> = std::result::Result<T, E>;

/// Runs `f`, turning a panic inside it into [`OnwardError::Internal`] so that no panic
/// unwinds into foreign code. Every exported call goes through here.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        Err(OnwardError::Internal {
            detail: format!(
                "Onward hit a bug and stopped this call ({what}); the journal is still usable"
            ),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_the_field_and_the_id() {
        let e: OnwardError = onward_core::Error::invalid("valence", "9 is outside 1 to 5").into();
        assert!(matches!(
            &e,
            OnwardError::InvalidInput { field, reason } if field == "valence" && reason == "9 is outside 1 to 5"
        ));
        let e: OnwardError = onward_core::Error::NotFound { id: "abcd".into() }.into();
        assert_eq!(e.to_string(), "nothing in this journal has the id abcd");
    }

    #[test]
    fn sync_errors_name_the_field_to_fix_or_say_what_happened() {
        let field = |e: onward_core::Error| match OnwardError::from(e) {
            OnwardError::InvalidInput { field, reason } => {
                assert!(!reason.is_empty());
                field
            }
            other => panic!("expected InvalidInput, got {other:?}"),
        };
        use onward_core::Error as Core;
        let bad_code = Core::PairingCode {
            reason: "a character is off".into(),
        };
        assert_eq!(field(bad_code), "invitation");
        assert_eq!(field(Core::InvitationGone), "invitation");
        let bad_kit = Core::RecoveryKit {
            reason: "too short".into(),
        };
        assert_eq!(field(bad_kit), "recovery_kit");
        let plain = Core::PlainHttp {
            url: "http://relay.example.org".into(),
        };
        assert_eq!(field(plain), "relay");
        let removed = OnwardError::from(Core::DeviceRemoved);
        assert!(
            matches!(&removed, OnwardError::Sync { detail } if detail.contains("removed")),
            "{removed:?}"
        );
        let unknown = Core::NoSuchDevice {
            name: "Old phone".into(),
            known: String::new(),
        };
        assert!(matches!(
            OnwardError::from(unknown),
            OnwardError::NotFound { id, .. } if id == "Old phone"
        ));
        let locked = Core::SecretStore {
            detail: "the Keychain is locked".into(),
        };
        assert!(matches!(
            OnwardError::from(locked),
            OnwardError::Storage { detail } if detail.contains("Keychain is locked")
        ));
    }

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let e = guard::<()>(|| panic!("index out of step")).unwrap_err();
        match e {
            OnwardError::Internal { detail } => {
                assert!(detail.contains("index out of step"), "{detail}")
            }
            other => panic!("expected Internal, got {other:?}"),
        }
    }
}

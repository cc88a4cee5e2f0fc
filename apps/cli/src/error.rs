//! What the CLI reports when something goes wrong: a message and, where it helps, a
//! line saying what to do next.

use onward_core::Error;

#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T, E = Failure> = std::result::Result<T, E>;

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    /// Prints `error: ...` and the hint to stderr.
    pub fn print(&self) {
        eprintln!("error: {}", self.message);
        if let Some(hint) = &self.hint {
            eprintln!("{hint}");
        }
    }
}

impl From<onward_local::Problem> for Failure {
    fn from(problem: onward_local::Problem) -> Self {
        match problem {
            onward_local::Problem::Journal(e) => e.into(),
            onward_local::Problem::Setting { message, hint } => Failure::new(message).hint(hint),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let hint = match &e {
            Error::NotFound { .. } => {
                Some("`onward timeline` lists recent records with their ids; `onward search WORDS` finds older ones.")
            }
            Error::NoSuchReminder { .. } => {
                Some("`onward reminders --all` lists them with their keys.")
            }
            Error::Document(_) => Some("`onward doctor` checks the journal and says what it finds."),
            Error::Corrupt { .. } => Some("To save what can still be read into a new file: onward doctor --recover NEW_PATH (with the same --journal). Or point --journal at another file."),
            Error::NotAJournal { .. } => Some("Choose another path with --journal."),
            Error::SyncNotEnabled => Some("`onward sync init --relay URL` starts syncing; `onward sync join` joins the journal your other device syncs, with an invitation from it."),
            Error::SyncAlreadyEnabled { .. } => Some("`onward sync off` forgets the relay (your journal stays); then init or join again."),
            Error::PairingCode { .. } | Error::InvitationGone => Some("`onward sync invite` on a device that syncs makes a new invitation. Nothing was changed here."),
            Error::RecoveryKit { .. } => Some("Nothing was changed here. The kit is the text `onward sync recovery-kit` showed, starting with ONWARDKIT1-."),
            Error::RelayRefusedCredential { .. } => Some("`onward sync invite` on a device that syncs makes an invitation to join again. Nothing was changed here."),
            Error::DeviceRemoved | Error::OldSyncSetup => Some("`onward sync off` here, then `onward sync join` with an invitation from a device that syncs."),
            Error::PlainHttp { .. } => Some("Use the relay's https:// address, or add --allow-insecure-http if you know the network in between."),
            Error::NoSuchDevice { .. } => Some("`onward devices` lists them by name."),
            Error::SecretStore { .. } => Some("This device's keys are kept apart from the journal file, in the system keyring or the folder beside the journal: check the keyring is unlocked, or the folder is there and readable by you."),
            Error::RelayUnreachable { .. } | Error::Relay { .. } | Error::RelayAnswer { .. } | Error::RelayWentBack { .. } => {
                Some("`onward sync status` shows where things stand; `onward sync now` tries again.")
            }
            _ => None,
        };
        Failure {
            message: e.to_string(),
            hint: hint.map(str::to_string),
        }
    }
}

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
            Error::Corrupt { .. } => Some("To save what can still be read into a new file: onward doctor --recover NEW_PATH (with the same --journal)."),
            Error::SyncNotEnabled => Some("`onward sync init --relay URL` starts syncing; `onward sync join CODE` joins the journal your other device syncs."),
            Error::SyncAlreadyEnabled { .. } => Some("`onward sync off` forgets the relay (your journal stays); then init or join again."),
            Error::PairingCode { .. } => Some("On a device that already syncs, `onward sync code` shows it. Nothing was changed here."),
            Error::RelayRefusedCredential { .. } => Some("`onward sync code` on a device that syncs shows the right code. Nothing was changed here."),
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

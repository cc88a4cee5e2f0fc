//! Where the command line keeps this device's sync keys: the system's keyring when it has
//! one (the macOS Keychain, Windows' Credential Manager, a Secret Service such as GNOME
//! Keyring or KWallet on Linux), else a folder of key files beside the journal, each
//! readable by its owner only. `ONWARD_KEYS=keyring|file` picks one instead of asking
//! the system; the journal file never holds the keys either way.

use onward_core::sync::{KeyFile, SecretStore};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The service name the keys are filed under in the system keyring.
const SERVICE: &str = "onward";

/// Which place `ONWARD_KEYS` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    /// The keyring when the system has one that answers, else the folder.
    Either,
    Keyring,
    Folder,
}

impl Wanted {
    fn from_env() -> Result<Wanted, String> {
        match std::env::var("ONWARD_KEYS").as_deref() {
            Err(_) | Ok("") | Ok("auto") => Ok(Wanted::Either),
            Ok("keyring") => Ok(Wanted::Keyring),
            Ok("file") => Ok(Wanted::Folder),
            Ok(other) => Err(format!(
                "ONWARD_KEYS is {other:?}; it takes auto, keyring or file"
            )),
        }
    }
}

/// Where the keys are (or will go), in words for a person.
pub enum Place {
    Keyring,
    Folder(PathBuf),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Keyring => write!(f, "your system keyring (under \"{SERVICE}\")"),
            Place::Folder(dir) => write!(f, "{} (readable only by you)", dir.display()),
        }
    }
}

/// The command line's [`SecretStore`]: the system keyring or the key folder, decided the
/// first time a key is needed (commands that don't sync never ask the system).
pub struct DeviceKeys {
    folder: KeyFile,
    wanted: Result<Wanted, String>,
    keyring: OnceLock<Result<(), String>>,
}

impl DeviceKeys {
    /// The keys of the journal at `journal`: the folder is `<journal>-keys/` beside it,
    /// or `$ONWARD_KEYS_DIR`.
    pub fn for_journal(journal: &Path) -> DeviceKeys {
        let folder = match std::env::var_os("ONWARD_KEYS_DIR") {
            Some(dir) => KeyFile::new(dir),
            None => {
                let mut name = journal.file_name().unwrap_or_default().to_os_string();
                name.push("-keys");
                KeyFile::new(journal.with_file_name(name))
            }
        };
        DeviceKeys {
            folder,
            wanted: Wanted::from_env(),
            keyring: OnceLock::new(),
        }
    }

    /// Whether keys go to the system keyring: an error when `ONWARD_KEYS=keyring` and
    /// there is none, or `ONWARD_KEYS` makes no sense.
    fn use_keyring(&self) -> Result<bool, String> {
        match self.wanted.clone()? {
            Wanted::Folder => Ok(false),
            wanted => match (self.keyring.get_or_init(system::answers), wanted) {
                (Ok(()), _) => Ok(true),
                (Err(_), Wanted::Either) => Ok(false),
                (Err(why), _) => Err(format!(
                    "ONWARD_KEYS asks for the system keyring, and it didn't answer: {why}"
                )),
            },
        }
    }

    /// Where new keys go.
    pub fn place(&self) -> Place {
        match self.use_keyring() {
            Ok(true) => Place::Keyring,
            _ => Place::Folder(self.folder.dir().to_path_buf()),
        }
    }
}

impl SecretStore for DeviceKeys {
    fn load(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        // Keys written to the folder before (or while the keyring was away) still open.
        if let Some(secret) = self.folder.load(name)? {
            return Ok(Some(secret));
        }
        if self.use_keyring()? {
            return system::load(name);
        }
        Ok(None)
    }

    fn save(&self, name: &str, secret: &[u8]) -> Result<(), String> {
        if self.use_keyring()? {
            system::save(name, secret)?;
            // Moved into the keyring: no copy stays behind in the folder.
            return self.folder.delete(name);
        }
        self.folder.save(name, secret)
    }

    fn delete(&self, name: &str) -> Result<(), String> {
        if self.use_keyring()? {
            system::delete(name)?;
        }
        self.folder.delete(name)
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod system {
    use super::SERVICE;
    use keyring::{Entry, Error};

    fn entry(name: &str) -> Result<Entry, String> {
        Entry::new(SERVICE, name).map_err(|e| format!("the system keyring: {e}"))
    }

    /// Whether the system keyring is there and answers (an entry nobody wrote reads as
    /// "no such entry", not as a failure).
    pub fn answers() -> Result<(), String> {
        match entry("onward-keyring-check")?.get_secret() {
            Ok(_) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    pub fn load(name: &str) -> Result<Option<Vec<u8>>, String> {
        match entry(name)?.get_secret() {
            Ok(secret) => Ok(Some(secret)),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(format!("the system keyring: {e}")),
        }
    }

    pub fn save(name: &str, secret: &[u8]) -> Result<(), String> {
        entry(name)?
            .set_secret(secret)
            .map_err(|e| format!("the system keyring: {e}"))
    }

    pub fn delete(name: &str) -> Result<(), String> {
        match entry(name)?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(format!("the system keyring: {e}")),
        }
    }
}

/// Systems without a keyring the `keyring` crate knows: the folder only.
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod system {
    const NONE: &str = "this system has no keyring Onward knows";

    pub fn answers() -> Result<(), String> {
        Err(NONE.into())
    }

    pub fn load(_: &str) -> Result<Option<Vec<u8>>, String> {
        Err(NONE.into())
    }

    pub fn save(_: &str, _: &[u8]) -> Result<(), String> {
        Err(NONE.into())
    }

    pub fn delete(_: &str) -> Result<(), String> {
        Err(NONE.into())
    }
}

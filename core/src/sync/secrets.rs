//! Where a device keeps its private keys (docs/SYNC.md, "Threat model"): a
//! [`SecretStore`] the app provides (the iOS Keychain, an Android Keystore-wrapped key),
//! a key file with mode 0600 for the command line ([`KeyFile`]), or, when a journal is
//! used with neither, the journal file itself ([`crate::Journal::set_secret_store`]).

use std::path::{Path, PathBuf};

/// A place for secrets, by name. Names are ASCII letters, digits and dashes.
pub trait SecretStore: Send + Sync {
    /// The secret stored under `name`, if any.
    fn load(&self, name: &str) -> Result<Option<Vec<u8>>, String>;
    /// Stores `secret` under `name`, replacing what was there.
    fn save(&self, name: &str, secret: &[u8]) -> Result<(), String>;
    /// Forgets `name` (nothing happens if it isn't there).
    fn delete(&self, name: &str) -> Result<(), String>;
}

/// Secrets as files in one folder, each readable by its owner only (mode 0600 on Unix),
/// written to a temporary file first so a crash never leaves half a key.
#[derive(Debug, Clone)]
pub struct KeyFile {
    dir: PathBuf,
}

impl KeyFile {
    pub fn new(dir: impl Into<PathBuf>) -> KeyFile {
        KeyFile { dir: dir.into() }
    }

    /// The file that holds `name`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.key"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn checked(name: &str) -> Result<&str, String> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(format!("{name:?} is not a secret's name"));
    }
    Ok(name)
}

impl SecretStore for KeyFile {
    fn load(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        let path = self.path(checked(name)?);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    fn save(&self, name: &str, secret: &[u8]) -> Result<(), String> {
        use std::io::Write;
        let path = self.path(checked(name)?);
        let fail = |e: std::io::Error| format!("{}: {e}", path.display());
        create_private_dir(&self.dir).map_err(fail)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(fail)?;
        }
        tmp.write_all(secret).map_err(fail)?;
        tmp.as_file().sync_all().map_err(fail)?;
        tmp.persist(&path).map_err(|e| fail(e.error))?;
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), String> {
        let path = self.path(checked(name)?);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_round_trips_is_private_and_refuses_odd_names() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyFile::new(dir.path().join("keys"));
        assert_eq!(store.load("onward-abc").unwrap(), None);
        store.save("onward-abc", b"secret bytes").unwrap();
        assert_eq!(store.load("onward-abc").unwrap().unwrap(), b"secret bytes");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path("onward-abc"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.delete("onward-abc").unwrap();
        store.delete("onward-abc").unwrap();
        assert_eq!(store.load("onward-abc").unwrap(), None);
        assert!(store.save("../escape", b"x").is_err());
    }
}

//! Where this device keeps its sync keys: a [`SecretStore`] the app implements (the
//! iOS Keychain, a file wrapped by an Android Keystore key) and passes to
//! `Journal.open`, so that no private key is ever written to the journal file
//! (docs/SYNC.md, "Threat model"). Adapted here to the core's `SecretStore`.

use onward_core::sync as core;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// Why the app's secret store couldn't do what was asked. Sync stops with a `Storage`
/// error that carries `detail`; nothing is half-written.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum SecretStoreError {
    /// The store refused or failed (a locked Keychain, a Keystore key that is gone).
    #[error("{detail}")]
    Failed { detail: String },
}

// A foreign implementation that throws something other than `SecretStoreError` arrives
// as this; without the conversion uniffi would panic on it.
impl From<uniffi::UnexpectedUniFFICallbackError> for SecretStoreError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SecretStoreError::Failed { detail: e.reason }
    }
}

/// Implemented by the app: secrets by name (ASCII letters, digits and dashes), kept
/// where only this app on this device can read them. Called on whichever thread runs
/// the sync call, never on the UI thread if the app follows the journal's rule.
#[uniffi::export(with_foreign)]
pub trait SecretStore: Send + Sync {
    /// The secret stored under `name`, or null when there is none.
    fn load(&self, name: String) -> Result<Option<Vec<u8>>, SecretStoreError>;
    /// Stores `secret` under `name`, replacing what was there.
    fn save(&self, name: String, secret: Vec<u8>) -> Result<(), SecretStoreError>;
    /// Forgets `name`; nothing happens when it isn't there.
    fn delete(&self, name: String) -> Result<(), SecretStoreError>;
}

/// The app's store as the core's. A panic in a Rust implementation (tests) becomes an
/// error here, since the core may call it from the background sync's thread, where no
/// `guard` stands.
pub(crate) struct Adapter(pub(crate) Arc<dyn SecretStore>);

impl Adapter {
    fn call<T>(
        &self,
        f: impl FnOnce(&dyn SecretStore) -> Result<T, SecretStoreError>,
    ) -> Result<T, String> {
        match catch_unwind(AssertUnwindSafe(|| f(&*self.0))) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("the app's secret store failed unexpectedly".into()),
        }
    }
}

impl core::SecretStore for Adapter {
    fn load(&self, name: &str) -> Result<Option<Vec<u8>>, String> {
        self.call(|s| s.load(name.to_string()))
    }

    fn save(&self, name: &str, secret: &[u8]) -> Result<(), String> {
        self.call(|s| s.save(name.to_string(), secret.to_vec()))
    }

    fn delete(&self, name: &str) -> Result<(), String> {
        self.call(|s| s.delete(name.to_string()))
    }
}

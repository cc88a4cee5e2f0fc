//! Who may create a journal: anyone (`open`), or whoever has the operator's token
//! (`token`, sent in the `Onward-Registration` header). Devices of an existing journal
//! never need it; every creation is also signed by the journal's first device.

use axum::http::HeaderMap;
use onward_protocol::headers;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::Error;

/// How the relay takes new journals.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Registration {
    /// Anyone may create a journal.
    #[default]
    Open,
    /// A new journal needs this token in the `Onward-Registration` header.
    Token(String),
}

impl std::fmt::Debug for Registration {
    // The token stays out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Registration::Open => f.write_str("Open"),
            Registration::Token(_) => f.write_str("Token(..)"),
        }
    }
}

impl Registration {
    /// Lets the creation of a new journal through, or refuses it with `registration_required`.
    pub fn check(&self, request: &HeaderMap) -> Result<(), Error> {
        let Registration::Token(token) = self else {
            return Ok(());
        };
        let presented = request
            .get(headers::REGISTRATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .unwrap_or("");
        // Compared as hashes, so the time taken says nothing about the token's length.
        let same: bool = Sha256::digest(presented.as_bytes())
            .ct_eq(&Sha256::digest(token.as_bytes()))
            .into();
        if same && !presented.is_empty() {
            Ok(())
        } else {
            Err(Error::RegistrationRequired)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_relay_takes_only_its_token() {
        let mut request = HeaderMap::new();
        assert!(Registration::Open.check(&request).is_ok());
        let relay = Registration::Token("s3cret".into());
        assert!(matches!(
            relay.check(&request),
            Err(Error::RegistrationRequired)
        ));
        request.insert(headers::REGISTRATION, "wrong".parse().unwrap());
        assert!(matches!(
            relay.check(&request),
            Err(Error::RegistrationRequired)
        ));
        request.insert(headers::REGISTRATION, "s3cret".parse().unwrap());
        assert!(relay.check(&request).is_ok());
        assert_eq!(format!("{relay:?}"), "Token(..)");
    }
}

//! Journal, batch, snapshot and device ids: 32 lowercase hex characters, checked once at
//! the edge; and the random ids the relay gives out itself (journal incarnations).

use std::fmt;

use crate::error::Error;

/// A checked id (journal, batch, snapshot or device): exactly 32 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);

impl Id {
    /// Checks `text`; `what` names the id in the error ("journal", "batch", "snapshot", "device").
    pub fn parse(what: &str, text: &str) -> Result<Self, Error> {
        if onward_protocol::is_id(text) {
            Ok(Id(text.to_owned()))
        } else {
            Err(Error::BadRequest(format!(
                "The {what} id must be 32 lowercase hex characters; got {:?}.",
                abbreviate(text)
            )))
        }
    }

    /// 16 fresh random bytes as an id: a journal's incarnation. A random (not counted)
    /// value, so a journal deleted and created again, or a relay restored from a backup
    /// and then given new journals, never repeats one.
    pub fn random() -> Result<Self, Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| {
            Error::Internal(format!("the system's random number source failed: {e}"))
        })?;
        Ok(Id(hex::encode(bytes)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id's 16 bytes (used in pull frames).
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        hex::decode_to_slice(&self.0, &mut out).expect("checked at parse");
        out
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Keeps an echoed bad id short, so an error never carries a whole body back.
fn abbreviate(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_32_lowercase_hex_characters_are_ids() {
        assert!(Id::parse("journal", "0123456789abcdef0123456789abcdef").is_ok());
        for bad in [
            "",
            "0123456789ABCDEF0123456789ABCDEF",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0",
            "0123456789abcdef0123456789abcdeg",
        ] {
            assert!(Id::parse("journal", bad).is_err(), "{bad:?} was accepted");
        }
        let id = Id::parse("batch", "000102030405060708090a0b0c0d0e0f").unwrap();
        assert_eq!(id.to_bytes()[15], 15);
    }

    #[test]
    fn random_ids_are_well_formed_and_differ() {
        let (a, b) = (Id::random().unwrap(), Id::random().unwrap());
        assert!(Id::parse("incarnation", a.as_str()).is_ok());
        assert_ne!(a, b);
    }
}

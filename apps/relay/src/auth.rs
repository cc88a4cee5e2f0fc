//! The relay credential: a Bearer token whose SHA-256 (hex) is all the relay keeps.

use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::Error;
use crate::ids::Id;
use crate::storage::Storage;

/// SHA-256 of the Bearer credential in `headers`, as lowercase hex. A missing or
/// malformed header is the same 401 as a wrong credential.
pub fn credential_hash(headers: &HeaderMap) -> Result<String, Error> {
    let value = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(Error::Unauthorized)?;
    let token = value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(Error::Unauthorized)?;
    Ok(hex::encode(Sha256::digest(token.as_bytes())))
}

/// Whether two credential hashes are equal, compared in constant time.
pub fn same_credential(stored: &str, presented: &str) -> bool {
    stored.as_bytes().ct_eq(presented.as_bytes()).into()
}

/// Lets the request through only if `journal` exists and the credential is its own.
pub async fn authorize(
    storage: &dyn Storage,
    journal: &Id,
    headers: &HeaderMap,
) -> Result<(), Error> {
    let presented = credential_hash(headers)?;
    match storage.credential(journal).await? {
        Some(stored) if same_credential(&stored, &presented) => Ok(()),
        _ => Err(Error::Unauthorized),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_hex_of_the_bearer_token() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(
            credential_hash(&headers).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        headers.insert(AUTHORIZATION, "Basic abc".parse().unwrap());
        assert!(matches!(
            credential_hash(&headers),
            Err(Error::Unauthorized)
        ));
        assert!(same_credential("ab", "ab"));
        assert!(!same_credential("ab", "ac"));
        assert!(!same_credential("ab", "abc"));
    }
}

//! The relay credential: a Bearer token whose SHA-256 (hex) is all the relay keeps. It
//! names a member of the journal's device list (or, for the invitation routes, an
//! invitation); what that member may write is then checked by its signatures.

use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use std::time::Duration;

use crate::error::Error;
use crate::ids::Id;
use crate::state::AppState;
use crate::storage::{Access, MemberRow, StoredInvitation};

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

/// The member a request comes from, and the journal's access state read with it.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Its device id.
    pub device: String,
    /// Its Ed25519 public key (hex).
    pub sign_pk: String,
    /// The journal's members, epoch, deletion and incarnation.
    pub access: Access,
}

/// Lets the request through only if `journal` exists, the credential is an active
/// member's and the journal is not deleted (`journal_deleted` until it is purged).
pub async fn member(app: &AppState, journal: &Id, headers: &HeaderMap) -> Result<Caller, Error> {
    authenticate(app, journal, headers, false).await
}

/// As [`member`], also for a journal deleted within its grace period (restore).
pub async fn member_of_deleted(
    app: &AppState,
    journal: &Id,
    headers: &HeaderMap,
) -> Result<Caller, Error> {
    authenticate(app, journal, headers, true).await
}

async fn authenticate(
    app: &AppState,
    journal: &Id,
    headers: &HeaderMap,
    deleted_too: bool,
) -> Result<Caller, Error> {
    let presented = credential_hash(headers)?;
    let access = app
        .storage
        .access(journal)
        .await?
        .ok_or(Error::Unauthorized)?;
    let member = identify(&access.members, &presented)?;
    let (device, sign_pk) = (member.device.clone(), member.sign_pk.clone());
    check_not_deleted(app, &access, deleted_too)?;
    Ok(Caller {
        device,
        sign_pk,
        access,
    })
}

/// Lets a request about invitation `id` through only with that invitation's credential
/// (`401` otherwise, as for an unknown journal). Returns the stored invitation.
pub async fn invitation_holder(
    app: &AppState,
    journal: &Id,
    id: &Id,
    headers: &HeaderMap,
) -> Result<StoredInvitation, Error> {
    let presented = credential_hash(headers)?;
    let access = app
        .storage
        .access(journal)
        .await?
        .ok_or(Error::Unauthorized)?;
    let stored = app
        .storage
        .invitation(journal, id)
        .await?
        .ok_or(Error::Unauthorized)?;
    if !same_credential(&stored.invitation.credential_sha256, &presented) {
        return Err(Error::Unauthorized);
    }
    check_not_deleted(app, &access, false)?;
    Ok(stored)
}

/// The member whose credential hash is `presented`: an active one, else a removed one
/// (`device_removed`), else none (`401`). Every hash is compared in constant time.
pub fn identify<'a>(members: &'a [MemberRow], presented: &str) -> Result<&'a MemberRow, Error> {
    let mut matches = members
        .iter()
        .filter(|m| same_credential(&m.credential_sha256, presented));
    let first = matches.next().ok_or(Error::Unauthorized)?;
    let active = std::iter::once(first)
        .chain(matches)
        .find(|m| !m.removed)
        .ok_or(Error::DeviceRemoved)?;
    Ok(active)
}

/// A deleted journal answers `journal_deleted` until its grace period ends, then as if
/// it were gone (`401`) until the purge drops it.
fn check_not_deleted(app: &AppState, access: &Access, deleted_too: bool) -> Result<(), Error> {
    let Some(at) = access.deleted_at_ms else {
        return Ok(());
    };
    let purge_after_ms = purge_after(at, app.delete_grace);
    if app.clock.now_ms() >= purge_after_ms {
        Err(Error::Unauthorized)
    } else if deleted_too {
        Ok(())
    } else {
        Err(Error::JournalDeleted { purge_after_ms })
    }
}

/// When a journal deleted at `deleted_at_ms` is dropped for good.
pub fn purge_after(deleted_at_ms: u64, grace: Duration) -> u64 {
    deleted_at_ms.saturating_add(u64::try_from(grace.as_millis()).unwrap_or(u64::MAX))
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

    #[test]
    fn a_credential_names_an_active_member_before_a_removed_one() {
        let row = |device: &str, hash: &str, removed| MemberRow {
            device: device.into(),
            sign_pk: String::new(),
            credential_sha256: hash.into(),
            removed,
        };
        let members = [row("a", "h1", true), row("b", "h2", false)];
        assert_eq!(identify(&members, "h2").unwrap().device, "b");
        assert!(matches!(
            identify(&members, "h1"),
            Err(Error::DeviceRemoved)
        ));
        assert!(matches!(identify(&members, "h3"), Err(Error::Unauthorized)));
    }
}
